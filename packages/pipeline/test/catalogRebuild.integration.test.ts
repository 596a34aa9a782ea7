import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorBody, anchorKeyOf, appendAuditEvent, auditHeadOf, inTransaction, verifyAuditChain, type Catalog } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { ObjectStore } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { anchorAuditChain, CatalogNotEmptyError, rebuildCatalog, verifyAuditAnchors, type RebuildProgress } from '../src/index.ts';

/**
 * The audit-trail side of a catalog rebuild against the real PostgreSQL and S3 server: the trail comes
 * back from the anchors' segments up to the last anchor, what was never anchored is said to be lost,
 * and anchors that carry no events are reported, not papered over. (Bags: test/e2e/rebuildCatalog.)
 */
let store: ObjectStore;
let buckets: string[] = [];
const catalogs: Awaited<ReturnType<typeof createTestCatalog>>[] = [];

async function freshCatalog() {
  const db = await createTestCatalog();
  catalogs.push(db);
  return db.catalog;
}

async function receive(catalog: Catalog, ids: string[]) {
  for (const id of ids) {
    await inTransaction(catalog.pool, (tx) =>
      appendAuditEvent(tx, { ingestId: id, type: 'ingest.received', actor: 'intake', payload: { source: 'oa-x', documentId: `doc-${id}`, version: 1, eventId: `ev-${id}`, components: 1 } }),
    );
  }
}

const source = (catalog: Catalog, bucket: string, quarantine: string) => ({ catalog, store, archiveBucket: bucket, quarantineBucket: quarantine, fonds: 'A182', actor: 'test' });

beforeAll(async () => {
  const created = await createTestBuckets('rebuild-a', 'rebuild-b', 'rebuild-q');
  store = new ObjectStore(created.s3);
  buckets = created.buckets;
});

afterAll(async () => {
  for (const db of catalogs) await db.drop();
  store?.s3.destroy();
});

describe('rebuilding the catalog: the audit trail', () => {
  it('replays the trail up to the last anchor, names what it cannot restore, and verifies against the anchors', async () => {
    const [bucket, , quarantine] = buckets as [string, string, string];
    const old = await freshCatalog();
    await receive(old, ['i1', 'i2', 'i3']);
    await anchorAuditChain({ catalog: old, store, bucket });
    await receive(old, ['i4']);
    await anchorAuditChain({ catalog: old, store, bucket });
    const anchoredHead = (await auditHeadOf(old.pool))!;
    // Never anchored: lost with the database.
    await receive(old, ['i5']);

    const rebuilt = await freshCatalog();
    const progress: RebuildProgress[] = [];
    const summary = await rebuildCatalog({ ...source(rebuilt, bucket, quarantine), progress: (step) => progress.push(step) });
    expect(summary).toMatchObject({ anchors: 2, auditEvents: 4, trailEndsAt: 4, filed: 0, quarantined: 0 });
    expect(summary.trailProblem).toBeUndefined();
    expect(progress).toEqual([
      { step: 'trail', replayedTo: 3, anchor: 3 },
      { step: 'trail', replayedTo: 4, anchor: 4 },
      { step: 'counters', classes: 0 },
      { step: 'custody', holds: 0, decisions: 0, scheduleVersions: 0 },
    ]);
    expect(summary).toMatchObject({ holds: 0, dispositionDecisions: 0, scheduleVersions: 0, scheduleVersionsWithoutText: [], destroyed: [] });
    // Received but left nothing in the store: each named, with what the trail says of it.
    expect(summary.notRestored.map((n) => n.ingestId)).toEqual(['i1', 'i2', 'i3', 'i4']);
    expect(summary.notRestored[0]).toEqual({ ingestId: 'i1', source: 'oa-x', documentId: 'doc-i1', version: 1, lastStatus: 'RECEIVED' });

    const { rows } = await rebuilt.pool.query('SELECT seq, hash FROM audit_events ORDER BY seq');
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(rows[3].hash).toBe(anchoredHead.hash);
    expect(await verifyAuditChain(rebuilt.pool)).toMatchObject({ ok: true, events: 5 });
    expect(await verifyAuditAnchors({ catalog: rebuilt, store, bucket })).toMatchObject({ ok: true });

    // The rebuilt catalog anchors on from the last anchor: its next anchor carries event 5 only.
    const next = await anchorAuditChain({ catalog: rebuilt, store, bucket });
    expect(next).toMatchObject({ outcome: 'written', anchor: { seq: 5 } });
  });

  it('refuses a catalog that holds anything, and resumes an unfinished rebuild without replaying twice', async () => {
    const [bucket, , quarantine] = buckets as [string, string, string];
    const used = await freshCatalog();
    await receive(used, ['x1']);
    await expect(rebuildCatalog(source(used, bucket, quarantine))).rejects.toBeInstanceOf(CatalogNotEmptyError);

    const rebuilt = await freshCatalog();
    const first = await rebuildCatalog(source(rebuilt, bucket, quarantine));
    await expect(rebuildCatalog(source(rebuilt, bucket, quarantine))).rejects.toThrow(/the catalog is not empty/);
    // As if it had stopped before its end: the second run replays nothing already there.
    await rebuilt.pool.query('UPDATE catalog_rebuilds SET finished_at = NULL');
    await rebuildCatalog(source(rebuilt, bucket, quarantine));
    const { rows } = await rebuilt.pool.query<{ type: string }>('SELECT type FROM audit_events ORDER BY seq');
    expect(rows.length).toBe(first.auditEvents + 2);
    expect(rows.slice(-2).map((r) => r.type)).toEqual(['catalog.rebuilt', 'catalog.rebuilt']);
    expect(await verifyAuditChain(rebuilt.pool)).toMatchObject({ ok: true });
  });

  it('says the trail is incomplete where anchors carry no events, and audit verify fails on them', async () => {
    const [, bucket, quarantine] = buckets as [string, string, string];
    const old = await freshCatalog();
    await receive(old, ['a1', 'a2', 'a3']);
    // An anchor as written before anchors carried their events: the head alone.
    const head = (await auditHeadOf(old.pool))!;
    const body = anchorBody(head);
    await store.depositOnce({ bucket, key: anchorKeyOf(head.seq), size: body.length, sha256: createHash('sha256').update(body).digest('hex'), open: async () => Readable.from([body]) });
    await old.pool.query('INSERT INTO audit_anchors (seq, hash, at) VALUES ($1, $2, $3)', [head.seq, head.hash, head.at]);
    await receive(old, ['a4']);
    await anchorAuditChain({ catalog: old, store, bucket });

    const rebuilt = await freshCatalog();
    const summary = await rebuildCatalog(source(rebuilt, bucket, quarantine));
    expect(summary.trailProblem).toBe('events 1..3 are in no anchor\'s segment (anchors written before anchors carried the chain), so the trail is restored up to event 0 only');
    expect(summary.auditEvents).toBe(0);
    const report = await verifyAuditAnchors({ catalog: rebuilt, store, bucket });
    expect(report.ok).toBe(false);
  });
});
