import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ITopicConfig, Kafka, Message, Producer } from 'kafkajs';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, exampleDocumentFinalizedEvent } from '@oa-archive/contracts';
import { createProducer, ensureTopics } from '@oa-archive/kafka';
import { queueNameOf } from '@oa-archive/pipeline';
import { testKafka, testLogger, uniqueName } from '@oa-archive/testing';
import { loadIntakeConfig, startIntake } from '../src/index.ts';

/** One intake on its own topics, consumer group, queue prefix and database, against the real services. */
export async function startTestIntake(
  options: {
    env?: Record<string, string>;
    /** Topics made before intake starts (it leaves existing ones as they are). */
    topics?: (names: { finalized: string; deadLetter: string }) => ITopicConfig[];
    /** Lets a test put its own link in front of PostgreSQL. */
    databaseUrl?: (url: string) => string;
  } = {},
) {
  const kafka: Kafka = testKafka();
  const producer: Producer = createProducer(kafka);
  await producer.connect();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const db = await createTestCatalog();
  const config = loadIntakeConfig({
    DATABASE_URL: options.databaseUrl ? options.databaseUrl(db.url) : db.url,
    KAFKA_TOPIC_FINALIZED: uniqueName('test-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('test-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('test-receipts'),
    KAFKA_GROUP_ID: uniqueName('test-intake'),
    QUEUE_PREFIX: uniqueName('test'),
    INTAKE_BACKLOG_POLL_MS: '100',
    INTAKE_OPS_PORT: '0',
    INTAKE_RECORD_BACKOFF_MS: '20',
    ...options.env,
  });
  const names = { finalized: config.KAFKA_TOPIC_FINALIZED, deadLetter: config.KAFKA_TOPIC_DEAD_LETTER };
  await ensureTopics(kafka, options.topics?.(names) ?? [{ topic: names.finalized, numPartitions: 1 }]);
  const intake = await startIntake(config, testLogger());
  const fetchQueue = new Queue(queueNameOf('fetch'), { connection: redis, prefix: config.QUEUE_PREFIX });

  async function offsets() {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: config.KAFKA_GROUP_ID, topics: [names.finalized] });
      const [end] = await admin.fetchTopicOffsets(names.finalized);
      const [letters] = await admin.fetchTopicOffsets(names.deadLetter);
      return { committed: committed?.partitions[0]?.offset, end: end?.high, deadLetters: Number(letters?.high ?? 0) };
    } finally {
      await admin.disconnect();
    }
  }

  return {
    kafka,
    redis,
    db,
    config,
    intake,
    fetchQueue,
    offsets,
    send: (messages: Message[]) => producer.send({ topic: names.finalized, messages }),
    async tearDown() {
      await intake.close();
      await fetchQueue.obliterate({ force: true });
      await fetchQueue.close();
      await producer.disconnect();
      await redis.quit();
      await db.drop();
    },
  };
}

export const structuredHeaders = { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE };

/** The README example under another document id, as a structured-mode record. */
export function validRecord(documentId: string): Message {
  return { value: JSON.stringify({ ...exampleDocumentFinalizedEvent, id: `${documentId}-event`, data: { ...exampleDocumentFinalizedEvent.data, documentId } }), headers: structuredHeaders };
}

export async function metric(opsUrl: string | undefined, pattern: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const match = pattern.exec(text);
  return match ? Number(match[1]) : undefined;
}
