import type { S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import { createPool } from '@oa-archive/catalog';
import { createKafka, createProducer } from '@oa-archive/kafka';
import { createLogger } from '@oa-archive/observability';
import { StageQueues } from '@oa-archive/pipeline';
import { STAGES } from '@oa-archive/contracts';
import { createS3Client } from '@oa-archive/storage';

/** The suite's own connections to the stack: to publish as the OA does and to read the results. */
export interface Clients {
  pool: pg.Pool;
  redis: Redis;
  queues: StageQueues;
  kafka: Kafka;
  producer: Producer;
  s3: S3Client;
  close(): Promise<void>;
}

export async function connectClients(env: Record<string, string>): Promise<Clients> {
  const pool = createPool(env.DATABASE_URL!, 4);
  // Polls during a Redis outage must fail soon, not wait for it to come back.
  const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  await redis.ping();
  const queues = new StageQueues(redis, { prefix: env.QUEUE_PREFIX!, retry: { attempts: 1, backoffMs: 0 } });
  // Losing Redis is one of the faults: its connection errors are expected, and a poll that fails
  // says so where it is made. Without listeners they would be printed as unhandled.
  const connectionLost = () => undefined;
  redis.on('error', connectionLost);
  for (const stage of STAGES) queues.queue(stage).on('error', connectionLost);
  const kafka = createKafka({ clientId: 'oa-simulator', brokers: env.KAFKA_BROKERS!.split(','), logger: createLogger({ service: 'chaos', level: 'silent' }) });
  const producer = createProducer(kafka);
  await producer.connect();
  const s3 = createS3Client({ endpoint: env.S3_ENDPOINT!, region: 'us-east-1', accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY!, forcePathStyle: true, sdkChecksums: 'when_supported' });
  return {
    pool,
    redis,
    queues,
    kafka,
    producer,
    s3,
    async close() {
      await producer.disconnect().catch(() => undefined);
      await queues.close().catch(() => undefined);
      redis.disconnect();
      s3.destroy();
      await pool.end().catch(() => undefined);
    },
  };
}
