import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKafka } from '@oa-archive/kafka';
import { createLogger } from '@oa-archive/observability';

/** Helpers for tests that run against the real services of infra/local. */

export { CallbackReceiver, unusedPort } from './callbackReceiver.ts';
export type { ReceivedCallback } from './callbackReceiver.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? 'condition'}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

export const testLogger = () => createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function testKafka(): Kafka {
  return createKafka({ clientId: 'test', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logger: testLogger() });
}

/** Every message currently on a topic, read from the beginning with a throwaway consumer group. */
export async function readTopic(kafka: Kafka, topic: string, expected: number, timeoutMs = 20_000): Promise<{ key: string | null; value: string; headers: Record<string, string> }[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('test-reader') });
  const messages: { key: string | null; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(Array.isArray(v) ? v[0] : v);
        messages.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
      },
    });
    await waitFor(() => messages.length >= expected, { timeoutMs, what: `${expected} message(s) on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
