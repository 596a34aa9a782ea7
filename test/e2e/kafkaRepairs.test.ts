/** The Kafka adapter's repairs against the real broker; kept here because @oa-archive/testing depends on @oa-archive/kafka. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { readTopic, testKafka, uniqueName } from '@oa-archive/testing';
import { createProducer, ensureTopics, reconsumeWindow, redriveDeadLetters } from '@oa-archive/kafka';

const kafka = testKafka();
let producer: Producer;
beforeAll(async () => {
  producer = createProducer(kafka);
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
});

describe('re-driving dead letters and re-consuming a window (real Kafka)', () => {
  it('sends each dead-lettered record back to its topic once, as it was', async () => {
    const source = uniqueName('redrive-source');
    const dlq = uniqueName('redrive-dlq');
    await ensureTopics(kafka, [{ topic: source, numPartitions: 1 }, { topic: dlq, numPartitions: 1 }]);
    const letter = (content: string, encoding: 'utf8' | 'base64' = 'utf8') =>
      JSON.stringify({ reason: 'unknown source', issues: [], receivedAt: 'now', origin: { topic: source, partition: 0, offset: '3', key: 'doc-1' }, headers: { 'content-type': 'application/cloudevents+json' }, value: { encoding, content } });
    await producer.send({ topic: dlq, messages: [{ value: letter('{"id":"a"}') }, { value: letter(Buffer.from([0xff, 0x00]).toString('base64'), 'base64') }, { value: 'not a letter' }] });

    expect(await redriveDeadLetters(kafka, { deadLetterTopic: dlq, timeoutMs: 20_000 })).toEqual({ redriven: 2, skipped: 1 });
    const back = await readTopic(kafka, source, 2);
    expect(back.map((m) => [m.key, m.headers['content-type'], m.headers['x-redriven-from']])).toEqual([
      ['doc-1', 'application/cloudevents+json', dlq],
      ['doc-1', 'application/cloudevents+json', dlq],
    ]);
    expect(back[0]!.value).toBe('{"id":"a"}');
    // Already re-driven: a second call finds nothing new.
    expect(await redriveDeadLetters(kafka, { deadLetterTopic: dlq, timeoutMs: 5_000 })).toEqual({ redriven: 0, skipped: 0 });
  });

  it('publishes again exactly the records of a time window', async () => {
    const topic = uniqueName('reconsume');
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
    const t0 = Date.now() - 60_000;
    await producer.send({
      topic,
      messages: [
        { value: 'before', timestamp: String(t0) },
        { value: 'inside-1', timestamp: String(t0 + 20_000) },
        { value: 'inside-2', timestamp: String(t0 + 30_000) },
        { value: 'after', timestamp: String(t0 + 50_000) },
      ],
    });
    const result = await reconsumeWindow(kafka, { topic, since: new Date(t0 + 10_000), until: new Date(t0 + 40_000), timeoutMs: 20_000 });
    expect(result).toEqual({ republished: 2 });
    const all = await readTopic(kafka, topic, 6);
    expect(all.filter((m) => m.headers['x-reconsumed'] === '1').map((m) => m.value).sort()).toEqual(['inside-1', 'inside-2']);
  });
});
