import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiToken, recordClassification, ruleProposals } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { uniqueName } from '@oa-archive/testing';
import type { ConsoleDeps } from '../src/index.ts';
import { LEARNING_SCHEDULE_PATH } from '@oa-archive/classify/testing';
import { startTestConsole } from './harness.ts';

/** /review/proposals: viewers see the learned rule with its documents and dry run; admins accept or reject it. */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
let viewer = '';
let admin = '';
const settled: string[] = [];

beforeAll(async () => {
  db = await createTestCatalog();
  ({ app, deps, redis } = await startTestConsole(db, { QUEUE_PREFIX: uniqueName('console-proposals'), RETENTION_SCHEDULE: LEARNING_SCHEDULE_PATH }));
  viewer = (await createApiToken(db.catalog.pool, 'viewer-1', 'viewer')).token;
  admin = (await createApiToken(db.catalog.pool, 'admin-1', 'admin')).token;

  // Three 请示 about 安全生产 waited for review and were filed 永久 by a person.
  for (const [i, title] of ['关于申请安全生产检查经费的请示', '关于安全生产专项整治工作的请示', '关于开展安全生产月活动的请示'].entries()) {
    const base = exampleEventFor(`CP-${i}`);
    const finalized = new Date(Date.now() - 5 * 86_400_000).toISOString();
    const id = `ing_cp_${i}`;
    await seedIngestAt(db.catalog, id, { ...base, data: { ...base.data, title, documentType: '请示', dates: { ...base.data.dates, signed: finalized, finalized } } }, { status: 'REVIEW', stage: 'classify' });
    await recordClassification(db.catalog.pool, id, { outcome: 'REVIEW', category: null, retention: null, organisationCode: null, year: null, ruleIds: ['REVIEW-REQUEST'], scheduleVersion: 'learn.1', explanation: '待鉴定' });
    // Settled through the console, as an admin does: no rule suggests this, so a reason and a confirmation.
    const settledThere = await app.inject({ method: 'POST', url: `/api/review/${id}`, headers: { authorization: `Bearer ${admin}` }, payload: { action: 'file', category: 'WS', retention: 'Y', note: '重要问题请示', confirmed: true } });
    expect(settledThere.statusCode, settledThere.body).toBe(200);
    settled.push(id);
  }
});
afterAll(async () => {
  for (const key of await redis.keys(`${deps.config.QUEUE_PREFIX}:*`)) await redis.del(key);
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

const as = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });

describe('rule proposals on the console', () => {
  let id = 0;

  it('proposes the rule when the settlements are made, and reading the proposals changes nothing', async () => {
    const proposed = await ruleProposals(db.catalog.pool, { status: 'proposed' });
    expect(proposed.map((p) => [...p.ingestIds].sort())).toEqual([[...settled].sort()]);
    const trail = async () => (await db.catalog.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_events')).rows[0]!.n;
    const before = { trail: await trail(), proposals: await ruleProposals(db.catalog.pool) };
    expect((await app.inject({ url: '/review/proposals', headers: as(viewer, { accept: 'text/html' }) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/review/proposals', headers: as(viewer) })).json().open).toHaveLength(1);
    expect({ trail: await trail(), proposals: await ruleProposals(db.catalog.pool) }).toEqual(before);
  });

  it('shows a viewer the proposal, the documents it would have decided and the dry run, without the buttons', async () => {
    const res = await app.inject({ url: '/review/proposals', headers: as(viewer, { accept: 'text/html' }) });
    expect(res.statusCode).toBe(200);
    const body = res.body;
    id = Number(body.match(/data-proposal="(\d+)"/)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(body).toContain('题名含“安全生产”');
    expect(body).toContain('归档：门类文书（WS），保管期限永久（Y）');
    for (const ingest of settled) expect(body).toContain(`<li data-ingest="${ingest}">`);
    expect(body).toContain('data-changed="3"');
    expect(body).toContain(`/review/proposals/${id}/dry-run.csv`);
    expect(body).not.toContain('class="accept"');
    expect(body).toContain('data-version="learn.1"');
  });

  it('exports the dry run as CSV, from → to per document', async () => {
    const res = await app.inject({ url: `/review/proposals/${id}/dry-run.csv`, headers: as(viewer) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('ingestId,documentId,title,fromOutcome,fromCategoryName,fromCategory,fromRetention,fromRules,toOutcome,toCategoryName,toCategory,toRetention,toRules');
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([...settled].sort());
    expect(lines[1]).toMatch(/,REVIEW,,,,REVIEW-REQUEST,FILE,文书,WS,Y,LEARNED-[0-9a-f]{16}$/);
  });

  it('lets only an admin decide; a rejection needs a reason; an accepted proposal becomes the schedule in force', async () => {
    expect((await app.inject({ method: 'POST', url: `/api/review/proposals/${id}/accept`, headers: as(viewer), payload: {} })).statusCode).toBe(403);
    const noReason = await app.inject({ method: 'POST', url: `/api/review/proposals/${id}/reject`, headers: as(admin), payload: {} });
    expect(noReason.statusCode).toBe(400);

    const accepted = await app.inject({ method: 'POST', url: `/api/review/proposals/${id}/accept`, headers: as(admin), payload: { reason: '重要问题请示永久' } });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ proposal: { status: 'accepted', decidedBy: 'admin-1', reason: '重要问题请示永久' }, version: { version: 'learn.1+learned.1', baseVersion: 'learn.1' } });
    expect((await app.inject({ method: 'POST', url: `/api/review/proposals/${id}/reject`, headers: as(admin), payload: { reason: 'x' } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/api/review/proposals/999999/accept', headers: as(admin), payload: {} })).statusCode).toBe(404);

    const page = (await app.inject({ url: '/review/proposals', headers: as(viewer, { accept: 'text/html' }) })).body;
    expect(page).toContain('data-version="learn.1+learned.1"');
    expect(page).toMatch(new RegExp(`<tr data-proposal="${id}" class="accepted">`));
    expect(page).toContain('形成版本 learn.1+learned.1');
    const api = (await app.inject({ url: '/api/review/proposals', headers: as(viewer) })).json();
    expect(api).toMatchObject({ scheduleVersion: 'learn.1+learned.1', open: [] });
  });
});
