import { z } from 'zod';
import { databaseEnv, loadConfig, logEnv, s3Env } from '@oa-archive/config';

export const cliEnv = z.object({ ...logEnv.shape, ...databaseEnv.shape, ...s3Env.shape });
export type CliConfig = z.infer<typeof cliEnv>;

export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  return loadConfig(cliEnv, env);
}
