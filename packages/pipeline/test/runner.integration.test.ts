import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Kafka } from 'kafkajs';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, receiptsOf } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { readTopic, testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import {
  createStageWorker,
  DEFAULT_RECOVERY,
  jobIdOf,
  publishPendingReceipts,
  queueNameOf,
  RECEIPT_ID_HEADER,
  stageHandlers,
  StageQueues,
  type PipelineDeps,
  type StageHandler,
} from '../src/index.ts';

/**
 * The stage runner on the real PostgreSQL, Redis and Kafka: a killed worker's job is taken over, a job
 * whose workers die too often is put back by the `failed` handler, and a receipt that cannot be sent
 * never changes the outcome it reports.
 */
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let redis: Redis;
let queues: StageQueues;
const prefix = uniqueName('runner');
const topic = uniqueName('runner-receipts');
const workers: Worker[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestCatalog();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  queues = new StageQueues(redis, { prefix, retry: { attempts: 2, backoffMs: 10 } });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(async () => {
  for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
  await queues?.close();
  await redis?.quit();
  await db?.drop();
});

function depsWith(producer: PipelineDeps['producer']): PipelineDeps {
  // The runner reads the catalog, the queues, the receipts topic and the recovery settings.
  return { catalog: db.catalog, queues, producer, logger: testLogger(), settings: { receiptsTopic: topic, recovery: { ...DEFAULT_RECOVERY, maxRecoveries: 2 } } } as unknown as PipelineDeps;
}
const quick = () => ({ connection: redis, prefix, concurrency: 1, lockDurationMs: 1000, stalledIntervalMs: 300 });

/** A worker process that takes the ingest's job and is then killed with SIGKILL mid-stage. */
async function killWorkerHolding(stage: 'characterize', ingestId: string): Promise<void> {
  await queues.enqueue(stage, { ingestId, eventId: `ev-${ingestId}` });
  const child = fork(path.join(import.meta.dirname, 'support', 'hangingWorker.ts'), [queueNameOf(stage), prefix, '1000', '300', redisUrl], { execArgv: [], stdio: 'inherit' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before taking the job`)));
  });
  child.removeAllListeners('exit');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  expect(await queues.queue(stage).getJobState(jobIdOf(ingestId, stage))).toBe('active');
}

let n = 0;
const seedAt = async (stage: 'characterize') => {
  const id = `ing_run_${++n}`;
  await seedIngestAt(db.catalog, id, exampleEventFor(`RUN-${n}`), { status: 'IN_PROGRESS', stage });
  return id;
};
const tookOver: StageHandler = async () => ({ detail: { by: 'the surviving worker' } });

describe('a killed worker', () => {
  it('delays its document only until another worker takes the job over', async () => {
    const id = await seedAt('characterize');
    await killWorkerHolding('characterize', id);
    workers.push(createStageWorker('characterize', tookOver, depsWith(undefined as never), { ...quick(), maxStalledCount: 1 }));
    await waitFor(async () => (await db.catalog.getIngest(id))?.currentStage === 'classify', { what: 'the job to be taken over', timeoutMs: 20_000 });
    const runs = await db.catalog.stageRuns(id);
    expect(runs.filter((r) => r.stage === 'characterize').map((r) => [r.status, r.detail.by])).toEqual([['SUCCEEDED', 'the surviving worker']]);
    expect(await queues.queue('classify').getJobState(jobIdOf(id, 'classify'))).toBe('waiting');
  });

  it('whose job BullMQ then fails as stalled too often is put back by the failed handler, not stranded', async () => {
    const id = await seedAt('characterize');
    await killWorkerHolding('characterize', id);
    // maxStalledCount 0: the first takeover already fails the job ("job stalled more than allowable limit").
    workers.push(createStageWorker('characterize', tookOver, depsWith(undefined as never), { ...quick(), maxStalledCount: 0 }));
    await waitFor(async () => (await db.catalog.getIngest(id))?.currentStage === 'classify', { what: 'the ingest to move on', timeoutMs: 20_000 });
    const recovered = (await auditEventsOf(db.catalog.pool, id)).filter((e) => e.type === 'ingest.recovered');
    expect(recovered).toEqual([expect.objectContaining({ actor: 'worker:characterize', payload: expect.objectContaining({ recovery: expect.objectContaining({ action: 'requeued', jobState: 'failed' }) }) })]);
    expect(String(recovered[0]!.payload.reason)).toMatch(/died more often than allowed/);
  });
});

describe('a stage past its deadline', () => {
  it('fails the attempt (retryable) and, after the last one, the ingest, with the deadline named', async () => {
    const id = await seedAt('characterize');
    const hangs: StageHandler = () => new Promise(() => undefined);
    const deps = depsWith(undefined as never);
    deps.settings.recovery = { ...deps.settings.recovery, deadlines: { ...deps.settings.recovery.deadlines, characterize: 200 } };
    workers.push(createStageWorker('characterize', hangs, deps, quick()));
    await queues.enqueue('characterize', { ingestId: id, eventId: 'e' });
    await waitFor(async () => (await db.catalog.getIngest(id))?.status === 'FAILED', { what: 'the ingest to fail' });
    expect(await db.catalog.getIngest(id)).toMatchObject({ failedStage: 'characterize', failureRetryable: true, failureReason: 'StageTimeoutError: stage characterize ran longer than its deadline of 200 ms; the attempt was abandoned' });
    expect((await db.catalog.stageRuns(id)).map((r) => [r.stage, r.status, r.detail.willRetry])).toEqual([
      ['fetch', 'SUCCEEDED', undefined],
      ['characterize', 'FAILED', true],
      ['characterize', 'FAILED', false],
    ]);
  });
});

describe('receipts', () => {
  it('a notify that cannot reach Kafka never changes the outcome; the relay sends the receipt once Kafka is back', async () => {
    const id = `ing_run_${++n}`;
    await seedIngestAt(db.catalog, id, exampleEventFor(`RUN-${n}`), { status: 'FILED' });
    // A real producer that never connected: every send fails, as in a Kafka outage.
    const down = new Kafka({ clientId: 'down', brokers: ['127.0.0.1:1'], retry: { retries: 0 } }).producer();
    workers.push(createStageWorker('notify', stageHandlers.notify, depsWith(down), quick()));
    await queues.enqueue('notify', { ingestId: id, eventId: 'e' }, 'r1');
    await waitFor(async () => (await queues.queue('notify').getJobState(jobIdOf(id, 'notify', 'r1'))) === 'failed', { what: 'notify to use up its attempts' });
    expect(await db.catalog.getIngest(id)).toMatchObject({ status: 'FILED', failureReason: null });
    expect((await db.catalog.stageRuns(id)).filter((r) => r.stage === 'notify').map((r) => r.status)).toEqual(['FAILED', 'FAILED']);
    const [pending] = await receiptsOf(db.catalog.pool, id);
    expect(pending).toMatchObject({ outcome: 'FILED', sentAt: null, attempts: 2, lastError: expect.stringMatching(/disconnected/) });

    const producer = testKafka().producer();
    await producer.connect();
    try {
      expect(await publishPendingReceipts({ catalog: db.catalog, producer, topic }, { ingestId: id })).toEqual([`${id}-r1`]);
      expect(await publishPendingReceipts({ catalog: db.catalog, producer, topic }, { ingestId: id })).toEqual([]);
    } finally {
      await producer.disconnect();
    }
    const messages = await readTopic(testKafka(), topic, 1);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.headers[RECEIPT_ID_HEADER]).toBe(`${id}-r1`);
    expect(JSON.parse(messages[0]!.value)).toMatchObject({ id: `${id}-r1`, data: { ingestId: id, outcome: 'FILED' } });
    expect((await db.catalog.getIngest(id))?.status).toBe('FILED');
  });
});
