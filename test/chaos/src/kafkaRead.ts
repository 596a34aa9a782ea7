import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface TopicRecord {
  key: string | null;
  value: string;
  timestamp: number;
}

/**
 * Every record on a topic, from the beginning up to the end as it is now (the high watermark of
 * each partition when the read starts), with a throw-away consumer group.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, timeoutMs = 120_000): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];
  const records: TopicRecord[] = [];
  const consumer = kafka.consumer({ groupId: `chaos-reader-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} to its end took over ${timeoutMs / 1000} s (${records.length} records read)`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const end = ends.get(partition);
          if (end === undefined || BigInt(message.offset) >= end) return;
          records.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', timestamp: Number(message.timestamp) });
          if (BigInt(message.offset) + 1n >= end) ends.delete(partition);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
