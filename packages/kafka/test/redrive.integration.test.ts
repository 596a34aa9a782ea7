import { randomBytes } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@oa-archive/observability';
import { createKafka, createProducer, ensureTopics, redriveDeadLetters } from '../src/index.ts';

// Built here rather than from @oa-archive/testing, which depends on this package.
const kafka = createKafka({ clientId: 'test', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logger: createLogger({ service: 'test', level: 'silent' }) });
const name = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function firstMessage(topic: string): Promise<{ value: Buffer | null; headers: IHeaders }> {
  const consumer = kafka.consumer({ groupId: name('test-reader') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing arrived on ${topic}`)), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve({ value: message.value, headers: message.headers ?? {} });
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('redriveDeadLetters (real Kafka)', () => {
  it('restores headers that were not UTF-8 byte for byte, and skips a letter that carries no value', async () => {
    const source = name('redrive-source');
    const dlq = name('redrive-dlq');
    await ensureTopics(kafka, [{ topic: source, numPartitions: 1 }, { topic: dlq, numPartitions: 1 }]);
    const origin = { topic: source, partition: 0, offset: '0', key: 'doc-1' };
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: dlq,
      messages: [
        { value: JSON.stringify({ reason: 'r', issues: [], receivedAt: 'now', origin, headers: { ce_id: 'a' }, binaryHeaders: { trace: Buffer.from([0xff, 0x00, 0x01]).toString('base64') }, value: { encoding: 'utf8', content: '{}' } }) },
        { value: JSON.stringify({ reason: 'too large', issues: [], receivedAt: 'now', origin, headers: {}, value: null, valueOmitted: { bytes: 20_000_000, sha256: '0'.repeat(64), why: 'too large' } }) },
      ],
    });
    await producer.disconnect();

    expect(await redriveDeadLetters(kafka, { deadLetterTopic: dlq, timeoutMs: 20_000 })).toEqual({ redriven: 1, skipped: 1 });
    const back = await firstMessage(source);
    expect(back.value?.toString()).toBe('{}');
    expect(back.headers.ce_id?.toString()).toBe('a');
    expect(Buffer.from(back.headers.trace as Buffer).equals(Buffer.from([0xff, 0x00, 0x01]))).toBe(true);
  });
});
