import { hostname } from 'node:os';
import type { Logger } from '@oa-archive/observability';
import { callbackTargetsOf, deliverCallbacks, PeriodicTask, publishPendingReceipts, reconcileJobs, type CallbackSettings, type PipelineDeps } from '@oa-archive/pipeline';
import type { WorkerConfig } from './config.ts';

/** The callback delivery settings from the worker's environment. */
export function callbackSettingsOf(config: WorkerConfig): CallbackSettings {
  return {
    attempts: config.CALLBACK_ATTEMPTS,
    backoff: { baseMs: config.CALLBACK_BACKOFF_MS, maxMs: config.CALLBACK_BACKOFF_MAX_MS },
    timeoutMs: config.CALLBACK_TIMEOUT_MS,
    batchSize: config.CALLBACK_BATCH,
    worker: `${hostname()}:${process.pid}`,
  };
}

/**
 * What a worker process runs besides its stages, so that every ingest reaches a final outcome and its
 * receipt leaves: the receipt relay (pending receipts from the outbox to Kafka), callback delivery
 * (receipts POSTed to the OA sources that want them) and the reconciler (ingests whose job was lost,
 * failed unrecorded or overran). All are safe with many replicas.
 */
export function startRecoveryTasks(config: WorkerConfig, deps: PipelineDeps, logger: Logger): { stop(): Promise<void> } {
  const tasks: PeriodicTask[] = [];
  if (config.RECEIPT_RELAY_INTERVAL_MS > 0) {
    const relay = { catalog: deps.catalog, producer: deps.producer, topic: deps.settings.receiptsTopic };
    tasks.push(
      new PeriodicTask('receipt relay', config.RECEIPT_RELAY_INTERVAL_MS, async () => {
        const sent = await publishPendingReceipts(relay);
        deps.metrics?.receiptsPublished.inc(sent.length);
        if (sent.length > 0) logger.info({ receipts: sent.length }, 'receipts published from the outbox');
      }, logger).start(),
    );
  }
  if (config.CALLBACK_INTERVAL_MS > 0 && Object.keys(callbackTargetsOf(deps.settings.sources)).length > 0) {
    const callbacks = { catalog: deps.catalog, sources: deps.settings.sources, settings: callbackSettingsOf(config), logger };
    tasks.push(
      new PeriodicTask('callback delivery', config.CALLBACK_INTERVAL_MS, async () => {
        const pass = await deliverCallbacks(callbacks);
        if (pass.delivered.length + pass.retried + pass.dead > 0) logger.info({ delivered: pass.delivered.length, retried: pass.retried, dead: pass.dead }, 'callbacks sent to the OA');
      }, logger).start(),
    );
  }
  if (config.RECONCILE_INTERVAL_MS > 0) {
    tasks.push(new PeriodicTask('reconciler', config.RECONCILE_INTERVAL_MS, () => reconcileJobs(deps, deps.settings.recovery), logger).start());
  }
  return { stop: async () => void (await Promise.all(tasks.map((t) => t.stop()))) };
}
