import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { Catalog, createPool, migrate } from '@oa-archive/catalog';
import { kafkaSettingsOf, s3SettingsOf } from '@oa-archive/config';
import { createS3Client, ObjectStore } from '@oa-archive/storage';
import { createKafka } from '@oa-archive/kafka';
import { createLogger, type Logger } from '@oa-archive/observability';
import { effectiveSchedule, readScheduleSource, SCHEDULE_REFRESH_MS, StageQueues, startScheduleRefresh } from '@oa-archive/pipeline';
import { buildConsole } from './app.ts';
import { CONSOLE_POOL_SIZE, type ConsoleConfig } from './config.ts';
import type { ConsoleDeps } from './deps.ts';

export interface ConsoleProcess {
  app: FastifyInstance;
  deps: ConsoleDeps;
  url: string;
  close(): Promise<void>;
}

export async function startConsole(config: ConsoleConfig, logger: Logger = createLogger({ service: 'console', level: config.LOG_LEVEL })): Promise<ConsoleProcess> {
  // A schedule that does not load stops the console at start-up, as it stops the worker.
  const scheduleFile = await readScheduleSource(config.RETENTION_SCHEDULE);
  const catalog = new Catalog(createPool(config.DATABASE_URL, CONSOLE_POOL_SIZE));
  await migrate(catalog.pool);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: config.STAGE_ATTEMPTS, backoffMs: config.STAGE_BACKOFF_MS } });
  const deps: ConsoleDeps = {
    config,
    catalog,
    queues,
    redis,
    kafka: createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-console`, logger, ...kafkaSettingsOf(config) }),
    // The schedule in force, rules accepted from review included: review suggestions and settlements follow it.
    schedule: (await effectiveSchedule(catalog.pool, scheduleFile)).schedule,
    scheduleFile,
    logger,
    contentStore: new ObjectStore(createS3Client(s3SettingsOf(config))),
  };
  const app = await buildConsole(deps);
  const url = await app.listen({ host: config.CONSOLE_HOST, port: config.CONSOLE_PORT });
  // A version accepted on the proposals page (here or on another replica) is followed without a restart.
  const scheduleRefresh = startScheduleRefresh(deps, scheduleFile, SCHEDULE_REFRESH_MS);
  logger.info({ url }, 'console listening');
  return {
    app,
    deps,
    url,
    async close() {
      await app.close();
      await scheduleRefresh.stop();
      await queues.close();
      await redis.quit();
      await catalog.close();
    },
  };
}
