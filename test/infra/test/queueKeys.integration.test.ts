import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { STAGES } from '@oa-archive/contracts';
import { queueNameOf, StageQueues } from '@oa-archive/pipeline';
import { uniqueName, waitFor } from '@oa-archive/testing';
import { named } from '../src/index.ts';
import { kube, kubeApps } from './fixtures.ts';

/**
 * KEDA counts jobs by the Redis list names in the ScaledObjects; those names are BullMQ's key layout,
 * which a BullMQ upgrade could change. Here the real queues put a job in each list, and each name the
 * triggers give is read back with the deployment's prefix replaced by this test's.
 */
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = uniqueName('keda');
const queues = new StageQueues(redis, { prefix, retry: { attempts: 1, backoffMs: 10 } });

afterAll(async () => {
  await queues.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const triggerLists = kube.objects
  .filter((o) => o.kind === 'ScaledObject')
  .flatMap((o) => (o.spec as { triggers: { type: string; metadata: Record<string, string> }[] }).triggers)
  .filter((t) => t.type === 'redis')
  .map((t) => t.metadata.listName!);
const deployedPrefix = String(named(kube.objects, 'ConfigMap', 'archive-config')!.data && (named(kube.objects, 'ConfigMap', 'archive-config')!.data as Record<string, string>).QUEUE_PREFIX);

describe('the KEDA triggers count the lists BullMQ keeps', () => {
  it('every worker stage is counted', () => {
    const stages = new Set(kubeApps.filter((a) => a.service === 'worker').flatMap((a) => a.env.WORKER_STAGES!.split(',')));
    expect([...stages].sort()).toEqual([...STAGES].sort());
    for (const stage of STAGES) expect(triggerLists).toContain(`${deployedPrefix}:${queueNameOf(stage)}:wait`);
  });

  it('a waiting job is in the wait list the trigger names', async () => {
    for (const stage of STAGES) await queues.enqueue(stage, { ingestId: `ing-${stage}`, eventId: `ev-${stage}` });
    for (const list of triggerLists.filter((l) => l.endsWith(':wait'))) {
      const key = list.replace(`${deployedPrefix}:`, `${prefix}:`);
      expect(await redis.type(key), key).toBe('list');
      expect(await redis.llen(key), key).toBe(1);
    }
  });

  it('a running job is in the active list the trigger names', async () => {
    const stage = 'classify';
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker(queueNameOf(stage), () => held, { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix });
    try {
      const list = triggerLists.find((l) => l === `${deployedPrefix}:${queueNameOf(stage)}:active`)!;
      expect(list).toBeDefined();
      const key = list.replace(`${deployedPrefix}:`, `${prefix}:`);
      await waitFor(async () => (await redis.llen(key)) === 1, { what: `a job in ${key}` });
      expect(await redis.llen(key.replace(/:active$/, ':wait'))).toBe(0);
    } finally {
      release();
      await worker.close();
    }
  });
});
