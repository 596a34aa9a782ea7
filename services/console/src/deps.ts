import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Catalog } from '@oa-archive/catalog';
import type { RetentionSchedule } from '@oa-archive/classify';
import type { Logger } from '@oa-archive/observability';
import type { StageQueues } from '@oa-archive/pipeline';
import type { ConsoleConfig } from './config.ts';

export interface ConsoleDeps {
  config: ConsoleConfig;
  catalog: Catalog;
  queues: StageQueues;
  redis: Redis;
  kafka: Kafka;
  schedule: RetentionSchedule;
  logger: Logger;
}
