import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, receiptsOf } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import type { IngestStatus, Stage } from '@oa-archive/contracts';
import { testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { DEFAULT_RECOVERY, jobIdOf, queueNameOf, reconcileJobs, StageQueues, type RecoverySettings } from '../src/index.ts';

/**
 * The reconciler against the real PostgreSQL and Redis. Losing Redis's data is simulated by deleting
 * this test's own queue keys (its unique prefix), never anything else on the shared Redis.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let redis: Redis;
let queues: StageQueues;
const prefix = uniqueName('reconcile');
// No grace: the seeded ingests are as old as they need to be.
const settings: RecoverySettings = { ...DEFAULT_RECOVERY, graceMs: 0, maxRecoveries: 2 };
const deps = () => ({ catalog: db.catalog, queues, logger: testLogger() });

beforeAll(async () => {
  db = await createTestCatalog();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queues = new StageQueues(redis, { prefix, retry: { attempts: 2, backoffMs: 10 } });
});
afterAll(async () => {
  await loseRedis();
  await queues?.close();
  await redis?.quit();
  await db?.drop();
});

/** What a Redis restart without persistence does to this test's queues. */
async function loseRedis(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

let n = 0;
async function seed(status: IngestStatus, stage?: Stage): Promise<{ id: string; stage: Stage }> {
  const id = `ing_rec_${++n}`;
  await seedIngestAt(db.catalog, id, exampleEventFor(`REC-${n}`), { status, ...(stage ? { stage } : {}) });
  const at = (await db.catalog.getIngest(id))!.currentStage ?? 'fetch';
  return { id, stage: at };
}

const recoveredEvents = async (id: string) => (await auditEventsOf(db.catalog.pool, id)).filter((e) => e.type === 'ingest.recovered');

describe('the reconciler', () => {
  it('puts every stranded ingest back at its stage once, and a concurrent pass does not double it', async () => {
    const stranded = [await seed('RECEIVED'), await seed('IN_PROGRESS', 'characterize'), await seed('IN_PROGRESS', 'convert'), await seed('IN_PROGRESS', 'deposit')];
    const untouched = [await seed('REVIEW'), await seed('FILED'), await seed('FAILED', 'classify')];
    for (const s of stranded) await queues.enqueue(s.stage, { ingestId: s.id, eventId: `ev-${s.id}` });
    await loseRedis();

    const [a, b] = await Promise.all([reconcileJobs(deps(), settings), reconcileJobs(deps(), settings)]);
    const actions = [...a.actions, ...b.actions];
    expect(actions.map((x) => x.ingestId).sort()).toEqual(stranded.map((s) => s.id).sort());
    expect(actions.every((x) => x.action === 'requeued' && x.jobState === 'missing')).toBe(true);
    for (const s of stranded) {
      const job = await queues.queue(s.stage).getJob(jobIdOf(s.id, s.stage));
      expect(await job?.getState(), s.id).toBe('waiting');
      const events = await recoveredEvents(s.id);
      expect(events, s.id).toHaveLength(1);
      expect(events[0]).toMatchObject({ actor: 'reconciler', payload: { recovery: { action: 'requeued', jobState: 'missing' }, stage: s.stage, recoveries: 1 } });
      expect((await db.catalog.getIngest(s.id))?.recoveries).toBe(1);
    }
    for (const u of untouched) expect(await recoveredEvents(u.id)).toEqual([]);

    // The jobs are back: another pass finds nothing to do.
    expect((await reconcileJobs(deps(), settings)).actions).toEqual([]);
  });

  it('looks past a page of healthy ingests: every stranded one is found in one pass', async () => {
    const healthy = [await seed('IN_PROGRESS', 'package'), await seed('IN_PROGRESS', 'package'), await seed('IN_PROGRESS', 'package')];
    for (const h of healthy) await queues.enqueue('package', { ingestId: h.id, eventId: 'e' });
    const stranded = [await seed('IN_PROGRESS', 'deposit'), await seed('IN_PROGRESS', 'deposit')];
    const report = await reconcileJobs(deps(), { ...settings, batchSize: 2 });
    expect(report.checked).toBeGreaterThanOrEqual(5);
    expect(report.actions.map((x) => x.ingestId)).toEqual(stranded.map((s) => s.id));
  });

  it('fails an ingest after maxRecoveries with the reason, and writes its FAILED receipt', async () => {
    const s = await seed('IN_PROGRESS', 'validate');
    for (let i = 0; i < settings.maxRecoveries; i++) {
      await loseRedis();
      expect((await reconcileJobs(deps(), settings)).actions.filter((x) => x.ingestId === s.id).map((x) => x.action)).toEqual(['requeued']);
    }
    await loseRedis();
    const last = await reconcileJobs(deps(), settings);
    expect(last.actions.find((x) => x.ingestId === s.id)).toMatchObject({ action: 'failed', reason: expect.stringMatching(/given up after 2 recoveries at validate/) });
    expect(await db.catalog.getIngest(s.id)).toMatchObject({ status: 'FAILED', failedStage: 'validate', failureReason: expect.stringMatching(/^RecoveryError: its validate job is missing/) });
    expect((await receiptsOf(db.catalog.pool, s.id)).map((r) => r.outcome)).toEqual(['FAILED']);
    expect(await queues.queue('notify').getJob(jobIdOf(s.id, 'notify', 'r1'))).toBeDefined();
  });

  it('puts back an ingest whose job completed without it moving on, replacing the finished job', async () => {
    const s = await seed('IN_PROGRESS', 'package');
    await queues.enqueue('package', { ingestId: s.id, eventId: 'e' });
    // A run that finished without the catalog recording it (its transaction rolled back, say).
    const worker = new Worker(queueNameOf('package'), async () => 'done', { connection: redis.duplicate(), prefix });
    await waitFor(async () => (await queues.queue('package').getJobState(jobIdOf(s.id, 'package'))) === 'completed', { what: 'the package job to complete' });
    await worker.close();
    const report = await reconcileJobs(deps(), settings);
    expect(report.actions.find((x) => x.ingestId === s.id)).toMatchObject({ action: 'requeued', jobState: 'completed' });
    expect(await queues.queue('package').getJobState(jobIdOf(s.id, 'package'))).toBe('waiting');
  });

  it('fails an ingest whose job failed without it being marked (the catalog was down on the last attempt)', async () => {
    const s = await seed('IN_PROGRESS', 'characterize');
    await queues.enqueue('characterize', { ingestId: s.id, eventId: 'e' });
    // The job's last attempt failed and the runner could not record it: only Redis knows.
    const worker = new Worker(queueNameOf('characterize'), async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:5432'); }, { connection: redis.duplicate(), prefix });
    await waitFor(async () => (await queues.queue('characterize').getJobState(jobIdOf(s.id, 'characterize'))) === 'failed', { what: 'the job to fail' });
    await worker.close();
    const report = await reconcileJobs(deps(), settings);
    expect(report.actions.find((x) => x.ingestId === s.id)).toMatchObject({ action: 'failed', jobState: 'failed' });
    expect(await db.catalog.getIngest(s.id)).toMatchObject({
      status: 'FAILED',
      failedStage: 'characterize',
      failureReason: 'RecoveryError: characterize job failed without the ingest being marked: connect ECONNREFUSED 127.0.0.1:5432',
    });
    const failed = (await auditEventsOf(db.catalog.pool, s.id)).at(-1)!;
    expect(failed).toMatchObject({ type: 'ingest.failed', actor: 'reconciler', payload: { recovery: { action: 'failed', jobState: 'failed' } } });
  });

  it('leaves an ingest alone within the grace period, and one whose job is queued', async () => {
    const fresh = await seed('IN_PROGRESS', 'classify');
    expect((await reconcileJobs(deps(), { ...settings, graceMs: 60_000 })).actions.find((x) => x.ingestId === fresh.id)).toBeUndefined();
    await queues.enqueue('classify', { ingestId: fresh.id, eventId: 'e' });
    expect((await reconcileJobs(deps(), settings)).actions.find((x) => x.ingestId === fresh.id)).toBeUndefined();
  });
});
