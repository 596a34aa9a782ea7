import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, classificationOf, itemNumbersOfClass, receiptsOf, recordClassification, voidedReferenceCodesOf } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { formatReferenceCode, loadSchedule, type RetentionSchedule } from '@oa-archive/classify';
import type { Stage } from '@oa-archive/contracts';
import { uniqueName } from '@oa-archive/testing';
import { jobIdOf, OperationError, receiptJobKeyOf, replayIngest, settleReview, StageQueues } from '../src/index.ts';

/** Review settlement and replay against the real PostgreSQL and Redis. */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let redis: Redis;
let queues: StageQueues;
let schedule: RetentionSchedule;
const prefix = uniqueName('review');
const deps = () => ({ catalog: db.catalog, queues, schedule });

beforeAll(async () => {
  db = await createTestCatalog();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queues = new StageQueues(redis, { prefix, retry: { attempts: 2, backoffMs: 10 } });
  schedule = await loadSchedule();
});
afterAll(async () => {
  for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
  await queues?.close();
  await redis?.quit();
  await db?.drop();
});

let n = 0;
/** The example event files under WS, 2025, BGS; `retention` picks the class. */
async function filedClassAt(retention: 'Y' | 'D30' | 'D10') {
  const id = `ing_rv_${++n}`;
  await seedIngestAt(db.catalog, id, exampleEventFor(`RV-${n}`), { status: 'IN_PROGRESS', stage: 'classify' });
  const parts = { fonds: schedule.agency.fonds, category: 'WS', year: 2025, retention, org: 'BGS' };
  await recordClassification(
    db.catalog.pool,
    id,
    { outcome: 'FILE', category: 'WS', retention, organisationCode: 'BGS', year: 2025, ruleIds: ['R'], scheduleVersion: schedule.version, explanation: 'e' },
    { itemClass: parts, format: (item) => formatReferenceCode(schedule.referenceCode.template, { ...parts, item }, schedule.referenceCode.itemDigits) },
  );
  return id;
}

/** A document held for review at `stage` (after classify: no decision; after convert or validate: filed with a 档号). */
async function waitingAt(stage: Stage, retention: 'Y' | 'D30' | 'D10' = 'D30'): Promise<string> {
  if (stage === 'classify') {
    const id = `ing_rv_${++n}`;
    await seedIngestAt(db.catalog, id, exampleEventFor(`RV-${n}`), { status: 'IN_PROGRESS', stage: 'classify' });
    await recordClassification(db.catalog.pool, id, { outcome: 'REVIEW', category: null, retention: null, organisationCode: null, year: null, ruleIds: [], scheduleVersion: 't', explanation: '没有规则能判定此文件' });
    await db.catalog.completeStage(id, 'classify', { attempt: 1, startedAt: new Date(), finishedAt: new Date(), detail: {} }, { outcome: { status: 'REVIEW', payload: {} } });
    return id;
  }
  const id = await filedClassAt(retention);
  const at = new Date();
  const run = { attempt: 1, startedAt: at, finishedAt: at, detail: {} };
  await db.catalog.completeStage(id, 'classify', run, { next: 'convert' });
  if (stage === 'validate') await db.catalog.completeStage(id, 'convert', run, { next: 'validate' });
  await db.catalog.completeStage(id, stage, run, { outcome: { status: 'REVIEW', payload: { stage } } });
  return id;
}

