import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordClassification, ruleProposals } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { loadSchedule } from '@oa-archive/classify';
import { settleReview, StageQueues } from '@oa-archive/pipeline';
import { uniqueName } from '@oa-archive/testing';
import { proposalsCommand } from '../src/commands/proposals.ts';
import { loadCliConfig } from '../src/config.ts';
import { LEARNING_SCHEDULE_PATH } from '@oa-archive/classify/testing';

/** `archive proposals`: list, show (with the dry run), accept and reject rules learned from the review queue. */
const prefix = uniqueName('cli-proposals');
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let redis: Redis;
let queues: StageQueues;

async function settleGroup(titles: string[], decision: Parameters<typeof settleReview>[2]) {
  const schedule = await loadSchedule(LEARNING_SCHEDULE_PATH);
  for (const title of titles) {
    const id = `ing_cli_rp_${title.length}_${titles.indexOf(title)}_${decision.action}`;
    const base = exampleEventFor(id);
    const finalized = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await seedIngestAt(db.catalog, id, { ...base, data: { ...base.data, title, documentType: '请示', dates: { ...base.data.dates, signed: finalized, finalized } } }, { status: 'REVIEW', stage: 'classify' });
    await recordClassification(db.catalog.pool, id, { outcome: 'REVIEW', category: null, retention: null, organisationCode: null, year: null, ruleIds: ['REVIEW-REQUEST'], scheduleVersion: 'learn.1', explanation: '待鉴定' });
    await settleReview({ catalog: db.catalog, queues, schedule }, id, decision, 'wang');
  }
}

beforeAll(async () => {
  db = await createTestCatalog();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queues = new StageQueues(redis, { prefix, retry: { attempts: 2, backoffMs: 10 } });
  await settleGroup(['关于申请安全生产检查经费的请示', '关于安全生产专项整治工作的请示', '关于开展安全生产月活动的请示'], { action: 'file', category: 'WS', retention: 'Y' });
  await settleGroup(['关于借用会议室的请示', '关于借用会议室投影仪的请示', '关于借用会议室音响设备的请示'], { action: 'exclude', note: '事务性请示' });
});
afterAll(async () => {
  for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
  await queues?.close();
  await redis?.quit();
  await db?.drop();
});

const config = () => loadCliConfig({ DATABASE_URL: db.url, RETENTION_SCHEDULE: LEARNING_SCHEDULE_PATH });
const run = async (sub: string | undefined, target?: string, values: Record<string, string | boolean> = {}) => {
  const lines: string[] = [];
  const code = await proposalsCommand(config(), db.catalog, sub, target, values, 'zhao', (line) => lines.push(line));
  return { code, out: lines.join('\n') };
};

describe('archive proposals', () => {
  it('lists, shows with the dry run, accepts one and rejects the other', async () => {
    const list = await run(undefined);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/schedule in force: learn\.1; 2 open proposal\(s\), 2 new/);
    const open = await ruleProposals(db.catalog.pool, { status: 'proposed' });
    const file = open.find((p) => (p.settlement as { outcome: string }).outcome === 'FILE')!;
    const exclude = open.find((p) => (p.settlement as { outcome: string }).outcome === 'EXCLUDE')!;

    const shown = await run('show', String(file.id));
    expect(shown.out).toContain('3 of 6 documents would change');
    expect(shown.out).toMatch(/关于开展安全生产月活动的请示 {2}REVIEW → FILE·WS·Y/);
    const json = JSON.parse((await run('show', String(file.id), { json: true })).out);
    expect(json.dryRun.changes).toHaveLength(3);

    expect((await run('accept', String(file.id), { note: '重要问题请示永久' })).out).toContain('schedule version learn.1+learned.1 (from learn.1)');
    await expect(run('reject', String(exclude.id))).rejects.toThrow(/--note is required/);
    expect((await run('reject', String(exclude.id), { note: '需逐件鉴定' })).out).toBe(`proposal ${exclude.id} rejected by zhao: 需逐件鉴定`);
    await expect(run('accept', String(exclude.id))).rejects.toThrow(/was rejected by zhao already/);

    const after = await run('list', undefined, { all: true });
    expect(after.out).toMatch(/schedule in force: learn\.1\+learned\.1; 0 open proposal\(s\)/);
    expect(after.out).toContain('accepted by zhao: 重要问题请示永久 → learn.1+learned.1');
    expect(after.out).toContain('rejected by zhao: 需逐件鉴定');
  });
});
