import path from 'node:path';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { Producer } from 'kafkajs';
import { Catalog, createPool, migrate } from '@oa-archive/catalog';
import { createKafka, createProducer, ensureTopics } from '@oa-archive/kafka';
import { MetadataReader } from '@oa-archive/characterize';
import { loadSchedule } from '@oa-archive/classify';
import { Converter, loadConversionPolicy } from '@oa-archive/convert';
import { s3SettingsOf } from '@oa-archive/config';
import { createLogger, startOpsServer, type Logger, type OpsServer } from '@oa-archive/observability';
import { createStageWorker, PipelineMetrics, stageHandlers, StageQueues, type PipelineDeps } from '@oa-archive/pipeline';
import { createS3Client, ensureBuckets, ObjectStore } from '@oa-archive/storage';
import type { WorkerConfig } from './config.ts';

export interface WorkerProcess {
  deps: PipelineDeps;
  workers: Worker[];
  ops?: OpsServer;
  close(): Promise<void>;
}

/** Starts BullMQ workers for the configured stages. Stateless: run as many processes as the load needs. */
export async function startWorker(config: WorkerConfig, logger: Logger = createLogger({ service: 'worker', level: config.LOG_LEVEL })): Promise<WorkerProcess> {
  // A schedule that does not load stops the worker at start-up, with every problem and its line.
  const schedule = await loadSchedule(config.RETENTION_SCHEDULE);
  const catalog = new Catalog(createPool(config.DATABASE_URL, config.WORKER_CONCURRENCY * 2 + 2));
  await migrate(catalog.pool);

  const s3 = createS3Client(s3SettingsOf(config));
  if (config.S3_CREATE_BUCKETS) await ensureBuckets(s3, [config.S3_STAGING_BUCKET, config.S3_ARCHIVE_BUCKET, config.S3_QUARANTINE_BUCKET]);
  const metadataReader = new MetadataReader({ maxProcs: config.EXIFTOOL_PROCS });
  const conversionPolicy = await loadConversionPolicy(config.CONVERSION_POLICY);
  // Only a process that converts keeps LibreOffice instances warm.
  let converter: Converter | undefined;
  if (config.WORKER_STAGES.includes('convert')) {
    converter = new Converter({
      policy: conversionPolicy,
      libreOffice: { size: config.LIBREOFFICE_INSTANCES, python: config.LIBREOFFICE_PYTHON, workDir: path.join(config.SCRATCH_DIR, `libreoffice-${process.pid}`) },
      timeoutMs: config.CONVERSION_TIMEOUT_MS,
    });
    await converter.start();
  }

  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-worker`, brokers: config.KAFKA_BROKERS, logger });
  await ensureTopics(kafka, [{ topic: config.KAFKA_TOPIC_RECEIPTS, numPartitions: 3 }]);
  const producer: Producer = createProducer(kafka);
  await producer.connect();

  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new StageQueues(redis, {
    prefix: config.QUEUE_PREFIX,
    retry: { attempts: config.STAGE_ATTEMPTS, backoffMs: config.STAGE_BACKOFF_MS },
  });

  const deps: PipelineDeps = {
    catalog,
    store: new ObjectStore(s3),
    queues,
    producer,
    logger,
    schedule,
    metadataReader,
    metrics: new PipelineMetrics(),
    conversionPolicy,
    ...(converter ? { converter } : {}),
    settings: {
      stagingBucket: config.S3_STAGING_BUCKET,
      archiveBucket: config.S3_ARCHIVE_BUCKET,
      quarantineBucket: config.S3_QUARANTINE_BUCKET,
      scratchDir: config.SCRATCH_DIR,
      riskLimits: {
        maxBytes: config.FETCH_MAX_BYTES,
        archiveMaxEntries: config.ARCHIVE_MAX_ENTRIES,
        archiveMaxTotalBytes: config.ARCHIVE_MAX_TOTAL_BYTES,
        archiveMaxNesting: config.ARCHIVE_MAX_NESTING,
      },
      mandatoryMetadata: config.METADATA_MANDATORY,
      convertAttempts: config.STAGE_ATTEMPTS,
      objectLock: config.S3_OBJECT_LOCK,
      receiptsTopic: config.KAFKA_TOPIC_RECEIPTS,
      sources: config.OA_SOURCES,
      fetch: { maxBytes: config.FETCH_MAX_BYTES, timeoutMs: config.FETCH_TIMEOUT_MS },
    },
  };
  const workers = config.WORKER_STAGES.map((stage) =>
    createStageWorker(stage, stageHandlers[stage], deps, {
      connection: redis,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      // A job must hold its lock through its longest conversion, or BullMQ hands it to another worker.
      lockDurationMs: stage === 'convert' ? config.CONVERSION_TIMEOUT_MS + 60_000 : 60_000,
    }),
  );
  const ops =
    config.WORKER_OPS_PORT >= 0
      ? await startOpsServer({
          host: config.WORKER_OPS_HOST,
          port: config.WORKER_OPS_PORT,
          registry: deps.metrics!.registry,
          ready: { postgresql: () => catalog.pool.query('SELECT 1'), redis: () => redis.ping() },
        })
      : undefined;
  logger.info({ stages: config.WORKER_STAGES, concurrency: config.WORKER_CONCURRENCY, schedule: schedule.version, ops: ops?.url }, 'worker running');

  return {
    deps,
    workers,
    ...(ops ? { ops } : {}),
    async close() {
      await ops?.close();
      // Let running jobs finish so no attempt is cut off half-recorded.
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      await producer.disconnect();
      await redis.quit();
      await metadataReader.close();
      await converter?.close();
      s3.destroy();
      await catalog.close();
    },
  };
}
