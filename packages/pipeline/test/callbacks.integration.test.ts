import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, Catalog, claimPendingReceipts, createPool, listCallbackDeliveries, receiptsOf, redriveCallbackDeliveries, type CallbackDelivery } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import type { OaSource } from '@oa-archive/config';
import { CallbackReceiver, unusedPort, waitFor } from '@oa-archive/testing';
import { CALLBACK_CONTENT_TYPE, deliverCallbacks, type CallbackSettings } from '../src/index.ts';

/**
 * Callbacks to the OA against the real PostgreSQL and a real HTTP server playing the OA: signed
 * deliveries, an OA that is down and comes back, dead letters and their re-drive, several workers.
 */
const SECRET = 'oa-simulator-callback-key-0123456789';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
const receivers: CallbackReceiver[] = [];
const settings: CallbackSettings = { attempts: 5, backoff: { baseMs: 10, maxMs: 40 }, timeoutMs: 2_000, batchSize: 8, worker: 'test-worker' };
const sourcesFor = (url: string): Record<string, OaSource> => ({ 'oa-simulator': { allowedOrigins: ['http://127.0.0.1:8088'], callback: { url, secret: SECRET } } });

beforeAll(async () => {
  db = await createTestCatalog();
});
afterAll(async () => {
  await db?.drop();
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  // Each test starts with nothing waiting: earlier tests' deliveries are settled here.
  await db.catalog.pool.query(`UPDATE callback_deliveries SET state = 'delivered' WHERE state <> 'delivered'`);
});

async function receiver(port = 0): Promise<{ oa: CallbackReceiver; url: string }> {
  const oa = new CallbackReceiver(SECRET);
  receivers.push(oa);
  return { oa, url: await oa.listen(port) };
}

let n = 0;
async function filed(status: 'FILED' | 'EXCLUDED' | 'REVIEW' = 'FILED'): Promise<string> {
  const id = `ing_cb_${++n}`;
  await seedIngestAt(db.catalog, id, exampleEventFor(`CB-${n}`), { status });
  return id;
}

const deliveryOf = async (ingestId: string): Promise<CallbackDelivery> => (await listCallbackDeliveries(db.catalog.pool, { ingestId }))[0]!;

/** Delivery passes, as a worker's periodic task runs them, until the ingest's delivery is as `until` says. */
const passesUntil = (deps: Parameters<typeof deliverCallbacks>[0], ingestId: string, until: (d: CallbackDelivery) => boolean, what: string) =>
  waitFor(
    async () => {
      await deliverCallbacks(deps);
      return until(await deliveryOf(ingestId));
    },
    { what },
  );

