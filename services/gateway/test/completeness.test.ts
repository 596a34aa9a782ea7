import { describe, expect, it } from 'vitest';
import type { ReceivedDocument } from '@oa-archive/catalog';
import { compareCompleteness } from '../src/index.ts';

const received = (documentId: string, status: ReceivedDocument['status'], version = 1): ReceivedDocument => ({
  documentId,
  version,
  status,
  ingestId: `ing-${documentId}-${version}`,
  acceptedAt: null,
  channel: null,
  receivedAt: null,
  completedAt: null,
});

describe('compareCompleteness', () => {
  const since = new Date('2025-01-01T00:00:00Z');
  const until = new Date('2026-01-01T00:00:00Z');

  it('sorts the OA’s list into missing, not final, failed and final; and finds what the OA did not list', () => {
    const report = compareCompleteness({
      source: 'oa',
      since,
      until,
      listedBy: 'list',
      listed: [
        { documentId: 'A', version: 1 },
        { documentId: 'B', version: 1 },
        { documentId: 'C', version: 1 },
        { documentId: 'D', version: 1 },
        { documentId: 'E', version: 2 },
        { documentId: 'F', version: 1 },
        { documentId: 'A', version: 1 },
      ],
      received: [received('A', 'FILED'), received('B', 'REVIEW'), received('C', null), received('D', 'FAILED'), received('E', 'FILED', 1)],
      archived: [
        { documentId: 'A', version: 1, status: 'FILED', ingestId: 'ing-A-1', finalizedAt: new Date('2025-03-01T00:00:00Z') },
        { documentId: 'Z', version: 1, status: 'EXCLUDED', ingestId: 'ing-Z-1', finalizedAt: new Date('2025-03-02T00:00:00Z') },
      ],
      refusals: new Map([['F', 'package F rejected: digest mismatch']]),
    });
    expect(report.counts).toEqual({ listed: 6, received: 4, final: 2, missing: 2, notFinal: 2, failed: 1, unlisted: 1 });
    expect(report.missing).toEqual([{ documentId: 'E', version: 2 }, { documentId: 'F', version: 1, refused: 'package F rejected: digest mismatch' }]);
    expect(report.notFinal).toEqual([
      { documentId: 'B', version: 1, status: 'REVIEW', ingestId: 'ing-B-1' },
      { documentId: 'C', version: 1, status: 'ACCEPTED', ingestId: 'ing-C-1' },
    ]);
    expect(report.failed.map((d) => d.documentId)).toEqual(['D']);
    expect(report.unlisted.map((d) => d.documentId)).toEqual(['Z']);
  });

  it('says which missing documents are past their filing deadline', () => {
    const report = compareCompleteness({
      source: 'oa',
      since,
      until,
      listedBy: 'list',
      listed: [
        { documentId: 'OLD', version: 1, finalizedAt: '2025-03-03T10:00:00+08:00' },
        { documentId: 'NEW', version: 1, finalizedAt: '2025-12-30T10:00:00+08:00' },
        { documentId: 'UNDATED', version: 1 },
      ],
      received: [],
      archived: [],
      deadlineOf: (d) => (d.finalizedAt ? new Date(new Date(d.finalizedAt).getTime() + 7 * 86_400_000) : undefined),
      now: new Date('2026-01-02T00:00:00Z'),
    });
    expect(report.missing.map((d) => [d.documentId, d.overdue])).toEqual([
      ['OLD', true],
      ['NEW', false],
      ['UNDATED', undefined],
    ]);
  });
});
