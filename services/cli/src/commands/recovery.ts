import { Redis } from 'ioredis';
import type { Catalog } from '@oa-archive/catalog';
import { createLogger } from '@oa-archive/observability';
import { reconcileJobs, StageQueues, type ReconcileReport } from '@oa-archive/pipeline';
import { recoverySettingsOf, type CliConfig } from '../config.ts';

/** One line per action and a summary: what `archive reconcile-jobs` prints. */
export function reconcileReportLines(report: ReconcileReport): string[] {
  if (!report.ran) return [`not run: ${report.skipped}`];
  const counts = { requeued: 0, overdue: 0, failed: 0 };
  for (const a of report.actions) counts[a.action]++;
  return [
    ...report.actions.map((a) => `${a.ingestId}  ${a.stage}  ${a.action}  (job ${a.jobState})  ${a.reason}`),
    `checked ${report.checked} ingest(s) on their way: ${counts.requeued} requeued, ${counts.overdue} overdue, ${counts.failed} failed`,
  ];
}

/**
 * One reconciler pass, as the workers run every RECONCILE_INTERVAL_MS: ingests whose stage job was
 * lost, failed unrecorded or overran are put back at their stage (or FAILED after too many tries).
 * Waits for no one: if a worker's pass is running, says so.
 */
export async function reconcileJobsCommand(config: CliConfig, catalog: Catalog, who: string, out: (line: string) => void): Promise<number> {
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: config.STAGE_ATTEMPTS, backoffMs: config.STAGE_BACKOFF_MS } });
  try {
    const report = await reconcileJobs({ catalog, queues, logger: createLogger({ service: 'cli', level: 'warn' }) }, recoverySettingsOf(config), `reconciler (cli, ${who})`);
    reconcileReportLines(report).forEach((line) => out(line));
    return report.ran ? 0 : 1;
  } finally {
    await queues.close();
    await redis.quit();
  }
}
