import { z } from 'zod';
import { databaseEnv, kafkaEnv, loadConfig, logEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';

export const cliEnv = z.object({
  ...logEnv.shape,
  ...databaseEnv.shape,
  ...s3Env.shape,
  ...redisEnv.shape,
  ...pipelineEnv.shape,
  ...kafkaEnv.shape,
  RETENTION_SCHEDULE: z.string().min(1).optional(),
});
export type CliConfig = z.infer<typeof cliEnv>;

export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  return loadConfig(cliEnv, env);
}
