import { fixitySettingsOf, replicaS3SettingsOf, s3SettingsOf } from '@oa-archive/config';
import type { Logger } from '@oa-archive/observability';
import { CustodyMetrics, startCustodyTasks, type PipelineDeps } from '@oa-archive/pipeline';
import { createS3Client, ensureBuckets, ObjectStore } from '@oa-archive/storage';
import type { WorkerConfig } from './config.ts';

/**
 * Fixity audits and the second copy, in every worker process (leases keep replicas from doing one
 * AIP twice). Custody has its own clients, closed with the tasks: audits digest every byte
 * themselves, so the SDK's check of a GET against the store's recorded checksum is off for them.
 */
export async function startCustody(config: WorkerConfig, deps: PipelineDeps, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const replicaSettings = replicaS3SettingsOf(config);
  const primaryS3 = createS3Client({ ...s3SettingsOf(config), responseChecksums: 'when_required' });
  const replicaS3 = replicaSettings ? createS3Client({ ...replicaSettings.s3, responseChecksums: 'when_required' }) : undefined;
  if (replicaS3 && replicaSettings && config.S3_CREATE_BUCKETS) await ensureBuckets(replicaS3, [replicaSettings.bucket]);
  const tasks = startCustodyTasks(
    {
      catalog: deps.catalog,
      primary: new ObjectStore(primaryS3),
      ...(replicaS3 && replicaSettings ? { replica: { store: new ObjectStore(replicaS3), bucket: replicaSettings.bucket } } : {}),
      settings: fixitySettingsOf(config),
      ...(deps.metrics ? { metrics: new CustodyMetrics(deps.metrics.registry, deps.catalog.pool) } : {}),
      logger,
    },
    { fixityMs: config.FIXITY_INTERVAL_MS, replicationMs: config.REPLICATION_INTERVAL_MS },
  );
  return {
    async stop() {
      await tasks.stop();
      primaryS3.destroy();
      replicaS3?.destroy();
    },
  };
}