describe('callbacks to the OA', () => {
  it('POSTs every receipt, signed so the OA can verify it, with a stable receipt id; one ingest\'s receipts in order', async () => {
    const { oa, url } = await receiver();
    const one = await filed('FILED');
    const two = await filed('REVIEW');
    await db.catalog.transition(two, { event: 'settle-exclude', actor: 'li.qiang', payload: { note: '不归档' } });

    const pass = await deliverCallbacks({ catalog: db.catalog, sources: sourcesFor(url), settings });
    expect(pass).toMatchObject({ planned: 3, retried: 0, dead: 0 });
    const sent = [...(await receiptsOf(db.catalog.pool, one)), ...(await receiptsOf(db.catalog.pool, two))];
    expect(oa.received).toHaveLength(3);
    for (const receipt of sent) {
      const got = oa.received.find((r) => r.receiptId === receipt.receiptId)!;
      expect(got, receipt.receiptId).toMatchObject({ signatureValid: true, attempt: 1, contentType: CALLBACK_CONTENT_TYPE, status: 200 });
      expect(got.body).toEqual(receipt.receipt);
      expect(got.body.id).toBe(receipt.receiptId);
    }
    expect(oa.received.filter((r) => r.body.data.ingestId === two).map((r) => r.body.data.outcome)).toEqual(['REVIEW', 'EXCLUDED']);
    expect((await listCallbackDeliveries(db.catalog.pool, { ingestId: one }))[0]).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200, url });

    // Planned once: another pass sends nothing again.
    expect(await deliverCallbacks({ catalog: db.catalog, sources: sourcesFor(url), settings })).toMatchObject({ planned: 0, delivered: [] });
    expect(oa.received).toHaveLength(3);
  });

  it('keeps trying while the OA is down (connection refused, then 500s) and delivers once it is back', async () => {
    const port = await unusedPort();
    const url = `http://127.0.0.1:${port}/archive/receipts`;
    const id = await filed();
    // Waits long enough that one pass makes one attempt.
    const deps = { catalog: db.catalog, sources: sourcesFor(url), settings: { ...settings, attempts: 10, backoff: { baseMs: 300, maxMs: 600 } } };

    await deliverCallbacks(deps);
    expect(await deliveryOf(id)).toMatchObject({ state: 'pending', attempts: 1, lastStatus: null, lastError: expect.stringMatching(/ECONNREFUSED/) });

    const { oa } = await receiver(port);
    oa.answer = () => 500;
    await passesUntil(deps, id, (d) => d.lastStatus === 500, 'an attempt answered 500');
    expect(await deliveryOf(id)).toMatchObject({ state: 'pending', lastError: 'HTTP 500: OA busy, try later' });

    oa.answer = () => 200;
    await passesUntil(deps, id, (d) => d.state === 'delivered', 'the delivery once the OA is back');
    const delivery = await deliveryOf(id);
    expect(delivery.attempts).toBeGreaterThanOrEqual(3);
    expect(oa.received.filter((r) => r.status === 500).length).toBe(delivery.attempts - 2);
    expect(oa.acknowledged()).toEqual(new Map([[delivery.receiptId, 1]]));
    expect(oa.received.every((r) => r.signatureValid)).toBe(true);
  });

  it('dead-letters after the last attempt, with the last error, audited; a re-drive (audited) delivers it', async () => {
    const { oa, url } = await receiver();
    oa.answer = () => 500;
    const id = await filed();
    const deps = { catalog: db.catalog, sources: sourcesFor(url), settings: { ...settings, attempts: 3 } };
    await passesUntil(deps, id, (d) => d.state === 'dead', 'the dead letter');
    const dead = await deliveryOf(id);
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, lastStatus: 500, lastError: 'HTTP 500: OA busy, try later' });
    expect(oa.received.map((r) => r.attempt)).toEqual([1, 2, 3]);
    // Dead stays dead: no more attempts.
    await deliverCallbacks(deps);
    expect(oa.received).toHaveLength(3);
    const audit = await auditEventsOf(db.catalog.pool, id);
    expect(audit.find((e) => e.type === 'callback.dead-lettered')).toMatchObject({ actor: 'worker:callbacks', payload: { receiptId: dead.receiptId, attempts: 3, lastError: 'HTTP 500: OA busy, try later' } });

    oa.answer = () => 204;
    const redriven = await redriveCallbackDeliveries(db.catalog.pool, { ids: [dead.id] }, 'person:li.qiang', 'OA fixed its endpoint');
    expect(redriven.map((d) => d.id)).toEqual([dead.id]);
    expect(await deliveryOf(id)).toMatchObject({ state: 'pending', attempts: 0, redrives: 1 });
    expect((await auditEventsOf(db.catalog.pool, id)).find((e) => e.type === 'callback.redriven')).toMatchObject({ actor: 'person:li.qiang', payload: { deliveryId: dead.id, reason: 'OA fixed its endpoint' } });
    await deliverCallbacks(deps);
    expect(await deliveryOf(id)).toMatchObject({ state: 'delivered', lastStatus: 204 });
    expect(oa.acknowledged()).toEqual(new Map([[dead.receiptId, 1]]));
    // Only dead letters are re-driven.
    expect(await redriveCallbackDeliveries(db.catalog.pool, { ids: [dead.id] }, 'person:li.qiang')).toEqual([]);
  });

  it('does not wait for Kafka: a receipt the Kafka relay holds (publishing into an outage) is called back all the same', async () => {
    const { oa, url } = await receiver();
    const id = await filed();
    const relay = await db.catalog.pool.connect();
    try {
      // What the relay does while Kafka hangs: the receipt claimed, the transaction open.
      await relay.query('BEGIN');
      expect((await claimPendingReceipts(relay, { limit: 10, ingestId: id })).map((r) => r.ingestId)).toEqual([id]);
      await deliverCallbacks({ catalog: db.catalog, sources: sourcesFor(url), settings });
      expect(await deliveryOf(id)).toMatchObject({ state: 'delivered' });
      expect(oa.received.map((r) => r.body.data.ingestId)).toEqual([id]);
    } finally {
      await relay.query('ROLLBACK');
      relay.release();
    }
    // Marked planned once the relay let go; planned once all the same.
    await deliverCallbacks({ catalog: db.catalog, sources: sourcesFor(url), settings });
    expect(oa.received).toHaveLength(1);
    expect((await db.catalog.pool.query('SELECT callbacks_planned_at FROM receipt_outbox WHERE ingest_id = $1', [id])).rows[0].callbacks_planned_at).not.toBeNull();
  });

  it('lets several workers deliver at once without delivering a receipt twice, and retries the ones the OA refused', async () => {
    const { oa, url } = await receiver();
    oa.delayMs = () => Math.floor(Math.random() * 15);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await filed(i % 5 === 0 ? 'REVIEW' : 'FILED'));
    // Six of them reach a second outcome: two receipts each, which must arrive in order.
    for (const id of ids.filter((_id, i) => i % 5 === 0)) await db.catalog.transition(id, { event: 'settle-exclude', actor: 'li.qiang' });
    const receipts = (await Promise.all(ids.map((id) => receiptsOf(db.catalog.pool, id)))).flat();
    expect(receipts).toHaveLength(36);

    // Four workers, each with its own connections, as four processes would have.
    const workers = Array.from({ length: 4 }, (_v, i) => ({ catalog: new Catalog(createPool(db.url, 4)), sources: sourcesFor(url), settings: { ...settings, batchSize: 3, attempts: 50, worker: `worker-${i}` } }));
    const allDelivered = async () => Number((await db.catalog.pool.query(`SELECT count(*) AS n FROM callback_deliveries WHERE state = 'delivered' AND receipt_id = ANY($1)`, [receipts.map((r) => r.receiptId)])).rows[0].n) === receipts.length;
    const run = (w: (typeof workers)[number]) => (async () => {
      while (!(await allDelivered())) await deliverCallbacks(w);
    })();
    try {
      // First an OA that accepts everything: exactly one request per receipt, whoever sent it.
      await Promise.all(workers.map(run));
      expect(oa.received).toHaveLength(receipts.length);
      expect([...oa.acknowledged().values()].every((count) => count === 1)).toBe(true);
      expect(new Set(oa.received.map((r) => r.receiptId))).toEqual(new Set(receipts.map((r) => r.receiptId)));

      // Then an OA that refuses a third of what it gets: retried until accepted, still accepted once each.
      oa.received.length = 0;
      const more: string[] = [];
      for (let i = 0; i < 20; i++) more.push(await filed());
      receipts.push(...(await Promise.all(more.map((id) => receiptsOf(db.catalog.pool, id)))).flat());
      oa.answer = () => (Math.random() < 0.33 ? 500 : 200);
      await Promise.all(workers.map(run));
      const acknowledged = oa.acknowledged();
      expect(acknowledged.size).toBe(20);
      expect([...acknowledged.values()].every((count) => count === 1)).toBe(true);
      expect(oa.received.every((r) => r.signatureValid)).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.catalog.close()));
    }
    // In order per ingest: a document's EXCLUDED receipt is acknowledged only after its REVIEW one.
    for (const id of ids.filter((_id, i) => i % 5 === 0)) {
      const [review, excluded] = await receiptsOf(db.catalog.pool, id);
      expect(await deliveryAt(review!.receiptId), id).toBeLessThan(await deliveryAt(excluded!.receiptId));
    }
  });
});

/** When the receipt's delivery was acknowledged. */
async function deliveryAt(receiptId: string): Promise<number> {
  const { rows } = await db.catalog.pool.query<{ delivered_at: Date }>('SELECT delivered_at FROM callback_deliveries WHERE receipt_id = $1', [receiptId]);
  return rows[0]!.delivered_at.getTime();
}
