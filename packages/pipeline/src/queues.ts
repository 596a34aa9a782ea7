import { Queue, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { STAGES, type Stage } from '@oa-archive/contracts';

/** The Redis key where intake publishes whether it holds back for back pressure (read by the console). */
export const intakeStateKey = (prefix: string) => `${prefix}:intake:state`;

/** What every stage job carries: the catalog holds the rest. */
export interface StageJobData {
  ingestId: string;
  eventId: string;
}

export function queueNameOf(stage: Stage): string {
  return `stage-${stage}`;
}

/** Deterministic per ingest and stage, so a duplicate enqueue while the job exists is a no-op. */
export function jobIdOf(ingestId: string, stage: Stage, key?: string): string {
  return key ? `${ingestId}-${stage}-${key}` : `${ingestId}-${stage}`;
}

/** The notify job of an ingest's n-th receipt: one per outcome reached, so a later outcome is never a duplicate. */
export const receiptJobKeyOf = (seq: number) => `r${seq}`;

/** BullMQ's job states, and `missing` when Redis holds no job under the id. */
export type JobState = 'missing' | 'waiting' | 'active' | 'delayed' | 'prioritized' | 'waiting-children' | 'completed' | 'failed' | 'unknown';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export function jobOptionsOf(policy: RetryPolicy, ingestId: string, stage: Stage, key?: string): JobsOptions {
  return {
    jobId: jobIdOf(ingestId, stage, key),
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    // Kept for the dashboards and for replay; the catalog is the lasting record.
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

/** A job of the ingest is running: the request has to wait for it. */
export class JobActiveError extends Error {
  override readonly name = 'JobActiveError';
  constructor(ingestId: string, stage: Stage) {
    super(`ingest ${ingestId} is being worked on at ${stage}; wait for it to finish`);
  }
}

/** One BullMQ queue per stage, sharing one connection. */
export class StageQueues {
  readonly #queues: Map<Stage, Queue<StageJobData>>;
  readonly #policy: RetryPolicy;

  constructor(connection: ConnectionOptions, options: { prefix: string; retry: RetryPolicy }) {
    this.#policy = options.retry;
    this.#queues = new Map(
      STAGES.map((stage) => [stage, new Queue<StageJobData>(queueNameOf(stage), { connection, prefix: options.prefix })]),
    );
  }

  queue(stage: Stage): Queue<StageJobData> {
    return this.#queues.get(stage)!;
  }

  async enqueue(stage: Stage, data: StageJobData, key?: string): Promise<void> {
    await this.queue(stage).add(stage, data, jobOptionsOf(this.#policy, data.ingestId, stage, key));
  }

  /** The ingest's job at `stage` and its state. */
  async jobOf(stage: Stage, ingestId: string): Promise<{ job: Job<StageJobData> | undefined; state: JobState }> {
    const job = await this.queue(stage).getJob(jobIdOf(ingestId, stage));
    if (!job) return { job: undefined, state: 'missing' };
    return { job, state: (await job.getState()) as JobState };
  }

  /**
   * Removes the ingest's finished (completed or failed) jobs from `from` to deposit, so a fresh run of
   * those stages is not taken for a duplicate (job ids are one per ingest and stage). Jobs still to
   * run are left: they do the work; an active one refuses the request (the ingest is being worked on).
   */
  async clearFinishedFrom(from: Stage, ingestId: string): Promise<void> {
    for (const stage of STAGES.slice(STAGES.indexOf(from)).filter((s) => s !== 'notify')) {
      const { job, state } = await this.jobOf(stage, ingestId);
      if (state === 'active') throw new JobActiveError(ingestId, stage);
      if (job && (state === 'completed' || state === 'failed' || state === 'unknown')) await job.remove();
    }
  }

  /** Jobs not yet finished across all stages: what intake's back-pressure watches. */
  async backlog(): Promise<number> {
    const counts = await Promise.all(
      [...this.#queues.values()].map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')),
    );
    return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
  }

  async counts(): Promise<Record<Stage, Record<string, number>>> {
    const entries = await Promise.all(
      [...this.#queues.entries()].map(async ([stage, q]) => [stage, await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')] as const),
    );
    return Object.fromEntries(entries) as Record<Stage, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.close()));
  }
}
