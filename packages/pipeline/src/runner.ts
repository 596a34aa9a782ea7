import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { isActive, stageOf, type StageRunEffect } from '@oa-archive/catalog';
import { nextStage, type Stage } from '@oa-archive/contracts';
import { ingestLogger, type Logger } from '@oa-archive/observability';
import type { PipelineDeps, StageHandler, StageResult } from './context.ts';
import { describeError, isRetryable, StageDeferredError, StageTimeoutError, UnknownIngestError } from './errors.ts';
import { runInStage } from './instrumentation.ts';
import { queueNameOf, receiptJobKeyOf, type StageJobData } from './queues.ts';
import { reconcileIngest } from './recovery/reconciler.ts';

/**
 * Runs one attempt of a stage for one ingest and records what happened: a succeeded run moves the
 * document to the next stage's queue (or records the outcome it reached, with its receipt); a failed
 * one is recorded with its reason, retried with backoff while retrying can help, and marks the ingest
 * FAILED (with a FAILED receipt) after the last attempt. A job for a stage the ingest has left (a
 * duplicate, or one a stalled worker still held) does nothing but make sure the ingest's current
 * stage has its job. The stage's deadline is enforced here, not by the job's lock.
 */
export async function runStage(stage: Stage, handler: StageHandler, deps: PipelineDeps, job: Job<StageJobData>, token?: string): Promise<void> {
  const { ingestId, eventId } = job.data;
  const attempt = job.attemptsMade + 1;
  const attempts = job.opts.attempts ?? 1;
  const log = ingestLogger(deps.logger, { ingestId, eventId }).child({ stage, attempt });
  const startedAt = new Date();
  const ingest = await deps.catalog.getIngest(ingestId);
  if (!ingest) {
    log.error('job for an ingest the catalog does not hold');
    throw new UnrecoverableError(`${new UnknownIngestError(ingestId).name}: ingest ${ingestId} is not in the catalog`);
  }
  // Notify only delivers receipts: it runs whatever the status.
  if (stage !== 'notify' && (!isActive(ingest.status) || stageOf({ current_stage: ingest.currentStage }) !== stage)) {
    if (isActive(ingest.status)) await deps.queues.enqueue(stageOf({ current_stage: ingest.currentStage }), job.data);
    log.info({ status: ingest.status, currentStage: ingest.currentStage }, 'stale job: the ingest has left this stage; nothing to do');
    return;
  }
  const deadlineMs = deps.settings.recovery.deadlines[stage];
  let effect: StageRunEffect;
  let result: StageResult;
  let next: Stage | undefined;
  try {
    result = await withDeadline(stage, deadlineMs, (signal) => handler({ ingest, attempt, log, deps, signal }));
    next = result.next === undefined ? nextStage(stage) : (result.next ?? undefined);
    const finishedAt = new Date();
    effect = await deps.catalog.completeStage(ingestId, stage, { attempt, startedAt, finishedAt, detail: result.detail }, { ...(next ? { next } : {}), ...(result.outcome ? { outcome: result.outcome } : {}) });
    deps.metrics?.stageDuration.observe({ stage, result: 'succeeded' }, (finishedAt.getTime() - startedAt.getTime()) / 1000);
  } catch (error) {
    // Not a failure: the job comes back later without spending an attempt (it needs its worker's token).
    if (error instanceof StageDeferredError && token) {
      log.info({ delayMs: error.delayMs }, `stage deferred: ${error.message}`);
      await job.moveToDelayed(Date.now() + error.delayMs, token);
      throw new DelayedError();
    }
    const retryable = isRetryable(error);
    const final = !retryable || attempt >= attempts;
    const { error: errorName, reason } = describeError(error);
    deps.metrics?.stageDuration.observe({ stage, result: 'failed' }, (Date.now() - startedAt.getTime()) / 1000);
    log.error({ err: error, retryable, final }, `stage failed: ${reason}`);
    effect = await deps.catalog.recordAttemptFailed(
      ingestId,
      stage,
      { attempt, startedAt, finishedAt: new Date(), detail: { error: errorName, reason, retryable, willRetry: !final } },
      final ? { stage, reason: `${errorName}: ${reason}`, retryable, attempts: attempt } : undefined,
    );
    await followUp(deps, job.data, effect);
    if (!retryable) throw new UnrecoverableError(`${errorName}: ${reason}`);
    throw error;
  }
  // Recorded: a failure to queue what comes next is not a failure of the stage. The job is retried
  // (finding the ingest moved on, it queues the next job) and the reconciler covers the rest.
  await followUp(deps, job.data, effect, result, next);
  log.info({ next: effect.transition?.receipt ? 'notify' : (next ?? null), to: effect.transition?.to, stale: effect.stale, ms: Date.now() - startedAt.getTime() }, 'stage completed');
}

