// A worker that takes one job and hangs on it, for a test to SIGKILL: what a crashed or OOM-killed
// worker process leaves behind (an active job whose lock is no longer renewed).
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

// All workers of a queue share BullMQ's stalled-check throttle, so this one checks as often as the test's.
const [queueName, prefix, lockMs, stalledMs, redisUrl] = process.argv.slice(2);
const worker = new Worker(
  queueName!,
  async () => {
    process.send?.('started');
    await new Promise(() => undefined);
  },
  { connection: new Redis(redisUrl!, { maxRetriesPerRequest: null }), prefix: prefix!, lockDuration: Number(lockMs), stalledInterval: Number(stalledMs), concurrency: 1 },
);
worker.on('error', (error) => process.stderr.write(`${error.message}\n`));
