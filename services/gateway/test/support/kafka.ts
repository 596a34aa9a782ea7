import { testKafka } from '@oa-archive/testing';

/** How many records a topic holds, from its partitions' offsets: exact, with no waiting for stragglers. */
export async function recordsOn(topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
