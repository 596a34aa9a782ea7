import { loadConsoleConfig, startConsole, type ConsoleProcess } from '@oa-archive/console';
import { loadIntakeConfig, startIntake, type IntakeService } from '@oa-archive/intake';
import { testLogger, uniqueName } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '@oa-archive/worker';

/**
 * Settings for a whole pipeline of its own on the shared services: topics, consumer group, queues and
 * buckets named after `name` so nothing meets another test's, one OA source ('oa-simulator') allowed
 * from `origins` with `token`, and ops and console ports chosen by the system.
 */
export function pipelineEnv(name: string, databaseUrl: string, source: { origins: string[]; token: string }, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_TOPIC_FINALIZED: uniqueName(`${name}-finalized`),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName(`${name}-dlq`),
    KAFKA_TOPIC_RECEIPTS: uniqueName(`${name}-receipts`),
    KAFKA_GROUP_ID: uniqueName(`${name}-intake`),
    QUEUE_PREFIX: uniqueName(name),
    S3_STAGING_BUCKET: uniqueName(`${name}-staging`),
    S3_ARCHIVE_BUCKET: uniqueName(`${name}-archive`),
    S3_QUARANTINE_BUCKET: uniqueName(`${name}-quarantine`),
    OA_SOURCES: JSON.stringify({ 'oa-simulator': { allowedOrigins: source.origins, token: source.token } }),
    CONSOLE_PORT: '0',
    WORKER_OPS_PORT: '0',
    INTAKE_OPS_PORT: '0',
    ...extra,
  };
}

/** A worker, intake and the console on those settings, started in that order. */
export async function startPipeline(env: Record<string, string>): Promise<{ worker: WorkerProcess; intake: IntakeService; consoleProcess: ConsoleProcess }> {
  const worker = await startWorker(loadWorkerConfig(env), testLogger());
  const intake = await startIntake(loadIntakeConfig(env), testLogger());
  const consoleProcess = await startConsole(loadConsoleConfig(env), testLogger());
  return { worker, intake, consoleProcess };
}
