import type { PlannedFault } from './schedule.ts';
import type { Stack } from './stack.ts';

export interface FaultRecord extends PlannedFault {
  /** Epoch ms: when the fault was injected … */
  startedAt: number;
  /** … and when its target answered again (a restarted service: once it logged that it is ready). */
  restoredAt: number;
  /** What did not go as planned, e.g. a server that needed a second start. */
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Brings a target back, a few times if need be: the run must go on with every part up. */
async function restore(what: string, bringBack: () => Promise<void>, problems: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await bringBack();
      return;
    } catch (error) {
      problems.push(`${what} did not come back (attempt ${attempt}): ${(error as Error).message.split('\n')[0]}`);
      if (attempt >= 3) throw error;
      await sleep(2000);
    }
  }
}

/** Injects one fault and waits until its target is back. */
export async function inject(stack: Stack, fault: PlannedFault): Promise<FaultRecord> {
  const startedAt = Date.now();
  const problems: string[] = [];
  const outage = async (what: string, takeDown: () => Promise<void>, bringBack: () => Promise<void>) => {
    await takeDown();
    await sleep(fault.holdMs);
    await restore(what, bringBack, problems);
  };
  switch (fault.kind) {
    case 'kill-worker':
    case 'kill-intake': {
      const service = stack.service(fault.target);
      await outage(fault.target, () => service.kill(), () => stack.restart(service));
      break;
    }
    case 'restart-redis':
      await outage('redis', () => stack.redis.kill(), () => stack.redis.start());
      break;
    case 'stop-kafka':
      await outage('kafka', () => stack.kafka.stop(), () => stack.kafka.start());
      break;
    case 'stop-s3':
      await outage('s3', () => stack.s3.stop(), () => stack.s3.start());
      break;
    case 'restart-postgres':
      await outage('postgresql', () => stack.postgres.stop('fast'), () => stack.postgres.start());
      break;
  }
  return { ...fault, startedAt, restoredAt: Date.now(), problems };
}
