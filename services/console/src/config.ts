import { z } from 'zod';
import { databaseEnv, int, kafkaEnv, loadConfig, logEnv, pipelineEnv, redisEnv } from '@oa-archive/config';

export const consoleEnv = z.object({
  ...logEnv.shape,
  ...kafkaEnv.shape,
  ...redisEnv.shape,
  ...databaseEnv.shape,
  ...pipelineEnv.shape,
  /** Loopback by default: put a TLS-terminating proxy in front to serve it further. */
  CONSOLE_HOST: z.string().default('127.0.0.1'),
  CONSOLE_PORT: int(8080, 0),
  /** The intake consumer group whose lag the overview shows. */
  KAFKA_GROUP_ID: z.string().min(1).default('archive-intake'),
  RETENTION_SCHEDULE: z.string().min(1).optional(),
  /** Bulk replays enqueue at most this many ingests a second. */
  REPLAY_PER_SECOND: z.coerce.number().positive().default(5),
});
export type ConsoleConfig = z.infer<typeof consoleEnv>;

export function loadConsoleConfig(env: Record<string, string | undefined> = process.env): ConsoleConfig {
  return loadConfig(consoleEnv, env);
}
