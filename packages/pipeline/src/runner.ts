import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { nextStage, type Stage } from '@oa-archive/contracts';
import { ingestLogger } from '@oa-archive/observability';
import type { PipelineDeps, StageHandler } from './context.ts';
import { describeError, isRetryable, UnknownIngestError } from './errors.ts';
import { queueNameOf, type StageJobData } from './queues.ts';

/**
 * Runs one attempt of a stage for one ingest and records what happened: a succeeded run moves the
 * document to the next stage's queue; a failed one is recorded with its reason, retried with
 * backoff while retrying can help, and marks the ingest FAILED (with a FAILED receipt) after the
 * last attempt.
 */
export async function runStage(stage: Stage, handler: StageHandler, deps: PipelineDeps, job: Job<StageJobData>): Promise<void> {
  const { ingestId, eventId } = job.data;
  const attempt = job.attemptsMade + 1;
  const attempts = job.opts.attempts ?? 1;
  const log = ingestLogger(deps.logger, { ingestId, eventId }).child({ stage, attempt });
  const startedAt = new Date();
  try {
    const ingest = await deps.catalog.getIngest(ingestId);
    if (!ingest) throw new UnknownIngestError(ingestId);
    const result = await handler({ ingest, attempt, log, deps });
    const next = result.next === undefined ? nextStage(stage) : (result.next ?? undefined);
    const finishedAt = new Date();
    await deps.catalog.recordStageRun(ingestId, stage, { attempt, status: 'SUCCEEDED', startedAt, finishedAt, detail: result.detail }, next);
    deps.metrics?.stageDuration.observe({ stage, result: 'succeeded' }, (finishedAt.getTime() - startedAt.getTime()) / 1000);
    if (stage === 'notify') deps.metrics?.outcomes.inc({ outcome: String(result.detail.outcome ?? 'unknown') });
    if (next) await deps.queues.enqueue(next, job.data, result.nextJobKey);
    log.info({ next: next ?? null, ms: Date.now() - startedAt.getTime() }, 'stage completed');
  } catch (error) {
    const retryable = isRetryable(error);
    const final = !retryable || attempt >= attempts;
    const { error: errorName, reason } = describeError(error);
    deps.metrics?.stageDuration.observe({ stage, result: 'failed' }, (Date.now() - startedAt.getTime()) / 1000);
    log.error({ err: error, retryable, final }, `stage failed: ${reason}`);
    if (!(error instanceof UnknownIngestError)) {
      await deps.catalog.recordStageRun(ingestId, stage, {
        attempt,
        status: 'FAILED',
        startedAt,
        finishedAt: new Date(),
        detail: { error: errorName, reason, retryable, willRetry: !final },
      });
      if (final) {
        await deps.catalog.markFailed(ingestId, { stage, reason: `${errorName}: ${reason}`, retryable, attempts: attempt });
        if (stage !== 'notify') await deps.queues.enqueue('notify', job.data, 'failed');
      }
    }
    if (!retryable) throw new UnrecoverableError(`${errorName}: ${reason}`);
    throw error;
  }
}

export function createStageWorker(
  stage: Stage,
  handler: StageHandler,
  deps: PipelineDeps,
  options: { connection: ConnectionOptions; prefix: string; concurrency: number; lockDurationMs?: number },
): Worker<StageJobData> {
  const worker = new Worker<StageJobData>(queueNameOf(stage), (job) => runStage(stage, handler, deps, job), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? 60_000,
    autorun: true,
  });
  // BullMQ reports connection trouble here; without a listener Node would treat it as fatal.
  worker.on('error', (error) => deps.logger.error({ err: error, stage }, 'worker error'));
  return worker;
}
