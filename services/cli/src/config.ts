import { z } from 'zod';
import { databaseEnv, int, kafkaEnv, loadConfig, logEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';
import { parseStageDeadlines, type RecoverySettings } from '@oa-archive/pipeline';

export const cliEnv = z.object({
  ...logEnv.shape,
  ...databaseEnv.shape,
  ...s3Env.shape,
  ...redisEnv.shape,
  ...pipelineEnv.shape,
  ...kafkaEnv.shape,
  RETENTION_SCHEDULE: z.string().min(1).optional(),
  /** As the worker reads them: `archive reconcile-jobs` judges ingests as the workers' reconciler does. */
  STAGE_DEADLINES: z.string().default(''),
  RECONCILE_GRACE_MS: int(20_000, 0),
  RECONCILE_MAX_RECOVERIES: int(5, 0),
});
export type CliConfig = z.infer<typeof cliEnv>;

export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  return loadConfig(cliEnv, env);
}

export function recoverySettingsOf(config: Pick<CliConfig, 'STAGE_DEADLINES' | 'RECONCILE_GRACE_MS' | 'RECONCILE_MAX_RECOVERIES'>): RecoverySettings {
  return { deadlines: parseStageDeadlines(config.STAGE_DEADLINES), graceMs: config.RECONCILE_GRACE_MS, maxRecoveries: config.RECONCILE_MAX_RECOVERIES, batchSize: 500 };
}
