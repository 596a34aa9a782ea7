import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, exampleDocumentFinalizedEvent, ingestIdOf } from '@oa-archive/contracts';
import { createProducer, ensureTopics } from '@oa-archive/kafka';
import { jobIdOf, queueNameOf } from '@oa-archive/pipeline';
import { readTopic, testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadIntakeConfig, startIntake } from '../src/index.ts';

const kafka = testKafka();
let producer: Producer;
let redis: Redis;

beforeAll(async () => {
  producer = createProducer(kafka);
  await producer.connect();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});
afterAll(async () => {
  await producer.disconnect();
  await redis.quit();
});

async function setUp(overrides: Record<string, string> = {}) {
  const db = await createTestCatalog();
  const config = loadIntakeConfig({
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: uniqueName('test-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('test-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('test-receipts'),
    KAFKA_GROUP_ID: uniqueName('test-intake'),
    QUEUE_PREFIX: uniqueName('test'),
    INTAKE_BACKLOG_POLL_MS: '100',
    INTAKE_OPS_PORT: '0',
    ...overrides,
  });
  await ensureTopics(kafka, [{ topic: config.KAFKA_TOPIC_FINALIZED, numPartitions: 1 }]);
  const intake = await startIntake(config, testLogger());
  const fetchQueue = new Queue(queueNameOf('fetch'), { connection: redis, prefix: config.QUEUE_PREFIX });
  return {
    db,
    config,
    intake,
    fetchQueue,
    publish: (value: string, headers: Record<string, string> = { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE }) =>
      producer.send({ topic: config.KAFKA_TOPIC_FINALIZED, messages: [{ value, headers }] }),
    async tearDown() {
      await intake.close();
      await fetchQueue.obliterate({ force: true });
      await fetchQueue.close();
      await db.drop();
    },
  };
}

const eventFor = (documentId: string, id = `${documentId}-event`) =>
  JSON.stringify({ ...exampleDocumentFinalizedEvent, id, data: { ...exampleDocumentFinalizedEvent.data, documentId } });

describe('intake against Kafka, PostgreSQL and Redis', () => {
  let t: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    t = await setUp();
  });
  afterAll(async () => {
    await t.tearDown();
  });

  it('records a valid event as an ingest and queues its fetch job', async () => {
    await t.publish(eventFor('DOC-A'));
    await waitFor(() => t.intake.stats.ingested === 1, { what: 'ingest' });
    const ingestId = ingestIdOf({ source: 'oa-simulator', documentId: 'DOC-A', version: 1 });
    const ingest = await t.db.catalog.getIngest(ingestId);
    expect(ingest).toMatchObject({ status: 'RECEIVED', eventId: 'DOC-A-event', title: exampleDocumentFinalizedEvent.data.title });
    expect(ingest?.enqueuedAt).toBeInstanceOf(Date);
    const job = await t.fetchQueue.getJob(jobIdOf(ingestId, 'fetch'));
    expect(job?.data).toEqual({ ingestId, eventId: 'DOC-A-event' });
  });

  it('treats the same document and version again as a no-op', async () => {
    await t.publish(eventFor('DOC-A', 'resent-event'));
    await waitFor(() => t.intake.stats.duplicates === 1, { what: 'duplicate' });
    expect(await t.db.catalog.listIngests()).toHaveLength(1);
    expect(await t.fetchQueue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('dead-letters malformed records with a reason and keeps consuming', async () => {
    await t.publish('{this is not json');
    await t.publish(JSON.stringify({ ...exampleDocumentFinalizedEvent, data: { ...exampleDocumentFinalizedEvent.data, securityLevel: 'TOP', components: [] } }));
    await t.publish(JSON.stringify({ ...exampleDocumentFinalizedEvent, id: 'from-nowhere', source: 'unknown-oa' }));
    await t.publish(eventFor('DOC-B'));
    await waitFor(() => t.intake.stats.ingested === 2, { what: 'the valid event after the bad ones' });

    const letters = (await readTopic(kafka, t.config.KAFKA_TOPIC_DEAD_LETTER, 3)).map((m) => JSON.parse(m.value));
    expect(letters).toHaveLength(3);
    expect(letters[0].reason).toMatch(/not JSON/);
    expect(letters[0].value).toEqual({ encoding: 'utf8', content: '{this is not json' });
    expect(letters[1].reason).toMatch(/data\.securityLevel/);
    expect(letters[1].issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['data.securityLevel', 'data.components']));
    expect(letters[2].reason).toMatch(/source "unknown-oa" is not a configured OA system/);
    expect(letters[0].origin).toMatchObject({ topic: t.config.KAFKA_TOPIC_FINALIZED, partition: 0 });
    expect(await t.db.catalog.listIngests()).toHaveLength(2);
  });

  it('has committed the offset of every record it handled', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: t.config.KAFKA_GROUP_ID, topics: [t.config.KAFKA_TOPIC_FINALIZED] });
    const [end] = await admin.fetchTopicOffsets(t.config.KAFKA_TOPIC_FINALIZED);
    await admin.disconnect();
    expect(committed?.partitions[0]?.offset).toBe(end?.high);
    expect(end?.high).toBe('6');
  });
});

describe('intake back-pressure', () => {
  it('pauses while the pipeline backlog is high and resumes once it drains', async () => {
    const t = await setUp({ INTAKE_BACKLOG_PAUSE: '3', INTAKE_BACKLOG_RESUME: '1' });
    try {
      for (const id of ['P1', 'P2', 'P3']) await t.publish(eventFor(id));
      await waitFor(() => t.intake.stats.paused, { what: 'pause' });
      const ingestedWhenPaused = t.intake.stats.ingested;
      for (const id of ['P4', 'P5']) await t.publish(eventFor(id));
      // Nothing is taken in while paused, however long it lasts.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(t.intake.stats.ingested).toBe(ingestedWhenPaused);

      await t.fetchQueue.drain(); // what the workers would do
      await waitFor(() => !t.intake.stats.paused, { what: 'resume' });
      await waitFor(() => t.intake.stats.ingested === 5, { what: 'the held-back events' });
    } finally {
      await t.tearDown();
    }
  });
});

describe('intake operations endpoints', () => {
  it('serves /metrics with records by result, /healthz and /readyz', async () => {
    const t = await setUp();
    try {
      await t.publish('{broken');
      await waitFor(() => t.intake.stats.deadLettered === 1, { what: 'dead letter' });
      const metrics = await (await fetch(`${t.intake.opsUrl}/metrics`)).text();
      expect(metrics).toMatch(/oa_archive_intake_records_total\{result="dead-lettered"\} 1/);
      expect(metrics).toMatch(/oa_archive_intake_paused 0/);
      expect(await (await fetch(`${t.intake.opsUrl}/readyz`)).json()).toEqual({ ready: true });
    } finally {
      await t.tearDown();
    }
  });
});
