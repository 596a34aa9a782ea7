import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auditEventsOf, createApiToken, recordClassification, type Catalog } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { exampleDocumentFinalizedEvent, parseDocumentFinalized } from '@oa-archive/contracts';
import { createProducer, ensureTopics, stallStateKey } from '@oa-archive/kafka';
import { DEFAULT_RECOVERY, jobIdOf, reconcileJobs, StageQueues } from '@oa-archive/pipeline';
import { testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { buildConsole, loadConsoleConfig, type ConsoleDeps } from '../src/index.ts';
import { scheduleDeps } from './harness.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
const tokens: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };

async function seed(catalog: Catalog, documentId: string, status: 'FAILED' | 'REVIEW' | 'FILED' | 'RECEIVED') {
  const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify({ ...exampleDocumentFinalizedEvent, id: `ev-${documentId}`, data: { ...exampleDocumentFinalizedEvent.data, documentId } })), headers: {} });
  if (!parsed.ok) throw new Error(parsed.reason);
  const id = `ing_${documentId}`;
  await catalog.recordIngest(id, parsed.event);
  if (status === 'FAILED') await catalog.markFailed(id, { stage: 'fetch', reason: 'FetchHttpError: OA answered HTTP 503', retryable: true, attempts: 5 });
  // Through the state machine, as the pipeline would: fetch and characterize done, then the outcome.
  const run = { attempt: 1, startedAt: new Date(), finishedAt: new Date(), detail: {} };
  if (status === 'REVIEW' || status === 'FILED') {
    await catalog.completeStage(id, 'fetch', run, { next: 'characterize' });
    await catalog.completeStage(id, 'characterize', run, { next: 'classify' });
  }
  if (status === 'REVIEW') {
    await recordClassification(catalog.pool, id, { outcome: 'REVIEW', category: null, retention: null, organisationCode: null, year: null, ruleIds: [], scheduleVersion: 't', explanation: '没有规则能判定此文件' });
    await catalog.completeStage(id, 'classify', run, { outcome: { status: 'REVIEW', payload: { explanation: '没有规则能判定此文件' } } });
  }
  if (status === 'FILED') await catalog.completeStage(id, 'classify', run, { outcome: { status: 'FILED', payload: {} } });
  return id;
}

beforeAll(async () => {
  db = await createTestCatalog();
  const config = loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('console'), KAFKA_TOPIC_FINALIZED: uniqueName('console-finalized'), KAFKA_TOPIC_DEAD_LETTER: uniqueName('console-dlq'), KAFKA_GROUP_ID: uniqueName('console-group') });
  const kafka = testKafka();
  await ensureTopics(kafka, [{ topic: config.KAFKA_TOPIC_FINALIZED, numPartitions: 2 }, { topic: config.KAFKA_TOPIC_DEAD_LETTER, numPartitions: 1 }]);
  redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  deps = {
    config,
    catalog: db.catalog,
    queues: new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: 2, backoffMs: 10 } }),
    redis,
    kafka,
    ...(await scheduleDeps()),
    logger: testLogger(),
  };
  app = await buildConsole(deps);
  for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = (await createApiToken(db.catalog.pool, `${role}-1`, role)).token;
  await seed(db.catalog, 'FAILED-1', 'FAILED');
  await seed(db.catalog, 'FAILED-2', 'FAILED');
  await seed(db.catalog, 'REVIEW-1', 'REVIEW');
  await seed(db.catalog, 'FILED-1', 'FILED');
});

afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

const as = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });

describe('console API: health and metrics', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ ready: true });
  });
  it('serves Prometheus metrics: queue depths, ingests by status, consumer lag', async () => {
    const body = (await app.inject({ url: '/metrics' })).body;
    expect(body).toMatch(/oa_archive_queue_jobs\{stage="fetch",state="waiting"\} 0/);
    expect(body).toMatch(/oa_archive_ingests\{status="FAILED"\} 2/);
    expect(body).toMatch(/oa_archive_consumer_lag\{partition="0"\} 0/);
  });
});

