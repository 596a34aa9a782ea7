import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorKeyOf, appendAuditEvent, auditHash, GENESIS_HASH, inTransaction, verifyAuditChain, type Catalog } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { ObjectStore, WriteOnceViolationError } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { testLogger, waitFor } from '@oa-archive/testing';
import { anchorAuditChain, readAuditAnchors, startAuditAnchoring, verifyAuditAnchors } from '../src/index.ts';

/**
 * Audit anchors against the real PostgreSQL and S3 server: written write-once, one per round however
 * many replicas try, and a rewrite of the audit table that recomputes every later hash, which the
 * chain check alone passes, is caught by the anchors.
 */
let store: ObjectStore;
/** One bucket per test: each holds the anchors of its own chain. */
let buckets: string[] = [];
const catalogs: Awaited<ReturnType<typeof createTestCatalog>>[] = [];

async function freshCatalog(events: number) {
  const db = await createTestCatalog();
  catalogs.push(db);
  await append(db.catalog, events);
  return db.catalog;
}

async function append(catalog: Catalog, n: number) {
  for (let i = 0; i < n; i++) {
    await inTransaction(catalog.pool, (tx) => appendAuditEvent(tx, { ingestId: null, type: 'test.event', actor: 'test', payload: { n: i, 题名: '关于做好档案移交工作的通知' } }));
  }
}

/**
 * What someone with the database's superuser can do: switch the append-only triggers off, change an
 * old event, and recompute every hash after it so that the chain checks out again.
 */
async function rewriteHistory(catalog: Catalog, seq: number, payload: Record<string, unknown>) {
  await inTransaction(catalog.pool, async (tx) => {
    await tx.query("SET LOCAL session_replication_role = 'replica'");
    await tx.query('UPDATE audit_events SET payload = $2 WHERE seq = $1', [seq, payload]);
    const { rows } = await tx.query('SELECT seq, at, ingest_id, type, actor, payload FROM audit_events ORDER BY seq');
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const hash = auditHash(prev, { seq: Number(row.seq), at: row.at.toISOString(), ingestId: row.ingest_id, type: row.type, actor: row.actor, payload: row.payload });
      await tx.query('UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE seq = $1', [row.seq, prev, hash]);
      prev = hash;
    }
  });
}

beforeAll(async () => {
  const created = await createTestBuckets('anchors-a', 'anchors-b', 'anchors-c', 'anchors-d', 'anchors-e', 'anchors-f');
  store = new ObjectStore(created.s3);
  buckets = created.buckets;
});

afterAll(async () => {
  for (const db of catalogs) await db.drop();
  store?.s3.destroy();
});

