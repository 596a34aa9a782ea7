import { z } from 'zod';
import { custodyEnv, databaseEnv, int, kafkaEnv, loadConfig, logEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';
import { LOCAL_SOURCES_FILE } from '@oa-archive/gateway';
import { DEFAULT_LOCALE, LOCALES } from '@oa-archive/messages';
import { parseStageDeadlines, type RecoverySettings } from '@oa-archive/pipeline';

export const cliEnv = z.object({
  ...logEnv.shape,
  ...databaseEnv.shape,
  ...s3Env.shape,
  ...redisEnv.shape,
  ...pipelineEnv.shape,
  ...kafkaEnv.shape,
  ...custodyEnv.shape,
  RETENTION_SCHEDULE: z.string().min(1).optional(),
  /** The language of the commands' human-facing output: zh-CN (default) or en. */
  ARCHIVE_LOCALE: z.enum(LOCALES).default(DEFAULT_LOCALE),
  /** The gateway's sources file: where `archive reconcile` asks each OA what it finalized. */
  GATEWAY_SOURCES_FILE: z.string().min(1).default(LOCAL_SOURCES_FILE),
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
