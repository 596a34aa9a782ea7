import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiToken } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { exampleDocumentFinalizedEvent, parseDocumentFinalized } from '@oa-archive/contracts';
import { jobIdOf, queueNameOf, StageQueues } from '@oa-archive/pipeline';
import { testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { buildConsole, loadConsoleConfig, type ConsoleDeps } from '../src/index.ts';
import { scheduleDeps } from './harness.ts';

/**
 * The console's defences, against a real PostgreSQL and Redis: bull-board writes only for admins and
 * audited, the login redirect, formula-safe CSV, and Secure cookies behind a TLS-terminating proxy.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let redis: Redis;
let deps: ConsoleDeps;
let app: FastifyInstance;
const extraApps: FastifyInstance[] = [];
const tokens: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };
const as = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });

const ING_FAILED = 'ing_' + 'a'.repeat(32);
const ING_WAITING = 'ing_' + 'b'.repeat(32);
const ING_DELAYED = 'ing_' + 'c'.repeat(32);
const Q = queueNameOf('fetch');
const failedJob = jobIdOf(ING_FAILED, 'fetch');
const waitingJob = jobIdOf(ING_WAITING, 'fetch');
const delayedJob = jobIdOf(ING_DELAYED, 'fetch');

async function seedIngest(documentId: string, departmentCode: string) {
  const event = { ...exampleDocumentFinalizedEvent, id: `ev-${documentId}`, data: { ...exampleDocumentFinalizedEvent.data, documentId, departmentCode } };
  const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify(event)), headers: {} });
  if (!parsed.ok) throw new Error(parsed.reason);
  await db.catalog.recordIngest(`ing_${documentId}`, parsed.event);
}

/** Every key of this test's queues and its serialised value: "nothing changed" means this is equal. */
async function redisState(): Promise<Record<string, string>> {
  const keys = (await redis.keys(`${deps.config.QUEUE_PREFIX}:*`)).sort();
  const state: Record<string, string> = {};
  for (const key of keys) state[key] = (await redis.dumpBuffer(key))?.toString('base64') ?? '';
  return state;
}

async function consoleWith(env: Record<string, string>): Promise<FastifyInstance> {
  const built = await buildConsole({ ...deps, config: loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: deps.config.QUEUE_PREFIX, ...env }) });
  extraApps.push(built);
  return built;
}

const login = (target: FastifyInstance, payload: string, headers: Record<string, string> = {}, remoteAddress?: string) =>
  target.inject({ method: 'POST', url: '/login', payload, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, ...(remoteAddress ? { remoteAddress } : {}) });

beforeAll(async () => {
  db = await createTestCatalog();
  const config = loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('console-sec') });
  redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  deps = {
    config,
    catalog: db.catalog,
    queues: new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: 1, backoffMs: 10 } }),
    redis,
    kafka: testKafka(),
    ...(await scheduleDeps()),
    logger: testLogger(),
  };
  app = await buildConsole(deps);
  for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = (await createApiToken(db.catalog.pool, `${role}-sec`, role)).token;

  // One failed, one waiting and one delayed fetch job, made by BullMQ itself.
  const worker = new Worker(Q, async () => { throw new Error('OA answered HTTP 503'); }, { connection: redis.duplicate(), prefix: config.QUEUE_PREFIX });
  await deps.queues.enqueue('fetch', { ingestId: ING_FAILED } as never);
  await waitFor(async () => (await deps.queues.queue('fetch').getJobState(failedJob)) === 'failed', { what: 'the job to fail' });
  await worker.close();
  await deps.queues.enqueue('fetch', { ingestId: ING_WAITING } as never);
  await deps.queues.queue('fetch').add('fetch', { ingestId: ING_DELAYED } as never, { jobId: delayedJob, delay: 3_600_000 });
});

