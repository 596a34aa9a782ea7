import { describe, expect, it } from 'vitest';
import type { IngestRecord } from '@oa-archive/catalog';
import { outcomeSummary, sourceOutcomes } from '../src/index.ts';

/** Only what the summaries read of an ingest: its status and source. */
const ingests = (statuses: string[], source = 'oa-simulator') => statuses.map((status, i) => ({ ingestId: `ing_${i}`, status, source }) as unknown as IngestRecord);

describe('how a batch ended (archive await)', () => {
  it('names every kind of outcome, a zero included, so a kind the batch lacks shows', () => {
    const batch = ingests(['FILED', 'FILED', 'EXCLUDED', 'REVIEW', 'QUARANTINED', 'FILED']);
    expect(outcomeSummary(batch)).toBe('本批6件的结果：已归档 3 · 不归档 1 · 待鉴定 1 · 已隔离 1 · 失败 0');
    expect(outcomeSummary(batch, 'en')).toBe('Outcomes of the 6 documents: FILED 3 · EXCLUDED 1 · REVIEW 1 · QUARANTINED 1 · FAILED 0');
  });

  it('gives each source its line in the reader’s language', () => {
    expect(sourceOutcomes('oa-sim-json', ingests(['FILED', 'REVIEW', 'FILED'], 'oa-sim-json'))).toBe('oa-sim-json      3件：已归档 2 · 待鉴定 1');
  });
});
