import { z } from 'zod';
import { databaseEnv, int, kafkaEnv, loadConfig, logEnv, oaSourcesEnv, pipelineEnv, redisEnv } from '@oa-archive/config';

export const intakeEnv = z
  .object({
    ...logEnv.shape,
    ...kafkaEnv.shape,
    ...redisEnv.shape,
    ...databaseEnv.shape,
    ...oaSourcesEnv.shape,
    ...pipelineEnv.shape,
    KAFKA_GROUP_ID: z.string().min(1).default('archive-intake'),
    /** Pause consuming when this many stage jobs are unfinished … */
    INTAKE_BACKLOG_PAUSE: int(2000, 1),
    /** … and resume once the backlog is down to this. */
    INTAKE_BACKLOG_RESUME: int(1000, 0),
    INTAKE_BACKLOG_POLL_MS: int(1000, 50),
    /** /metrics, /healthz and /readyz; 0 picks a free port, -1 turns them off. */
    INTAKE_OPS_HOST: z.string().default('127.0.0.1'),
    INTAKE_OPS_PORT: z.coerce.number().int().min(-1).max(65535).default(9465),
  })
  .refine((env) => env.INTAKE_BACKLOG_RESUME < env.INTAKE_BACKLOG_PAUSE, {
    message: 'INTAKE_BACKLOG_RESUME must be below INTAKE_BACKLOG_PAUSE',
    path: ['INTAKE_BACKLOG_RESUME'],
  });

export type IntakeConfig = z.infer<typeof intakeEnv>;

export function loadIntakeConfig(env: Record<string, string | undefined> = process.env): IntakeConfig {
  return loadConfig(intakeEnv, env);
}