describe('console API: authentication and roles', () => {
  const reads = ['/api/overview', '/api/ingests', '/api/ingests/ing_FILED-1', '/api/review', '/api/timeliness'];
  it.each(reads)('GET %s needs a token (401) and a viewer may read it', async (url) => {
    expect((await app.inject({ url })).statusCode).toBe(401);
    expect((await app.inject({ url, headers: { authorization: 'Bearer oat_not-a-real-token' } })).statusCode).toBe(401);
    expect((await app.inject({ url, headers: as('viewer') })).statusCode).toBe(200);
  });

  it.each<[string, string, object, 'operator' | 'admin']>([
    ['POST', '/api/ingests/ing_FAILED-1/replay', {}, 'operator'],
    ['POST', '/api/replays', { dryRun: true }, 'admin'],
    ['POST', '/api/review/ing_REVIEW-1', { action: 'exclude', note: 'x' }, 'admin'],
    ['POST', '/api/dead-letters/redrive', {}, 'admin'],
    ['POST', '/api/reconsume', { since: '2025-01-01', until: '2025-01-02' }, 'admin'],
  ])('%s %s is refused (403) below %s', async (method, url, payload, needed) => {
    expect((await app.inject({ method: method as 'POST', url, payload })).statusCode).toBe(401);
    const below = needed === 'admin' ? (['viewer', 'operator'] as const) : (['viewer'] as const);
    for (const role of below) {
      const response = await app.inject({ method: method as 'POST', url, payload, headers: as(role) });
      expect(response.statusCode, role).toBe(403);
      expect(response.json().error).toMatch(new RegExp(`is ${role}; this needs ${needed}`));
    }
  });

  it('shows bull-board read-only to every role, and its managing board to admins only', async () => {
    expect((await app.inject({ url: '/queues' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/queues', headers: as('viewer') })).statusCode).toBe(200);
    expect((await app.inject({ url: '/queues-admin', headers: as('operator') })).statusCode).toBe(403);
    expect((await app.inject({ url: '/queues-admin', headers: as('admin') })).statusCode).toBe(200);
  });
});

describe('console API: reading', () => {
  it('gives the overview: queues, statuses, failures by stage and reason, consumer lag', async () => {
    const o = (await app.inject({ url: '/api/overview', headers: as('viewer') })).json();
    expect(Object.keys(o.queues)).toEqual(['fetch', 'characterize', 'classify', 'convert', 'validate', 'package', 'deposit', 'notify']);
    expect(o.statuses).toMatchObject({ FAILED: 2, REVIEW: 1, FILED: 1 });
    expect(o.failures).toEqual([expect.objectContaining({ stage: 'fetch', errorClass: 'FetchHttpError', count: 2 })]);
    expect(o.consumer.lag).toEqual([expect.objectContaining({ partition: 0, lag: 0, stalledSince: null }), expect.objectContaining({ partition: 1, lag: 0, stalledSince: null })]);
  });

  it('shows a partition as stalled while intake reports it so', async () => {
    // What intake publishes for a partition whose offset has not moved while records wait.
    const key = stallStateKey(deps.config.QUEUE_PREFIX, deps.config.KAFKA_TOPIC_FINALIZED, 1);
    const waitingSince = '2026-01-01T08:00:00.000Z';
    await redis.set(key, JSON.stringify({ topic: deps.config.KAFKA_TOPIC_FINALIZED, partition: 1, committed: '4', high: '9', lag: 5, waitingSince, stalled: true }), 'PX', 60_000);
    try {
      const o = (await app.inject({ url: '/api/overview', headers: as('viewer') })).json();
      expect(o.consumer.lag.map((p: { stalledSince: string | null }) => p.stalledSince)).toEqual([null, waitingSince]);
      const page = (await app.inject({ url: '/', headers: as('viewer') })).body;
      expect(page).toMatch(/接收<b><span class="fail">停滞<\/span><\/b>/);
      // In the agency's time zone (Asia/Shanghai): 08:00 UTC is 16:00 there.
      expect(page).toMatch(/<tr data-partition="1">[\s\S]*?自2026-01-01 16:00停滞/);
    } finally {
      await redis.del(key);
    }
  });

  it('searches by document id, title and status, and shows an ingest in detail', async () => {
    expect((await app.inject({ url: '/api/ingests?q=REVIEW-1', headers: as('viewer') })).json().ingests.map((i: { documentId: string }) => i.documentId)).toEqual(['REVIEW-1']);
    expect((await app.inject({ url: '/api/ingests?status=FAILED', headers: as('viewer') })).json().ingests).toHaveLength(2);
    expect((await app.inject({ url: `/api/ingests?q=${encodeURIComponent('档案移交')}`, headers: as('viewer') })).json().ingests).toHaveLength(4);
    expect((await app.inject({ url: '/api/ingests?status=NOPE', headers: as('viewer') })).statusCode).toBe(400);
    const detail = (await app.inject({ url: '/api/ingests/ing_REVIEW-1', headers: as('viewer') })).json();
    expect(detail.classification.explanation).toBe('没有规则能判定此文件');
    expect(detail.audit.map((a: { type: string }) => a.type)).toEqual(['ingest.received', 'stage.completed', 'stage.completed', 'ingest.classified', 'stage.completed', 'ingest.review']);
    expect(detail.receipts.map((r: { outcome: string; receiptId: string }) => [r.outcome, r.receiptId])).toEqual([['REVIEW', 'ing_REVIEW-1-r1']]);
    expect((await app.inject({ url: '/api/ingests/nope', headers: as('viewer') })).statusCode).toBe(404);
  });

  it('reports timeliness by department, as JSON and as CSV', async () => {
    const rows = (await app.inject({ url: '/api/timeliness', headers: as('viewer') })).json().timeliness;
    expect(rows).toEqual([expect.objectContaining({ department: 'BGS', finalized: 4, filed: 1, inReview: 1, failed: 2 })]);
    const response = await app.inject({ url: '/api/timeliness?format=csv', headers: as('viewer') });
    expect(response.headers['content-type']).toMatch(/text\/csv/);
    expect(response.body.split('\n')[0]).toBe('departmentName,department,finalized,filed,inReview,failed,inProgress,medianDelaySeconds,p95DelaySeconds');
    // The name from the schedule beside the code, so a spreadsheet reads 办公室 and can still sort by BGS.
    expect(response.body.split('\n')[1]).toMatch(/^办公室,BGS,4,1,1,2,/);
  });
});

describe('console API: repairing', () => {
  it('lets an operator replay one failed ingest, and refuses what is not failed', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/ingests/ing_FAILED-1/replay', headers: as('operator'), payload: { from: 'failed' } });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ ingestId: 'ing_FAILED-1', stage: 'fetch' });
    expect(await deps.queues.queue('fetch').getJob(jobIdOf('ing_FAILED-1', 'fetch'))).toBeDefined();
    const audit = await auditEventsOf(db.catalog.pool, 'ing_FAILED-1');
    expect(audit.at(-1)).toMatchObject({ type: 'ingest.replay-requested', actor: 'operator-1' });
    expect((await app.inject({ method: 'POST', url: '/api/ingests/ing_FILED-1/replay', headers: as('operator'), payload: {} })).statusCode).toBe(409);
  });

  it('lets an admin list a bulk replay in a dry run, then run it, rate-limited, with progress', async () => {
    const dry = (await app.inject({ method: 'POST', url: '/api/replays', headers: as('admin'), payload: { filter: { errorClass: 'FetchHttpError' }, dryRun: true } })).json();
    expect(dry.matched.map((m: { ingestId: string }) => m.ingestId)).toEqual(['ing_FAILED-2']);
    const started = await app.inject({ method: 'POST', url: '/api/replays', headers: as('admin'), payload: { filter: { stage: 'fetch' }, dryRun: false } });
    expect(started.statusCode).toBe(202);
    const progress = await waitFor(async () => {
      const run = (await app.inject({ url: started.json().progress, headers: as('viewer') })).json();
      return run.finished ? run : undefined;
    });
    expect(progress).toMatchObject({ requestedBy: 'admin-1', total: 1, done: 1, replayed: ['ing_FAILED-2'], refused: [] });
    expect((await app.inject({ method: 'POST', url: '/api/replays', headers: as('admin'), payload: { filter: { stage: 'ocr' } } })).statusCode).toBe(400);
  });

  it('lets an admin settle a review item, recorded as an audit event naming who', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/review/ing_REVIEW-1', headers: as('admin'), payload: { action: 'file', category: 'W', retention: 'Y' } })).statusCode).toBe(400);
    const response = await app.inject({ method: 'POST', url: '/api/review/ing_REVIEW-1', headers: as('admin'), payload: { action: 'exclude', note: '临时性事务，无保存价值' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ outcome: 'EXCLUDE', next: 'notify' });
    const audit = await auditEventsOf(db.catalog.pool, 'ing_REVIEW-1');
    expect(audit.map((a) => [a.type, a.actor])).toEqual(expect.arrayContaining([['ingest.classified', 'person:admin-1'], ['console.review-settled', 'person:admin-1']]));
    expect((await db.catalog.getIngest('ing_REVIEW-1'))?.status).toBe('EXCLUDED');
    expect((await app.inject({ method: 'POST', url: '/api/review/ing_REVIEW-1', headers: as('admin'), payload: { action: 'exclude', note: 'again' } })).statusCode).toBe(409);
  });
});

describe('console API: the reconciler', () => {
  it('shows what the reconciler did lately, and the receipts waiting to be sent', async () => {
    const id = await seed(db.catalog, 'STRANDED-1', 'RECEIVED');
    await reconcileJobs({ catalog: db.catalog, queues: deps.queues }, { ...DEFAULT_RECOVERY, graceMs: 0 });
    const view = (await app.inject({ url: '/api/reconciler', headers: as('viewer') })).json();
    expect(view.actions).toEqual(expect.arrayContaining([expect.objectContaining({ ingestId: id, documentId: 'STRANDED-1', stage: 'fetch', action: 'requeued', jobState: 'missing', actor: 'reconciler' })]));
    expect(view.receipts.pending).toBeGreaterThanOrEqual(1);
    const page = await app.inject({ url: '/reconciler', headers: { ...as('viewer'), accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('STRANDED-1');
    expect(page.body).toMatch(/<tr data-action="requeued">/);
  });
});

describe('console API: Kafka repairs', () => {
  it('lets an admin re-drive dead letters and re-consume a window, each audited', async () => {
    const producer = createProducer(deps.kafka);
    await producer.connect();
    const letter = { reason: 'unknown source', issues: [], receivedAt: 'now', origin: { topic: deps.config.KAFKA_TOPIC_FINALIZED, partition: 0, offset: '0', key: null }, headers: {}, value: { encoding: 'utf8', content: '{"specversion":"1.0"}' } };
    await producer.send({ topic: deps.config.KAFKA_TOPIC_DEAD_LETTER, messages: [{ value: JSON.stringify(letter) }] });
    await producer.disconnect();
    const redrive = await app.inject({ method: 'POST', url: '/api/dead-letters/redrive', headers: as('admin'), payload: {} });
    expect(redrive.json()).toEqual({ redriven: 1, skipped: 0 });
    const window = await app.inject({ method: 'POST', url: '/api/reconsume', headers: as('admin'), payload: { since: new Date(Date.now() - 3600_000).toISOString(), until: new Date(Date.now() + 60_000).toISOString() } });
    expect(window.json()).toEqual({ republished: 1 });
    expect((await app.inject({ method: 'POST', url: '/api/reconsume', headers: as('admin'), payload: { since: '2025-02-01', until: '2025-01-01' } })).statusCode).toBe(400);
    const { rows } = await db.catalog.pool.query(`SELECT type, actor FROM audit_events WHERE type IN ('console.dead-letters-redriven', 'console.window-reconsumed') ORDER BY seq`);
    expect(rows).toEqual([
      { type: 'console.dead-letters-redriven', actor: 'person:admin-1' },
      { type: 'console.window-reconsumed', actor: 'person:admin-1' },
    ]);
  });
});

describe('console pages', () => {
  it('sends a browser without a session to the login page', async () => {
    const response = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/login?next=%2F');
  });

  it('logs in with a token into an HttpOnly session cookie, and refuses a cross-site POST made with it', async () => {
    const login = await app.inject({ method: 'POST', url: '/login', payload: `token=${tokens.operator}&next=%2Freview`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(login.statusCode).toBe(302);
    expect(login.headers.location).toBe('/review');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    expect((await app.inject({ url: '/review', headers: { cookie: session } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/ingests/ing_FAILED-1/replay', headers: { cookie: session }, payload: {} })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'POST', url: '/login', payload: 'token=wrong', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(bad.headers.location).toMatch(/^\/login\?failed=1/);
  });

  it('refuses a malformed search or window on the pages with a message, not an error page', async () => {
    const search = await app.inject({ url: '/ingests?from=last-week', headers: as('viewer') });
    expect(search.statusCode).toBe(400);
    expect(search.body).toMatch(/未执行查询：from: /);
    const window = await app.inject({ url: '/timeliness?to=2025-13-45', headers: as('viewer') });
    expect(window.statusCode).toBe(400);
    expect(window.body).toMatch(/未显示：to: /);
    expect((await app.inject({ url: '/ingests?q=&status=&from=', headers: as('viewer') })).statusCode).toBe(200);
  });

  it.each(['/', '/ingests', '/ingests/ing_FILED-1', '/review', '/timeliness'])('renders %s for a viewer without leaking a token', async (url) => {
    const response = await app.inject({ url, headers: as('viewer') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    for (const token of Object.values(tokens)) expect(response.body).not.toContain(token);
  });
});