/** After the catalog recorded the run: the next stage's job, or the receipt's notify job for an outcome. */
async function followUp(deps: PipelineDeps, data: StageJobData, effect: StageRunEffect, result?: StageResult, next?: Stage): Promise<void> {
  const receipt = effect.transition?.receipt;
  if (receipt) {
    deps.metrics?.outcomes.inc({ outcome: effect.transition!.to });
    // The receipt is in the outbox already; this job only makes it leave now rather than at the relay's next pass.
    await deps.queues.enqueue('notify', data, receiptJobKeyOf(receipt.seq));
    return;
  }
  if (result && next && effect.transition) await deps.queues.enqueue(next, data);
}

/** Runs the handler, failing the attempt (retryable) if it passes its deadline; the handler is told through the signal. */
async function withDeadline<T>(stage: Stage, deadlineMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const work = run(controller.signal);
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new StageTimeoutError(stage, deadlineMs);
      controller.abort(error);
      reject(error);
    }, deadlineMs);
  });
  // An abandoned handler may still reject later; that is expected, not an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface StageWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /**
   * How long a job's lock lasts unrenewed. A running job renews it every half of this, however long the
   * stage takes, so it only decides how soon a killed worker's job is taken over (about lock + stalled
   * interval). The stage's own deadline bounds how long an attempt may run.
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock has lapsed. */
  stalledIntervalMs?: number;
  /** Times a job may be taken over from a dead worker before BullMQ fails it (then the `failed` handler acts). */
  maxStalledCount?: number;
}

export const DEFAULT_LOCK_DURATION_MS = 30_000;
export const DEFAULT_STALLED_INTERVAL_MS = 15_000;
export const DEFAULT_MAX_STALLED_COUNT = 2;

export function createStageWorker(stage: Stage, handler: StageHandler, deps: PipelineDeps, options: StageWorkerOptions): Worker<StageJobData> {
  // In the stage's scope: what the attempt costs (S3 requests, processes) is counted against the stage.
  const worker = new Worker<StageJobData>(queueNameOf(stage), (job, token) => runInStage(stage, () => runStage(stage, handler, deps, job, token)), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT,
    autorun: true,
  });
  // BullMQ reports connection trouble here; without a listener Node would treat it as fatal.
  worker.on('error', (error) => deps.logger.error({ err: error, stage }, 'worker error'));
  // A job can fail without runStage recording it: BullMQ fails a job whose workers died too often
  // (stalled), and a catalog outage can stop the runner from marking the ingest. Settle it here;
  // the reconciler does the same if this process dies first.
  worker.on('failed', (job) => {
    if (job) void settleFailedJob(stage, deps, job, deps.logger);
  });
  return worker;
}

async function settleFailedJob(stage: Stage, deps: PipelineDeps, job: Job<StageJobData>, logger: Logger): Promise<void> {
  try {
    // Also emitted for an attempt that will be retried: only a job that has finally failed counts.
    if ((await job.getState()) !== 'failed') return;
    await reconcileIngest(deps, job.data.ingestId, deps.settings.recovery, { actor: `worker:${stage}`, stage });
  } catch (error) {
    logger.error({ err: error, stage, ingestId: job.data.ingestId }, 'could not settle a failed job; the reconciler will');
  }
}
