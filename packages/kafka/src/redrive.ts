import { randomBytes } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { createProducer } from './client.ts';

interface DeadLetterMessage {
  reason: string;
  origin: { topic: string; partition: number; offset: string; key: string | null };
  headers: Record<string, string | undefined>;
  binaryHeaders?: Record<string, string>;
  value: { encoding: 'utf8' | 'base64'; content: string } | null;
}

/** Reads every message of `topic` from the given start offsets up to the offsets current at the call. */
async function readRange(
  kafka: Kafka,
  topic: string,
  groupId: string,
  start: 'committed' | Map<number, string>,
  handle: (message: { partition: number; offset: string; key: Buffer | null; value: Buffer | null; headers: IHeaders | undefined; timestamp: string }) => Promise<boolean | void>,
  options: { timeoutMs: number; limit?: number },
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  const committed = start === 'committed' ? new Map(((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? []).map((p) => [p.partition, p.offset])) : start;
  await admin.disconnect();
  const from = (partition: number) => {
    const offset = committed.get(partition);
    return offset === undefined || Number(offset) < 0 ? 0n : BigInt(offset);
  };
  const pending = new Set([...ends].filter(([partition, end]) => from(partition) < end).map(([partition]) => partition));
  if (pending.size === 0) return 0;

  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  let handled = 0;
  let stop: () => void = () => {};
  const finished = new Promise<void>((resolve) => (stop = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (start !== 'committed') for (const partition of pending) consumer.seek({ topic, partition, offset: from(partition).toString() });
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = ends.get(partition) ?? 0n;
        // Before the window (a seek not yet applied): not ours to handle.
        if (BigInt(message.offset) < from(partition)) return;
        if (BigInt(message.offset) >= end || !pending.has(partition) || (options.limit !== undefined && handled >= options.limit)) {
          pending.delete(partition);
          if (pending.size === 0 || (options.limit !== undefined && handled >= options.limit)) stop();
          return;
        }
        await handle({ partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp });
        handled++;
        if (start === 'committed') await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        if (BigInt(message.offset) + 1n >= end) pending.delete(partition);
        if (pending.size === 0 || (options.limit !== undefined && handled >= options.limit)) stop();
      },
    });
    const timer = setTimeout(stop, options.timeoutMs);
    await finished;
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return handled;
}

/**
 * Sends dead-lettered records back to the topic they came from, once the cause is fixed (a source
 * configured, a contract bug corrected). A dedicated consumer group remembers what was re-driven, so
 * each letter goes back once; a record that is still wrong simply lands in the dead-letter topic again.
 */
export async function redriveDeadLetters(kafka: Kafka, options: { deadLetterTopic: string; groupId?: string; limit?: number; timeoutMs?: number }): Promise<{ redriven: number; skipped: number }> {
  const producer = createProducer(kafka);
  await producer.connect();
  let skipped = 0;
  try {
    const redriven = await readRange(
      kafka,
      options.deadLetterTopic,
      options.groupId ?? `${options.deadLetterTopic}.redrive`,
      'committed',
      async ({ value }) => {
        let letter: DeadLetterMessage | null = null;
        try {
          letter = JSON.parse(value?.toString() ?? 'null') as DeadLetterMessage | null;
        } catch {
          // Not a dead letter of ours: counted as skipped, never re-sent.
        }
        // A letter without its value (too large to carry) cannot be re-sent from here: it stays skipped.
        if (!letter?.value || !letter.origin?.topic) {
          skipped++;
          return;
        }
        const bytes = letter.value.encoding === 'base64' ? Buffer.from(letter.value.content, 'base64') : Buffer.from(letter.value.content, 'utf8');
        const headers: Record<string, string | Buffer> = Object.fromEntries(Object.entries(letter.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
        for (const [name, base64] of Object.entries(letter.binaryHeaders ?? {})) headers[name] = Buffer.from(base64, 'base64');
        await producer.send({ topic: letter.origin.topic, messages: [{ key: letter.origin.key, value: bytes, headers: { ...headers, 'x-redriven-from': `${options.deadLetterTopic}` } }] });
      },
      { timeoutMs: options.timeoutMs ?? 30_000, ...(options.limit !== undefined ? { limit: options.limit } : {}) },
    );
    return { redriven: redriven - skipped, skipped };
  } finally {
    await producer.disconnect();
  }
}

/**
 * Publishes again every record a topic received in [since, until): for events the pipeline never saw
 * (a consumer that was reset, a partition that was skipped). Records it did see are no-ops, since the
 * ingest key makes a duplicate event do nothing.
 */
export async function reconsumeWindow(kafka: Kafka, options: { topic: string; since: Date; until: Date; timeoutMs?: number }): Promise<{ republished: number }> {
  const admin = kafka.admin();
  await admin.connect();
  const starts = new Map((await admin.fetchTopicOffsetsByTimestamp(options.topic, options.since.getTime())).map((p) => [p.partition, p.offset]));
  await admin.disconnect();
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const messages: { key: Buffer | null; value: Buffer | null; headers: IHeaders }[] = [];
    // A throwaway group: reading a window must not move any real consumer's offsets.
    await readRange(
      kafka,
      options.topic,
      `reconsume-${randomBytes(6).toString('hex')}`,
      starts,
      async ({ key, value, headers, timestamp }) => {
        if (Number(timestamp) < options.until.getTime()) messages.push({ key, value, headers: { ...(headers ?? {}), 'x-reconsumed': '1' } });
      },
      { timeoutMs: options.timeoutMs ?? 30_000 },
    );
    for (let i = 0; i < messages.length; i += 500) await producer.send({ topic: options.topic, messages: messages.slice(i, i + 500) });
    return { republished: messages.length };
  } finally {
    await producer.disconnect();
  }
}