afterAll(async () => {
  for (const extra of extraApps) await extra.close();
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

describe('bull-board: read-only for viewers and operators, writes only for admins, audited', () => {
  const writes: [string, string, object?][] = [
    ['PUT', `/api/queues/${Q}/empty`],
    ['PUT', `/api/queues/${Q}/obliterate`],
    ['PUT', `/api/queues/${Q}/clean/failed`],
    ['PUT', `/api/queues/${Q}/retry/failed`],
    ['PUT', `/api/queues/${Q}/promote`],
    ['PUT', `/api/queues/${Q}/pause`],
    ['PUT', '/api/queues/pause'],
    ['POST', `/api/queues/${Q}/add`, { name: 'fetch', data: { ingestId: 'ing_forged' } }],
    ['PUT', `/api/queues/${Q}/${failedJob}/retry`],
    ['PUT', `/api/queues/${Q}/${delayedJob}/promote`],
    ['PUT', `/api/queues/${Q}/${waitingJob}/clean`],
    ['PATCH', `/api/queues/${Q}/${waitingJob}/update-data`, { jobData: { ingestId: 'ing_forged' } }],
  ];

  it('shows every role with a token a board whose queues are all read-only', async () => {
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      expect((await app.inject({ url: '/queues', headers: as(role) })).statusCode, role).toBe(200);
      const queues = (await app.inject({ url: '/queues/api/queues', headers: as(role) })).json().queues as { name: string; readOnlyMode: boolean; allowRetries: boolean }[];
      expect(queues.map((q) => q.name).sort()).toEqual(['characterize', 'classify', 'convert', 'deposit', 'fetch', 'notify', 'package', 'validate'].map((s) => `stage-${s}`));
      expect(queues.every((q) => q.readOnlyMode && !q.allowRetries), role).toBe(true);
    }
    expect((await app.inject({ url: '/queues/api/queues' })).statusCode).toBe(401);
  });

  it.each(writes)('refuses %s %s to viewers and operators on both boards (403), changing nothing in Redis', async (method, path, payload) => {
    const before = await redisState();
    expect(Object.keys(before).length).toBeGreaterThan(0);
    for (const board of ['/queues', '/queues-admin']) {
      for (const role of ['viewer', 'operator'] as const) {
        const response = await app.inject({ method: method as 'PUT', url: `${board}${path}`, headers: as(role), ...(payload ? { payload } : {}) });
        expect(response.statusCode, `${role} ${board}`).toBe(403);
      }
    }
    expect(await redisState()).toEqual(before);
  });

  it('has no DELETE route on either board, for anyone', async () => {
    const before = await redisState();
    for (const board of ['/queues', '/queues-admin']) {
      expect((await app.inject({ method: 'DELETE', url: `${board}/api/queues/${Q}/${waitingJob}`, headers: as('admin') })).statusCode).toBe(404);
    }
    expect(await redisState()).toEqual(before);
  });

  it('keeps the read-only board read-only for an admin too', async () => {
    const before = await redisState();
    const response = await app.inject({ method: 'PUT', url: `/queues/api/queues/${Q}/empty`, headers: as('admin') });
    expect(response.statusCode).toBe(405);
    expect(await redisState()).toEqual(before);
  });

  it('opens the admin board to admins only', async () => {
    expect((await app.inject({ url: '/queues-admin', headers: as('viewer') })).statusCode).toBe(403);
    expect((await app.inject({ url: '/queues-admin/api/queues', headers: as('operator') })).statusCode).toBe(403);
    const queues = (await app.inject({ url: '/queues-admin/api/queues', headers: as('admin') })).json().queues as { readOnlyMode: boolean }[];
    expect(queues.every((q) => !q.readOnlyMode)).toBe(true);
  });

  it("lets an admin act on the admin board, each action an audit event naming who, what, which queue and job", async () => {
    const retried = await app.inject({ method: 'PUT', url: `/queues-admin/api/queues/${Q}/${failedJob}/retry`, headers: as('admin') });
    expect(retried.statusCode).toBeLessThan(300);
    expect(await deps.queues.queue('fetch').getJobState(failedJob)).toBe('waiting');
    const updated = await app.inject({ method: 'PATCH', url: `/queues-admin/api/queues/${Q}/${waitingJob}/update-data`, headers: as('admin'), payload: { jobData: { ingestId: ING_WAITING, note: 'fixed by hand' } } });
    expect(updated.statusCode).toBeLessThan(300);
    expect((await deps.queues.queue('fetch').getJob(waitingJob))?.data).toEqual({ ingestId: ING_WAITING, note: 'fixed by hand' });

    const { rows } = await db.catalog.pool.query(`SELECT ingest_id, actor, payload FROM audit_events WHERE type = 'console.queue-action' ORDER BY seq`);
    expect(rows).toEqual([
      { ingest_id: ING_FAILED, actor: 'person:admin-sec', payload: { board: '/queues-admin', method: 'PUT', action: '/api/queues/:queueName/:jobId/retry', queue: Q, jobId: failedJob, body: null } },
      {
        ingest_id: ING_WAITING,
        actor: 'person:admin-sec',
        payload: { board: '/queues-admin', method: 'PATCH', action: '/api/queues/:queueName/:jobId/update-data', queue: Q, jobId: waitingJob, body: { jobData: { ingestId: ING_WAITING, note: 'fixed by hand' } } },
      },
    ]);
  });

  it("accepts an admin's board action from the session cookie only when the browser says it is same-origin", async () => {
    const session = String((await login(app, `token=${tokens.admin}`)).headers['set-cookie']).split(';')[0]!;
    const url = `/queues-admin/api/queues/${Q}/${delayedJob}/promote`;
    const before = await redisState();
    expect((await app.inject({ method: 'PUT', url, headers: { cookie: session } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'PUT', url, headers: { cookie: session, 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(403);
    expect(await redisState()).toEqual(before);
    expect((await app.inject({ method: 'PUT', url, headers: { cookie: session, 'sec-fetch-site': 'same-origin' } })).statusCode).toBeLessThan(300);
    expect(await deps.queues.queue('fetch').getJobState(delayedJob)).toBe('waiting');
  });
});

describe('login redirect', () => {
  it.each(['/\\evil.example', '//evil.example', 'https://evil.example', '/%5Cevil', '/\t/evil.example'])('sends a person who logs in with next=%j to /', async (next) => {
    const ok = await login(app, `token=${tokens.viewer}&next=${encodeURIComponent(next)}`);
    expect(ok.statusCode).toBe(302);
    expect(ok.headers.location).toBe('/');
    const failed = await login(app, `token=wrong&next=${encodeURIComponent(next)}`);
    expect(failed.headers.location).toBe('/login?failed=1&next=%2F');
    const form = await app.inject({ url: `/login?next=${encodeURIComponent(next)}` });
    expect(form.body).toContain('<input type="hidden" name="next" value="/" />');
  });

  it('keeps a local path', async () => {
    expect((await login(app, `token=${tokens.viewer}&next=${encodeURIComponent('/ingests?status=FAILED')}`)).headers.location).toBe('/ingests?status=FAILED');
  });
});

describe('CSV export', () => {
  it('writes an OA-supplied formula as text', async () => {
    await seedIngest('CSV-1', '=HYPERLINK("http://evil.example","x")');
    await seedIngest('CSV-2', '@SUM(1+1)');
    const response = await app.inject({ url: '/api/timeliness?format=csv', headers: as('viewer') });
    const lines = response.body.trim().split('\n').slice(1);
    expect(lines.map((l) => l.slice(0, l.indexOf(')') + 2)).sort()).toEqual([`"'=HYPERLINK(""http://evil.example"",""x"")"`, "'@SUM(1+1),"]);
  });
});

describe('session cookie behind TLS', () => {
  const secure = (response: { headers: Record<string, unknown> }) => /;\s*Secure/i.test(String(response.headers['set-cookie']));

  it('ignores X-Forwarded-Proto from a client when no proxy is trusted (the default)', async () => {
    expect(secure(await login(app, `token=${tokens.viewer}`, { 'x-forwarded-proto': 'https' }))).toBe(false);
  });

  it('sets Secure when a trusted proxy says the request came over TLS, and only then', async () => {
    const behindProxy = await consoleWith({ CONSOLE_TRUST_PROXY: '127.0.0.1,10.0.0.0/8' });
    expect(secure(await login(behindProxy, `token=${tokens.viewer}`, { 'x-forwarded-proto': 'https' }, '127.0.0.1'))).toBe(true);
    expect(secure(await login(behindProxy, `token=${tokens.viewer}`, { 'x-forwarded-proto': 'https' }, '10.1.2.3'))).toBe(true);
    expect(secure(await login(behindProxy, `token=${tokens.viewer}`, { 'x-forwarded-proto': 'https' }, '203.0.113.9'))).toBe(false);
    expect(secure(await login(behindProxy, `token=${tokens.viewer}`, {}, '127.0.0.1'))).toBe(false);
    expect(secure(await behindProxy.inject({ url: '/logout', headers: { 'x-forwarded-proto': 'https' }, remoteAddress: '127.0.0.1' }))).toBe(true);
  });

  it('trusts the nearest proxy with a hop count of 1', async () => {
    const oneHop = await consoleWith({ CONSOLE_TRUST_PROXY: '1' });
    expect(secure(await login(oneHop, `token=${tokens.viewer}`, { 'x-forwarded-proto': 'https' }, '10.9.8.7'))).toBe(true);
    expect(secure(await login(oneHop, `token=${tokens.viewer}`, {}, '10.9.8.7'))).toBe(false);
  });

  it('sets Secure on every response with CONSOLE_COOKIE_SECURE=always', async () => {
    const always = await consoleWith({ CONSOLE_COOKIE_SECURE: 'always' });
    const response = await login(always, `token=${tokens.viewer}`);
    expect(secure(response)).toBe(true);
    expect(String(response.headers['set-cookie'])).toMatch(/HttpOnly/);
  });
});
