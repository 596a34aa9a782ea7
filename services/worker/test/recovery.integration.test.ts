import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, receiptsOf } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { documentFinalizedDataSchema, documentFinalizedEvent, ingestIdOf, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { createFileServer, eventDataOf, listen, simulateDocument } from '@oa-archive/oa-simulator';
import { reconcileJobs } from '@oa-archive/pipeline';
import { testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '../src/index.ts';

/**
 * Redis loses its data (local Redis keeps nothing on disk) while documents are on their way: one at
 * classify, one whose first job intake never got into Redis. A reconciler pass puts each back at its
 * stage once, and a real worker files them. Redis loss is simulated by deleting this test's own queue
 * keys (its unique QUEUE_PREFIX), never anything else on the shared Redis.
 */
const TOKEN = 'recovery-test-token';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let oa: Server;
let oaUrl = '';
let redis: Redis;
let env: Record<string, string>;
let full: WorkerProcess | undefined;

beforeAll(async () => {
  db = await createTestCatalog();
  oa = createFileServer({ token: TOKEN });
  oaUrl = (await listen(oa, 0)).baseUrl;
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  env = {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: uniqueName('recovery'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('recovery-receipts'),
    S3_ARCHIVE_BUCKET: uniqueName('recovery-archive'),
    S3_STAGING_BUCKET: uniqueName('recovery-staging'),
    S3_QUARANTINE_BUCKET: uniqueName('recovery-quarantine'),
    OA_SOURCES: JSON.stringify({ 'oa-test': { allowedOrigins: [new URL(oaUrl).origin], token: TOKEN } }),
    STAGE_ATTEMPTS: '2',
    STAGE_BACKOFF_MS: '50',
    WORKER_OPS_PORT: '-1',
    // Passes are run by the test, so it can run two at once and see what each did.
    RECONCILE_INTERVAL_MS: '0',
    RECONCILE_GRACE_MS: '0',
  };
});
afterAll(async () => {
  await full?.close();
  await loseRedis();
  await redis?.quit();
  await new Promise((r) => oa.close(r));
  await db?.drop();
});

async function loseRedis(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.QUEUE_PREFIX}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A simulated document with metadata the schedule files permanently. */
function eventOf(index: number): DocumentFinalizedEvent {
  const data = eventDataOf(simulateDocument(23, index), oaUrl, { declareDigests: true });
  Object.assign(data, { title: '关于印发《机关公文处理办法》的通知', documentType: '通知', securityLevel: '公开', departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
  data.dates.signed = '2025-06-01T10:00:00+08:00';
  return documentFinalizedEvent({ id: `recovery-${index}`, source: 'oa-test', time: new Date().toISOString(), data: documentFinalizedDataSchema.parse(data) }) as DocumentFinalizedEvent;
}
const idOf = (e: DocumentFinalizedEvent) => ingestIdOf({ source: e.source, documentId: e.data.documentId, version: e.data.version });

describe('recovering from a Redis that lost its data', () => {
  it('puts every stranded ingest back once, and a real worker files them', async () => {
    // A worker that only fetches and characterizes: its documents wait at classify.
    const partial = await startWorker(loadWorkerConfig({ ...env, WORKER_STAGES: 'fetch,characterize', RECEIPT_RELAY_INTERVAL_MS: '0' }), testLogger());
    const atClassify = [eventOf(1), eventOf(2)];
    try {
      for (const event of atClassify) {
        await db.catalog.recordIngest(idOf(event), event);
        await partial.deps.queues.enqueue('fetch', { ingestId: idOf(event), eventId: event.id });
      }
      await waitFor(async () => {
        const ingests = await Promise.all(atClassify.map((e) => db.catalog.getIngest(idOf(e))));
        return ingests.every((i) => i?.currentStage === 'classify');
      }, { what: 'the documents to reach classify', timeoutMs: 60_000 });
    } finally {
      await partial.close();
    }
    // Recorded by intake, but Redis lost the first job right after.
    const neverQueued = eventOf(3);
    await db.catalog.recordIngest(idOf(neverQueued), neverQueued);
    await db.catalog.markEnqueued(idOf(neverQueued));
    await loseRedis();

    full = await startWorker(loadWorkerConfig(env), testLogger());
    const settings = full.deps.settings.recovery;
    const [a, b] = await Promise.all([reconcileJobs(full.deps, settings), reconcileJobs(full.deps, settings)]);
    const stranded = [...atClassify, neverQueued].map(idOf);
    expect([...a.actions, ...b.actions].map((x) => [x.ingestId, x.stage, x.action]).sort()).toEqual(
      [[idOf(atClassify[0]!), 'classify', 'requeued'], [idOf(atClassify[1]!), 'classify', 'requeued'], [idOf(neverQueued), 'fetch', 'requeued']].sort(),
    );

    await waitFor(async () => {
      const ingests = await Promise.all(stranded.map((id) => db.catalog.getIngest(id)));
      return ingests.every((i) => i?.status === 'FILED');
    }, { what: 'the recovered documents to be filed', timeoutMs: 90_000 });
    for (const id of stranded) {
      expect((await auditEventsOf(db.catalog.pool, id)).filter((e) => e.type === 'ingest.recovered'), id).toHaveLength(1);
      await waitFor(async () => (await receiptsOf(db.catalog.pool, id)).every((r) => r.sentAt !== null), { what: `${id}'s receipt to be sent` });
      expect((await receiptsOf(db.catalog.pool, id)).map((r) => r.outcome), id).toEqual(['FILED']);
    }
    // Nothing is left to recover.
    expect((await reconcileJobs(full.deps, settings)).actions).toEqual([]);
  });
});
