import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentFinalizedEvent } from '@oa-archive/contracts';
import {
  auditEventsOf,
  classificationOf,
  documentVersionsOf,
  filedDuplicatesOf,
  inTransaction,
  itemNumbersOfClass,
  receiptsOf,
  recordCharacterization,
  recordClassification,
  supersedeWaitingVersion,
  voidedReferenceCodesOf,
} from '../src/index.ts';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '../src/testing.ts';

/** Versions of one document in the catalog: one 档号 per archival item, whatever its versions. */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
beforeAll(async () => {
  db = await createTestCatalog();
});
afterAll(async () => {
  await db?.drop();
});

const fileDecision = (retention: 'Y' | 'D30') => ({ outcome: 'FILE' as const, category: 'WS', retention, organisationCode: 'BGS', year: 2025, ruleIds: ['R'], scheduleVersion: 't', explanation: 'e' });
const numbering = (fonds: string, retention: 'Y' | 'D30') => ({
  itemClass: { fonds, category: 'WS', year: 2025, retention, org: 'BGS' },
  format: (item: number) => `${fonds}-WS·2025-${retention}-BGS-${String(item).padStart(4, '0')}`,
});
const versionOf = (documentId: string, version: number): DocumentFinalizedEvent => {
  const event = exampleEventFor(documentId);
  return { ...event, id: `${event.id}-v${version}`, data: { ...event.data, version } };
};

let n = 0;
/** Version `version` of document `documentId`, classified FILE in `retention` and taken to `status`. */
async function versionFiled(documentId: string, version: number, fonds: string, retention: 'Y' | 'D30' = 'Y', status: 'FILED' | 'IN_PROGRESS' = 'FILED') {
  const id = `ing_ver_${++n}`;
  await seedIngestAt(db.catalog, id, versionOf(documentId, version), { status: 'IN_PROGRESS', stage: 'classify' });
  const record = await recordClassification(db.catalog.pool, id, fileDecision(retention), numbering(fonds, retention));
  if (status === 'FILED') {
    const run = { attempt: 1, startedAt: new Date(), finishedAt: new Date(), detail: {} };
    await db.catalog.completeStage(id, 'classify', run, { next: 'deposit' });
    await db.catalog.completeStage(id, 'deposit', run, { outcome: { status: 'FILED', payload: {} } });
  }
  return { id, record };
}

describe('a later version of a filed document', () => {
  it('takes no new number when filed in the same class: it holds its item’s 档号, and the class stays 1..N', async () => {
    const v1 = await versionFiled('VER-1', 1, 'FA');
    const v2 = await versionFiled('VER-1', 2, 'FA');
    expect(v2.record).toMatchObject({ referenceCode: v1.record.referenceCode, itemNumber: 1, versionOf: v1.id });
    const v3 = await versionFiled('VER-1', 3, 'FA');
    expect(v3.record).toMatchObject({ referenceCode: v1.record.referenceCode, versionOf: v2.id });
    const other = await versionFiled('VER-OTHER', 1, 'FA');
    expect(other.record).toMatchObject({ itemNumber: 2, versionOf: null });
    expect(await itemNumbersOfClass(db.catalog.pool, v1.record)).toEqual({ held: [1, 2], voided: [] });
    expect((await documentVersionsOf(db.catalog.pool, v2.id)).map((v) => [v.version, v.status, v.classification?.referenceCode, v.classification?.versionOf])).toEqual([
      [1, 'FILED', v1.record.referenceCode, null],
      [2, 'FILED', v1.record.referenceCode, v1.id],
      [3, 'FILED', v1.record.referenceCode, v2.id],
    ]);
  });

  it('is a new item with its own number when filed in another class (a person said so)', async () => {
    const v1 = await versionFiled('VER-2', 1, 'FB', 'Y');
    const v2 = await versionFiled('VER-2', 2, 'FB', 'D30');
    expect(v2.record).toMatchObject({ referenceCode: 'FB-WS·2025-D30-BGS-0001', versionOf: null });
    expect(v2.record.referenceCode).not.toBe(v1.record.referenceCode);
  });

  it('gives the item’s number back to nobody when it stops being filed: the item keeps it, nothing is voided', async () => {
    const v1 = await versionFiled('VER-3', 1, 'FC');
    const v2 = await versionFiled('VER-3', 2, 'FC', 'Y', 'IN_PROGRESS');
    const after = await recordClassification(db.catalog.pool, v2.id, { ...fileDecision('Y'), outcome: 'EXCLUDE', category: null, retention: null, organisationCode: null, year: null });
    expect(after).toMatchObject({ referenceCode: null, versionOf: null });
    expect(await voidedReferenceCodesOf(db.catalog.pool, v2.id)).toEqual([]);
    expect(await classificationOf(db.catalog.pool, v1.id)).toMatchObject({ referenceCode: v1.record.referenceCode });
    expect((await auditEventsOf(db.catalog.pool, v2.id)).at(-1)).toMatchObject({ type: 'ingest.classified', payload: { releasedItemReferenceCode: v1.record.referenceCode } });
  });

  it('is refused by the database when a 档号 would belong to two documents, or to a version of another', async () => {
    const v1 = await versionFiled('VER-4', 1, 'FD');
    const stranger = await versionFiled('VER-5', 1, 'FD');
    await expect(db.catalog.pool.query('UPDATE classifications SET reference_code = $2 WHERE ingest_id = $1', [stranger.id, v1.record.referenceCode])).rejects.toThrow(/classifications_reference_code_key/);
    await expect(db.catalog.pool.query('UPDATE classifications SET version_of = $2 WHERE ingest_id = $1', [stranger.id, v1.id])).rejects.toThrow(/classifications_version_of_item_fkey/);
  });

  it('is no 重份 of its earlier version: unchanged files of the same document are not duplicates', async () => {
    const v1 = await versionFiled('VER-6', 1, 'FE');
    const v2 = await versionFiled('VER-6', 2, 'FE', 'Y', 'IN_PROGRESS');
    const copy = await versionFiled('VER-6-COPY', 1, 'FE', 'Y', 'IN_PROGRESS');
    const same = { ordinal: 1, formatName: 'PDF', mediaType: 'application/pdf', puid: null, format: {}, size: 3, sha256: 'a'.repeat(64), sm3: 'b'.repeat(64), technical: {}, findings: [] };
    for (const id of [v1.id, v2.id, copy.id]) await recordCharacterization(db.catalog.pool, id, same);
    expect(await filedDuplicatesOf(db.catalog.pool, v2.id)).toEqual(new Map());
    expect(await filedDuplicatesOf(db.catalog.pool, copy.id)).toEqual(new Map([[1, v1.id]]));
  });
});

