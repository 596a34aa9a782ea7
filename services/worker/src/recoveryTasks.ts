import type { Logger } from '@oa-archive/observability';
import { PeriodicTask, publishPendingReceipts, reconcileJobs, type PipelineDeps } from '@oa-archive/pipeline';
import type { WorkerConfig } from './config.ts';

/**
 * What a worker process runs besides its stages, so that every ingest reaches a final outcome and its
 * receipt leaves: the receipt relay (pending receipts from the outbox to Kafka) and the reconciler
 * (ingests whose job was lost, failed unrecorded or overran). Both are safe with many replicas.
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
  if (config.RECONCILE_INTERVAL_MS > 0) {
    tasks.push(new PeriodicTask('reconciler', config.RECONCILE_INTERVAL_MS, () => reconcileJobs(deps, deps.settings.recovery), logger).start());
  }
  return { stop: async () => void (await Promise.all(tasks.map((t) => t.stop()))) };
}
