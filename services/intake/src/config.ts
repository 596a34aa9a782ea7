import { z } from 'zod';
import { databaseEnv, int, kafkaEnv, loadConfig, logEnv, oaSourcesEnv, pipelineEnv, redisEnv, refineKafkaEnv } from '@oa-archive/config';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const intakeEnv = z
  .object({
    ...logEnv.shape,
    ...kafkaEnv.shape,
    ...redisEnv.shape,
    ...databaseEnv.shape,
    ...oaSourcesEnv.shape,
    ...pipelineEnv.shape,
    KAFKA_GROUP_ID: z.string().min(1).default('archive-intake'),
    /**
     * How long the broker waits for a silent consumer before handing its partitions to another. A killed
     * intake's partitions stand still this long; kafkajs's 30 s default made every intake crash cost 30 s.
     */
    INTAKE_SESSION_TIMEOUT_MS: int(10_000, 6_000),
    /** Pause consuming when this many stage jobs are unfinished … */
    INTAKE_BACKLOG_PAUSE: int(2000, 1),
    /** … and resume once the backlog is down to this. */
    INTAKE_BACKLOG_RESUME: int(1000, 0),
    INTAKE_BACKLOG_POLL_MS: int(1000, 50),
    /** /metrics, /healthz and /readyz; 0 picks a free port, -1 turns them off. */
    INTAKE_OPS_HOST: z.string().default('127.0.0.1'),
    INTAKE_OPS_PORT: z.coerce.number().int().min(-1).max(65535).default(9465),
    /** A record larger than this (value, key and headers) is dead-lettered unread. */
    INTAKE_MAX_MESSAGE_BYTES: int(MiB, 1024),
    /** Components one event may declare (the contract's own ceiling is 500). */
    INTAKE_MAX_COMPONENTS: int(200, 1).pipe(z.number().max(500)),
    /** Sum of the sizes the components declare. */
    INTAKE_MAX_DECLARED_BYTES: int(16 * GiB, 1),
    /**
     * Tries to record an event the catalog refuses for its content (a data exception or a constraint) before
     * it is dead-lettered; a database that is down or busy is retried without limit instead.
     */
    INTAKE_RECORD_ATTEMPTS: int(3, 1),
    INTAKE_RECORD_BACKOFF_MS: int(200, 0),
    /** A partition with records waiting whose offset has not moved for this long is reported stalled (/readyz, metric, console). */
    INTAKE_STALL_AFTER_MS: int(5 * 60_000, 100),
    INTAKE_STALL_CHECK_MS: int(15_000, 50),
  })
  .superRefine(refineKafkaEnv)
  .refine((env) => env.INTAKE_BACKLOG_RESUME < env.INTAKE_BACKLOG_PAUSE, {
    message: 'INTAKE_BACKLOG_RESUME must be below INTAKE_BACKLOG_PAUSE',
    path: ['INTAKE_BACKLOG_RESUME'],
  });

export type IntakeConfig = z.infer<typeof intakeEnv>;

export function loadIntakeConfig(env: Record<string, string | undefined> = process.env): IntakeConfig {
  return loadConfig(intakeEnv, env);
}