describe('a version waiting for review when a later one arrives', () => {
  it('is settled as superseded: EXCLUDED with why, audited, with its receipt; its own 档号 voided', async () => {
    const waiting = `ing_ver_${++n}`;
    await seedIngestAt(db.catalog, waiting, versionOf('VER-7', 1), { status: 'IN_PROGRESS', stage: 'classify' });
    const held = await recordClassification(db.catalog.pool, waiting, fileDecision('Y'), numbering('FF', 'Y'));
    const run = { attempt: 1, startedAt: new Date(), finishedAt: new Date(), detail: {} };
    await db.catalog.completeStage(waiting, 'classify', run, { next: 'validate' });
    await db.catalog.completeStage(waiting, 'validate', run, { outcome: { status: 'REVIEW', payload: {} } });
    const decision = { outcome: 'EXCLUDE' as const, category: null, retention: null, organisationCode: null, year: null, ruleIds: ['builtin:version:superseded'], scheduleVersion: 't', explanation: '不归档：待鉴定期间收到本文件的第2版，本版被其取代' };

    const result = await inTransaction(db.catalog.pool, (tx) => supersedeWaitingVersion(tx, waiting, { ingestId: 'ing_v2', version: 2 }, decision, 'worker:classify'));
    expect(result).toMatchObject({ from: 'REVIEW', to: 'EXCLUDED', receipt: { seq: 2 } });
    expect((await receiptsOf(db.catalog.pool, waiting)).map((r) => [r.outcome, r.receipt.data.reason])).toEqual([
      ['REVIEW', 'e'],
      ['EXCLUDED', decision.explanation],
    ]);
    expect((await auditEventsOf(db.catalog.pool, waiting)).find((e) => e.type === 'ingest.superseded')).toMatchObject({ actor: 'worker:classify', payload: { supersededBy: 'ing_v2', version: 2, from: 'REVIEW', to: 'EXCLUDED' } });
    expect(await voidedReferenceCodesOf(db.catalog.pool, waiting)).toEqual([expect.objectContaining({ referenceCode: held.referenceCode, reason: 'superseded by version 2 (ingest ing_v2) while waiting for review' })]);
    // Already settled: a second supersession changes nothing.
    expect(await inTransaction(db.catalog.pool, (tx) => supersedeWaitingVersion(tx, waiting, { ingestId: 'ing_v3', version: 3 }, decision, 'worker:classify'))).toBeUndefined();
  });
});
