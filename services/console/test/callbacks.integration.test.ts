import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auditEventsOf, createApiToken, listCallbackDeliveries } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { deliverCallbacks, StageQueues, type CallbackDeps } from '@oa-archive/pipeline';
import { CallbackReceiver, testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { buildConsole, loadConsoleConfig, type ConsoleDeps } from '../src/index.ts';
import { scheduleDeps } from './harness.ts';

/**
 * Callback dead letters in the console: listed with their last error, re-driven by an operator (one)
 * or an admin (all), each re-drive audited, and delivered once the OA answers again. The OA is a real
 * HTTP server; the deliveries are made by the pipeline's deliverer, as a worker makes them.
 */
const SECRET = 'console-test-callback-key-0123456789';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
let oa: CallbackReceiver;
let delivery: CallbackDeps;
const ids: string[] = [];
const tokens: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };
const as = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });

beforeAll(async () => {
  db = await createTestCatalog();
  const config = loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('console-cb') });
  redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  deps = { config, catalog: db.catalog, queues: new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: 2, backoffMs: 10 } }), redis, kafka: testKafka(), ...(await scheduleDeps()), logger: testLogger() };
  app = await buildConsole(deps);
  for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = (await createApiToken(db.catalog.pool, `${role}-1`, role)).token;

  oa = new CallbackReceiver(SECRET);
  const url = await oa.listen();
  delivery = {
    catalog: db.catalog,
    sources: { 'oa-simulator': { allowedOrigins: ['http://127.0.0.1:8088'], callback: { url, secret: SECRET } } },
    settings: { attempts: 2, backoff: { baseMs: 10, maxMs: 20 }, timeoutMs: 2_000, batchSize: 10, worker: 'console-test' },
  };
  // Three filed documents whose receipts the OA refuses until they are dead letters.
  oa.answer = () => 503;
  for (const n of [1, 2, 3]) {
    ids.push(`ing_cbc_${n}`);
    await seedIngestAt(db.catalog, `ing_cbc_${n}`, exampleEventFor(`CBC-${n}`), { status: 'FILED' });
  }
  await waitFor(async () => {
    await deliverCallbacks(delivery);
    return (await listCallbackDeliveries(db.catalog.pool, { state: 'dead' })).length === 3;
  }, { what: 'three dead letters' });
});

afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await oa?.close();
  await db?.drop();
});

describe('callback dead letters in the console', () => {
  it('lists them per source and one by one, with the last error, to any viewer', async () => {
    const res = await app.inject({ url: '/api/callbacks', headers: as('viewer') });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.summary).toEqual([expect.objectContaining({ source: 'oa-simulator', pending: 0, delivered: 0, dead: 3 })]);
    expect(body.deliveries).toHaveLength(3);
    expect(body.deliveries[0]).toMatchObject({ state: 'dead', attempts: 2, lastStatus: 503, lastError: 'HTTP 503: OA busy, try later', outcome: 'FILED', source: 'oa-simulator' });
    expect((await app.inject({ url: '/api/callbacks?state=delivered', headers: as('viewer') })).json().deliveries).toEqual([]);
    expect((await app.inject({ url: '/api/callbacks?state=lost', headers: as('viewer') })).statusCode).toBe(400);

    const page = await app.inject({ url: '/callbacks', headers: { ...as('operator'), accept: 'text/html' } });
    expect(page.body).toContain('HTTP 503: OA busy, try later');
    expect(page.body.match(/class="redrive"/g)).toHaveLength(3);
    expect((await app.inject({ url: '/callbacks', headers: { ...as('viewer'), accept: 'text/html' } })).body).not.toContain('class="redrive"');
  });

  it('lets an operator re-drive one (audited under their name); it is delivered once the OA answers', async () => {
    const [dead] = await listCallbackDeliveries(db.catalog.pool, { state: 'dead', ingestId: ids[0] });
    expect((await app.inject({ method: 'POST', url: `/api/callbacks/${dead!.id}/redrive`, headers: as('viewer'), payload: {} })).statusCode).toBe(403);
    const res = await app.inject({ method: 'POST', url: `/api/callbacks/${dead!.id}/redrive`, headers: as('operator'), payload: { reason: 'the OA restarted its receiver' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().redriven).toEqual([expect.objectContaining({ id: dead!.id, state: 'pending', attempts: 0, redrives: 1 })]);
    expect((await auditEventsOf(db.catalog.pool, ids[0]!)).filter((e) => e.type === 'callback.redriven')).toEqual([
      expect.objectContaining({ actor: 'person:operator-1', payload: expect.objectContaining({ deliveryId: dead!.id, receiptId: dead!.receiptId, reason: 'the OA restarted its receiver' }) }),
    ]);
    // Not dead any more: a second re-drive is refused, an unknown one is not found.
    expect((await app.inject({ method: 'POST', url: `/api/callbacks/${dead!.id}/redrive`, headers: as('operator'), payload: {} })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/api/callbacks/999999/redrive', headers: as('operator'), payload: {} })).statusCode).toBe(404);

    oa.answer = () => 200;
    await deliverCallbacks(delivery);
    expect((await listCallbackDeliveries(db.catalog.pool, { ingestId: ids[0] }))[0]).toMatchObject({ state: 'delivered', lastStatus: 200 });
    expect(oa.acknowledged()).toEqual(new Map([[dead!.receiptId, 1]]));
  });

  it('lets only an admin re-drive them all; the ingest page shows each callback', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/callbacks/redrive', headers: as('operator'), payload: {} })).statusCode).toBe(403);
    const res = await app.inject({ method: 'POST', url: '/api/callbacks/redrive', headers: as('admin'), payload: { source: 'oa-simulator' } });
    expect(res.json().redriven.map((d: { ingestId: string }) => d.ingestId).sort()).toEqual([ids[1], ids[2]]);
    await deliverCallbacks(delivery);
    expect((await app.inject({ url: '/api/callbacks?state=delivered', headers: as('viewer') })).json().deliveries).toHaveLength(3);
    expect([...oa.acknowledged().values()]).toEqual([1, 1, 1]);

    const detail = (await app.inject({ url: `/api/ingests/${ids[1]}`, headers: as('viewer') })).json();
    expect(detail.callbacks).toEqual([expect.objectContaining({ state: 'delivered', redrives: 1 })]);
    const page = await app.inject({ url: `/ingests/${ids[1]}`, headers: { ...as('viewer'), accept: 'text/html', 'accept-language': 'en' } });
    expect(page.body).toContain('<table id="callbacks">');
  });
});
