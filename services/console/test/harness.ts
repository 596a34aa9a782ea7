import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import type { Catalog } from '@oa-archive/catalog';
import { readScheduleSource, StageQueues } from '@oa-archive/pipeline';
import { testKafka, testLogger, uniqueName } from '@oa-archive/testing';
import { buildConsole, loadConsoleConfig, type ConsoleDeps } from '../src/index.ts';

/** A schedule file (the default one without a path) and the schedule it holds, as ConsoleDeps carries them. */
export async function scheduleDeps(file?: string): Promise<Pick<ConsoleDeps, 'schedule' | 'scheduleFile'>> {
  const scheduleFile = await readScheduleSource(file);
  return { schedule: scheduleFile.schedule, scheduleFile };
}

/**
 * The console as the integration tests run it: on the test catalog and the machine's Redis and Kafka,
 * with the retention schedule its settings name (the default one otherwise). Callers close app, queues
 * and redis in their afterAll.
 */
export async function startTestConsole(db: { url: string; catalog: Catalog }, settings: Record<string, string> = {}): Promise<{ app: FastifyInstance; deps: ConsoleDeps; redis: Redis }> {
  const config = loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('console'), ...settings });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const deps: ConsoleDeps = {
    config,
    catalog: db.catalog,
    queues: new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: 2, backoffMs: 10 } }),
    redis,
    kafka: testKafka(),
    ...(await scheduleDeps(config.RETENTION_SCHEDULE)),
    logger: testLogger(),
  };
  return { app: await buildConsole(deps), deps, redis };
}
