import { describe, expect, it } from 'vitest';
import { costsOf, percentile, summarize, type DocumentTiming } from '../src/cost.ts';

const doc = (id: string, publishedAt: number, outcomeAt: number | null, status: string | null = 'FILED'): DocumentTiming => ({ documentId: id, publishedAt, outcomeAt, status });
const baseline = { documents: 3, p50: 5000, p95: 7000, max: 8000 };

describe('fault cost', () => {
  it('takes percentiles by rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes only documents with an outcome', () => {
    expect(summarize([doc('a', 0, 4000), doc('b', 0, 6000), doc('c', 0, null, null)])).toEqual({ documents: 2, p50: 4000, p95: 6000, max: 6000 });
  });

  it('counts the documents in flight during a fault and their delay beyond the baseline median', () => {
    const fault = { startedAt: 100_000, restoredAt: 130_000 };
    const documents = [
      doc('answered-before', 80_000, 90_000),
      doc('in-flight', 95_000, 140_000),
      doc('published-during', 110_000, 150_000, 'FAILED'),
      doc('published-after', 131_000, 136_000),
      doc('stranded', 120_000, null, 'IN_PROGRESS'),
    ];
    expect(costsOf([fault], documents, baseline)).toEqual([{ inFlight: 3, charged: 3, maxExtraMs: 45_000 - 5000, unsettled: 1, failed: 1 }]);
  });

  it('charges a document in flight during two faults to the first it met', () => {
    const kill = { startedAt: 10_000, restoredAt: 15_000 };
    const outage = { startedAt: 40_000, restoredAt: 60_000 };
    const documents = [doc('held-by-the-kill', 9000, 100_000), doc('met-only-the-outage', 30_000, 65_000)];
    const [first, second] = costsOf([outage, kill], documents, baseline);
    expect(second).toEqual({ inFlight: 1, charged: 1, maxExtraMs: 91_000 - 5000, unsettled: 0, failed: 0 });
    expect(first).toEqual({ inFlight: 2, charged: 1, maxExtraMs: 35_000 - 5000, unsettled: 0, failed: 0 });
  });

  it('has no extra delay to show when nothing charged has an outcome', () => {
    expect(costsOf([{ startedAt: 0, restoredAt: 10 }], [doc('x', 5, null, 'IN_PROGRESS')], baseline)[0]!.maxExtraMs).toBeNull();
  });
});
