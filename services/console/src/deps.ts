import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Catalog } from '@oa-archive/catalog';
import type { RetentionSchedule } from '@oa-archive/classify';
import type { Logger } from '@oa-archive/observability';
import type { ScheduleSource, StageQueues } from '@oa-archive/pipeline';
import type { ConsoleConfig } from './config.ts';
import type { Readable } from 'node:stream';
import type { ByteRange } from '@oa-archive/storage';

/** Where the console reads archived bytes from, for the roles a document's access restriction admits. */
export interface ContentStore {
  /** The object, or one range of it; throws `RangeNotSatisfiableError` for a range past its end. */
  open(bucket: string, key: string, range?: ByteRange): Promise<{ body: Readable; contentLength: number; contentRange?: string }>;
}

export interface ConsoleDeps {
  config: ConsoleConfig;
  catalog: Catalog;
  queues: StageQueues;
  redis: Redis;
  kafka: Kafka;
  schedule: RetentionSchedule;
  /** The agency's schedule file (RETENTION_SCHEDULE), read once at start: the root learned versions grow from. */
  scheduleFile: ScheduleSource;
  logger: Logger;
  /** Where archived content is read from for those allowed to use it; without it content is not served. */
  contentStore?: ContentStore;
}
