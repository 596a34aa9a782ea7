import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestIdOf, ingestKeyOf } from '@oa-archive/contracts';
import { appendAuditEvent, appendAuditEvents, auditEventsOf, inTransaction, migrate, verifyAuditChain } from '../src/index.ts';
import { createTestCatalog, exampleEventFor } from '../src/testing.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;
beforeAll(async () => {
  db = await createTestCatalog();
});
afterAll(async () => {
  await db?.drop();
});

describe('catalog (PostgreSQL)', () => {
  it('migrates idempotently', async () => {
    expect(await migrate(db.catalog.pool)).toEqual({ applied: [] });
  });

  it('records an ingest once per key, with its components and a received audit event', async () => {
    const e = exampleEventFor('DOC-1');
    const id = ingestIdOf(ingestKeyOf(e));
    const first = await db.catalog.recordIngest(id, e);
    const second = await db.catalog.recordIngest(id, { ...e, id: 'another-event-id' });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.ingest.eventId).toBe(e.id);
    expect(await db.catalog.listComponents(id)).toHaveLength(2);
    expect((await auditEventsOf(db.catalog.pool, id)).map((a) => a.type)).toEqual(['ingest.received']);
  });

  it('records stage runs and failures with their audit events', async () => {
    const e = exampleEventFor('DOC-2');
    const id = ingestIdOf(ingestKeyOf(e));
    await db.catalog.recordIngest(id, e);
    const at = new Date();
    await db.catalog.completeStage(id, 'fetch', { attempt: 1, startedAt: at, finishedAt: at, detail: {} }, { next: 'characterize' });
    expect((await db.catalog.getIngest(id))?.currentStage).toBe('characterize');
    await db.catalog.markFailed(id, { stage: 'characterize', reason: 'boom', retryable: true, attempts: 3 });
    const failed = await db.catalog.getIngest(id);
    expect(failed).toMatchObject({ status: 'FAILED', failedStage: 'characterize', failureReason: 'boom', failureRetryable: true });
    expect((await auditEventsOf(db.catalog.pool, id)).map((a) => a.type)).toEqual(['ingest.received', 'stage.completed', 'ingest.failed']);
  });

  it('keeps one unforked chain under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        inTransaction(db.catalog.pool, (tx) => appendAuditEvent(tx, { ingestId: null, type: 'test.concurrent', actor: 'test', payload: { i } })),
      ),
    );
    const result = await verifyAuditChain(db.catalog.pool, 7);
    expect(result.ok).toBe(true);
    expect(result.events).toBeGreaterThanOrEqual(25);
  });

  it('keeps the chain unforked when appends of several events at once race single ones', async () => {
    // The pool has 5 connections: more transactions than that queue for one, as the worker's jobs do.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inTransaction(db.catalog.pool, async (tx) => {
          if (i % 2) await appendAuditEvent(tx, { ingestId: null, type: 'test.single', actor: 'test', payload: { i } });
          else await appendAuditEvents(tx, [1, 2, 3].map((k) => ({ ingestId: null, type: 'test.batch', actor: 'test', payload: { i, k } })));
        }),
      ),
    );
    const { rows } = await db.catalog.pool.query<{ payload: { i: number; k?: number } }>(`SELECT payload FROM audit_events WHERE type = 'test.batch' ORDER BY seq`);
    // A batch lands in order, one event after the other.
    for (let j = 0; j < rows.length; j += 3) expect(rows.slice(j, j + 3).map((r) => r.payload.k)).toEqual([1, 2, 3]);
    expect(rows).toHaveLength(30);
    expect((await verifyAuditChain(db.catalog.pool, 7)).ok).toBe(true);
  });

  it('refuses to update or delete audit events', async () => {
    await expect(db.catalog.pool.query(`UPDATE audit_events SET actor = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(db.catalog.pool.query(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });

  it('detects a tampered row even when the append-only trigger is bypassed', async () => {
    expect((await verifyAuditChain(db.catalog.pool)).ok).toBe(true);
    // What a database superuser could do behind the application's back.
    await inTransaction(db.catalog.pool, async (tx) => {
      await tx.query(`SET LOCAL session_replication_role = replica`);
      await tx.query(`UPDATE audit_events SET payload = payload || '{"stage":"deposit"}' WHERE seq = 3`);
    });
    const result = await verifyAuditChain(db.catalog.pool);
    expect(result).toMatchObject({ ok: false, events: 2, break: { seq: 3, reason: expect.stringMatching(/altered/) } });
  });
});