describe('audit anchors', () => {
  it('writes the head once, under audit-anchors/ in the bucket, and finds it there the second time', async () => {
    const catalog = await freshCatalog(0);
    const bucket = buckets[0]!;
    expect(await anchorAuditChain({ catalog, store, bucket })).toEqual({ outcome: 'empty' });
    await append(catalog, 5);
    const first = await anchorAuditChain({ catalog, store, bucket });
    expect(first).toMatchObject({ outcome: 'written', key: 'audit-anchors/00000000000000000005.json', anchor: { seq: 5 } });
    const head = await verifyAuditChain(catalog.pool);
    expect(head.ok && first.outcome === 'written' && first.anchor.hash === head.head).toBe(true);
    const stored = JSON.parse(await text(await store.getStream(bucket, anchorKeyOf(5))));
    expect(stored).toMatchObject({ kind: 'oa-archive.audit-anchor', seq: 5, hash: head.ok ? head.head : '' });
    expect(await anchorAuditChain({ catalog, store, bucket })).toMatchObject({ outcome: 'already-present', anchor: { seq: 5 } });
  });

  it('lets one of several replicas anchor a round, and every one of them may try', async () => {
    const catalog = await freshCatalog(3);
    const target = buckets[1]!;
    const outcomes = (await Promise.all(Array.from({ length: 6 }, () => anchorAuditChain({ catalog, store, bucket: target })))).map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(1);
    expect(outcomes.every((o) => ['written', 'busy', 'already-present'].includes(o))).toBe(true);
    expect((await readAuditAnchors(store, target)).map((a) => a.seq)).toEqual([3]);
  });

  it("detects a rewrite of an old event whose later hashes were all recomputed: the chain check passes, the anchors do not", async () => {
    const catalog = await freshCatalog(4);
    const target = buckets[2]!;
    await anchorAuditChain({ catalog, store, bucket: target });
    await append(catalog, 4);
    await anchorAuditChain({ catalog, store, bucket: target });
    await append(catalog, 2);
    expect(await verifyAuditAnchors({ catalog, store, bucket: target })).toEqual({ ok: true, lines: [expect.stringMatching(/^audit anchors matching the recomputed chain: 2 of 2 \(latest at event 8, /)] });

    await rewriteHistory(catalog, 2, { n: 1, 题名: '改过的题名' });
    const chain = await verifyAuditChain(catalog.pool);
    expect(chain).toMatchObject({ ok: true, events: 10 });

    const report = await verifyAuditAnchors({ catalog, store, bucket: target });
    expect(report.ok).toBe(false);
    expect(report.lines).toEqual([
      expect.stringMatching(/^AUDIT CHAIN DOES NOT MATCH ITS ANCHOR at event 4: anchor 4 \(.+\) holds hash [0-9a-f]{64}, the recomputed chain gives [0-9a-f]{64}: events up to 4 were changed/),
      expect.stringMatching(/^AUDIT CHAIN DOES NOT MATCH ITS ANCHOR at event 8: /),
      expect.stringMatching(/^audit anchors matching the recomputed chain: 0 of 2/),
    ]);
    // Anchoring the rewritten chain cannot replace the anchor at the same event: write-once refuses it.
    await inTransaction(catalog.pool, async (tx) => {
      await tx.query("SET LOCAL session_replication_role = 'replica'");
      await tx.query('DELETE FROM audit_events WHERE seq > 8');
    });
    await expect(anchorAuditChain({ catalog, store, bucket: target })).rejects.toBeInstanceOf(WriteOnceViolationError);
  });

  it('keeps anchoring on a timer in every replica, each new head once', async () => {
    const catalog = await freshCatalog(2);
    const target = buckets[4]!;
    const replicas = [1, 2, 3].map(() => startAuditAnchoring({ catalog, store, bucket: target, intervalMs: 25, logger: testLogger() }));
    try {
      await waitFor(async () => (await readAuditAnchors(store, target)).length === 1, { what: 'the first anchor' });
      // One transaction, so no round can see a head between 2 and 5.
      await inTransaction(catalog.pool, async (tx) => {
        for (const n of [1, 2, 3]) await appendAuditEvent(tx, { ingestId: null, type: 'test.event', actor: 'test', payload: { n } });
      });
      await waitFor(async () => (await readAuditAnchors(store, target)).at(-1)?.seq === 5, { what: 'the anchor of the new head' });
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
    expect((await readAuditAnchors(store, target)).map((a) => a.seq)).toEqual([2, 5]);
    expect((await verifyAuditAnchors({ catalog, store, bucket: target })).ok).toBe(true);
  });

  it('anchors when one is due by the catalog, however often the worker restarts, and not before', async () => {
    const catalog = await freshCatalog(2);
    const target = buckets[5]!;
    const anchored = async () => (await readAuditAnchors(store, target)).map((a) => a.seq);
    // A worker started, and stopped again long before its 60 s interval: never anchored, so due at once.
    let worker = startAuditAnchoring({ catalog, store, bucket: target, intervalMs: 60_000, logger: testLogger() });
    await waitFor(async () => (await anchored()).length === 1, { what: 'the first anchor, written on start' });
    await worker.stop();
    // Restarted with new events, within the interval of the last anchor: nothing is due yet.
    await append(catalog, 3);
    worker = startAuditAnchoring({ catalog, store, bucket: target, intervalMs: 60_000, logger: testLogger() });
    await new Promise((r) => setTimeout(r, 500));
    await worker.stop();
    expect(await anchored()).toEqual([2]);
    // An interval after the last anchor (whoever wrote it), the next start anchors the new head.
    await catalog.pool.query("UPDATE audit_anchors SET recorded_at = now() - interval '61 seconds'");
    worker = startAuditAnchoring({ catalog, store, bucket: target, intervalMs: 60_000, logger: testLogger() });
    try {
      await waitFor(async () => (await anchored()).at(-1) === 5, { what: 'the anchor of the new head' });
    } finally {
      await worker.stop();
    }
    expect(await anchored()).toEqual([2, 5]);
  });

  it('detects events removed from the end of the chain after they were anchored', async () => {
    const catalog = await freshCatalog(6);
    const target = buckets[3]!;
    await anchorAuditChain({ catalog, store, bucket: target });
    await inTransaction(catalog.pool, async (tx) => {
      await tx.query("SET LOCAL session_replication_role = 'replica'");
      await tx.query('DELETE FROM audit_events WHERE seq > 4');
    });
    expect((await verifyAuditChain(catalog.pool)).ok).toBe(true);
    const report = await verifyAuditAnchors({ catalog, store, bucket: target });
    expect(report.ok).toBe(false);
    expect(report.lines[0]).toBe("AUDIT CHAIN DOES NOT MATCH ITS ANCHOR at event 6: anchor 6 was written, but the chain's unbroken run of events ends at 4: events were removed");
  });
});