describe('settling a review wherever the document waits', () => {
  it('excludes a document waiting after validate, voiding its 档号 on the record', async () => {
    const id = await waitingAt('validate');
    const held = (await classificationOf(db.catalog.pool, id))!;
    expect(held.referenceCode).toMatch(/-D30-BGS-\d{4}$/);
    const result = await settleReview(deps(), id, { action: 'exclude', note: '四性检测不通过，原件不完整' }, 'li.qiang');
    expect(result).toMatchObject({ outcome: 'EXCLUDE', referenceCode: null, next: 'notify', waitedAt: 'validate' });
    expect(await db.catalog.getIngest(id)).toMatchObject({ status: 'EXCLUDED' });
    expect(await voidedReferenceCodesOf(db.catalog.pool, id)).toEqual([
      expect.objectContaining({ referenceCode: held.referenceCode, voidedBy: 'person:li.qiang', reason: 'review settled by li.qiang: exclude (四性检测不通过，原件不完整)' }),
    ]);
    expect((await receiptsOf(db.catalog.pool, id)).map((r) => r.outcome)).toEqual(['REVIEW', 'EXCLUDED']);
    expect(await queues.queue('notify').getJob(jobIdOf(id, 'notify', receiptJobKeyOf(2)))).toBeDefined();
    // The class stays gap-free: the number counts as voided.
    const numbers = await itemNumbersOfClass(db.catalog.pool, held);
    expect(numbers.voided).toContain(held.itemNumber);
  });

  it('files a document waiting after convert again: the same class keeps its number, another class voids it and takes a new one', async () => {
    const same = await waitingAt('convert', 'D10');
    const kept = (await classificationOf(db.catalog.pool, same))!.referenceCode;
    expect(await settleReview(deps(), same, { action: 'file', category: 'WS', retention: 'D10' }, 'wang')).toMatchObject({ outcome: 'FILE', referenceCode: kept, next: 'convert' });
    expect(await db.catalog.getIngest(same)).toMatchObject({ status: 'IN_PROGRESS', currentStage: 'convert' });
    expect(await queues.queue('convert').getJobState(jobIdOf(same, 'convert'))).toBe('waiting');

    const moved = await waitingAt('convert', 'D10');
    const before = (await classificationOf(db.catalog.pool, moved))!.referenceCode!;
    const after = await settleReview(deps(), moved, { action: 'file', category: 'WS', retention: 'Y', note: '具有长期保存价值' }, 'wang');
    expect(after.referenceCode).toMatch(/-Y-BGS-\d{4}$/);
    expect(after.referenceCode).not.toBe(before);
    expect((await voidedReferenceCodesOf(db.catalog.pool, moved)).map((v) => v.referenceCode)).toEqual([before]);
  });

  it('runs the stage again on retry, keeping the decision; refuses retry where there is no decision to keep', async () => {
    const id = await waitingAt('validate');
    const code = (await classificationOf(db.catalog.pool, id))!.referenceCode;
    expect(await settleReview(deps(), id, { action: 'retry', note: '已修正' }, 'zhao')).toMatchObject({ outcome: 'FILE', referenceCode: code, next: 'validate' });
    expect(await db.catalog.getIngest(id)).toMatchObject({ status: 'IN_PROGRESS', currentStage: 'validate' });
    const undecided = await waitingAt('classify');
    await expect(settleReview(deps(), undecided, { action: 'retry' }, 'zhao')).rejects.toThrow(/waits after classification: say file/);
    expect((await db.catalog.getIngest(undecided))?.status).toBe('REVIEW');
  });

  it('quarantines from review: on to deposit, its number voided', async () => {
    const id = await waitingAt('convert');
    expect(await settleReview(deps(), id, { action: 'quarantine', note: '疑含涉密内容' }, 'zhao')).toMatchObject({ outcome: 'QUARANTINE', next: 'deposit' });
    expect(await db.catalog.getIngest(id)).toMatchObject({ status: 'IN_PROGRESS', currentStage: 'deposit' });
    expect(await voidedReferenceCodesOf(db.catalog.pool, id)).toHaveLength(1);
  });

  it('lets exactly one of two racing settlements win, and the loser changes nothing', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => waitingAt('classify')));
    for (const id of ids) {
      const results = await Promise.allSettled([
        settleReview(deps(), id, { action: 'file', category: 'WS', retention: 'D10' }, 'a'),
        settleReview(deps(), id, { action: 'exclude', note: '重复' }, 'b'),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled'), id).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(OperationError);
      const audit = await auditEventsOf(db.catalog.pool, id);
      expect(audit.filter((e) => e.type === 'ingest.classified' && e.actor.startsWith('person:')), id).toHaveLength(1);
      expect(audit.filter((e) => e.payload.event === 'settle' || e.payload.event === 'settle-exclude'), id).toHaveLength(1);
      const status = (await db.catalog.getIngest(id))!.status;
      const decided = (await classificationOf(db.catalog.pool, id))!.outcome;
      expect([`${status}:${decided}`]).toEqual([status === 'EXCLUDED' ? 'EXCLUDED:EXCLUDE' : 'IN_PROGRESS:FILE']);
    }
  });

  it('refuses a settlement of what is not waiting, with a reason', async () => {
    const id = `ing_rv_${++n}`;
    await seedIngestAt(db.catalog, id, exampleEventFor(`RV-${n}`), { status: 'FILED' });
    await expect(settleReview(deps(), id, { action: 'exclude', note: 'x' }, 'a')).rejects.toThrow(/is FILED, not waiting for review/);
  });
});

describe('replay', () => {
  it('runs a FAILED ingest again from the failed stage, audited, and refuses anything else', async () => {
    const id = `ing_rv_${++n}`;
    await seedIngestAt(db.catalog, id, exampleEventFor(`RV-${n}`), { status: 'FAILED', stage: 'convert' });
    expect(await replayIngest(deps(), id, { from: 'failed', actor: 'ops-1', reason: 'LibreOffice fixed' })).toEqual({ ingestId: id, stage: 'convert' });
    expect(await db.catalog.getIngest(id)).toMatchObject({ status: 'IN_PROGRESS', currentStage: 'convert', failureReason: null });
    expect((await auditEventsOf(db.catalog.pool, id)).at(-1)).toMatchObject({ type: 'ingest.replay-requested', actor: 'ops-1', payload: { fromStage: 'convert', previousStatus: 'FAILED', reason: 'LibreOffice fixed' } });
    expect(await queues.queue('convert').getJobState(jobIdOf(id, 'convert'))).toBe('waiting');
    await expect(replayIngest(deps(), id, { from: 'start', actor: 'ops-1' })).rejects.toThrow(/is IN_PROGRESS, not FAILED/);
  });

  it('replays a version a later one has overtaken from classify, where the version rules settle it', async () => {
    const documentId = `RV-${++n}`;
    const event = exampleEventFor(documentId);
    const v1 = `ing_rv_${n}_v1`;
    await seedIngestAt(db.catalog, v1, event, { status: 'FAILED', stage: 'convert' });
    // Version 2 arrived meanwhile (a failed one would not count).
    await db.catalog.recordIngest(`ing_rv_${n}_v2`, { ...event, id: `${event.id}-v2`, data: { ...event.data, version: 2 } });
    expect(await replayIngest(deps(), v1, { from: 'failed', actor: 'ops-1' })).toEqual({ ingestId: v1, stage: 'classify' });
    expect(await queues.queue('classify').getJobState(jobIdOf(v1, 'classify'))).toBe('waiting');
  });
});
