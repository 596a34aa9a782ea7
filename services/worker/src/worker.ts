import path from 'node:path';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { Producer } from 'kafkajs';
import { Catalog, createPool, migrate } from '@oa-archive/catalog';
import { createKafka, createProducer } from '@oa-archive/kafka';
import { ClamdScanner, MetadataReader } from '@oa-archive/characterize';
import { closeTextExtraction, Converter, loadConversionPolicy, VeraPdf } from '@oa-archive/convert';
import { kafkaSettingsOf, s3SettingsOf } from '@oa-archive/config';
import { createLogger, startOpsServer, type Logger, type OpsServer } from '@oa-archive/observability';
import { effectiveSchedule, readScheduleSource, SCHEDULE_REFRESH_MS, startScheduleRefresh } from '@oa-archive/pipeline';
import { cleanScratch, createStageWorker, instrumentCosts, LocalCache, PipelineMetrics, processScratchDir, stageHandlers, StageQueues, startAuditAnchoring, type PipelineDeps } from '@oa-archive/pipeline';
import { abortStaleMultipartUploads, createS3Client, ensureBuckets, ObjectStore } from '@oa-archive/storage';
import type { S3Client } from '@aws-sdk/client-s3';
import { catalogPoolSize, concurrencyOf, recoverySettingsOf, type WorkerConfig } from './config.ts';
import { connectInBackground } from './kafkaInBackground.ts';
import { startRecoveryTasks } from './recoveryTasks.ts';
import { startCustody } from './custody.ts';

export interface WorkerProcess {
  deps: PipelineDeps;
  workers: Worker[];
  ops?: OpsServer;
  close(): Promise<void>;
}

/** Starts BullMQ workers for the configured stages. Stateless: run as many processes as the load needs. */
export async function startWorker(config: WorkerConfig, logger: Logger = createLogger({ service: 'worker', level: config.LOG_LEVEL })): Promise<WorkerProcess> {
  // A schedule that does not load stops the worker at start-up, with every problem and its line.
  const scheduleFile = await readScheduleSource(config.RETENTION_SCHEDULE);
  const catalog = new Catalog(createPool(config.DATABASE_URL, catalogPoolSize(config)));
  await migrate(catalog.pool);
  // Rules accepted from the review queue are newer versions of that file, kept in the catalog.
  const { schedule } = await effectiveSchedule(catalog.pool, scheduleFile);

  const s3 = createS3Client(s3SettingsOf(config));
  if (config.S3_CREATE_BUCKETS) await ensureBuckets(s3, [config.S3_STAGING_BUCKET, config.S3_ARCHIVE_BUCKET, config.S3_QUARANTINE_BUCKET]);
  await cleanOrphans(config, s3, logger);
  const metadataReader = new MetadataReader({ maxProcs: config.EXIFTOOL_PROCS });
  const conversionPolicy = await loadConversionPolicy(config.CONVERSION_POLICY);
  // Only a process that converts keeps LibreOffice instances warm.
  let converter: Converter | undefined;
  if (config.WORKER_STAGES.includes('convert')) {
    converter = new Converter({
      policy: conversionPolicy,
      libreOffice: { size: config.LIBREOFFICE_INSTANCES, python: config.LIBREOFFICE_PYTHON, workDir: processScratchDir(config.SCRATCH_DIR, 'libreoffice') },
      timeoutMs: config.CONVERSION_TIMEOUT_MS,
    });
    await converter.start();
  }

  // Only a process that validates keeps veraPDF warm; it loads in the background, and validate waits for it.
  let pdfaValidator: VeraPdf | undefined;
  if (config.VERAPDF_MODE === 'on' && config.WORKER_STAGES.includes('validate')) {
    pdfaValidator = new VeraPdf({
      classpath: config.VERAPDF_CLASSPATH,
      java: config.VERAPDF_JAVA,
      size: config.VERAPDF_INSTANCES,
      timeoutMs: config.VERAPDF_TIMEOUT_MS,
      onReplaced: (reason) => logger.warn({ reason }, 'veraPDF JVM ended; the next validation starts a new one'),
    });
    pdfaValidator.start().then(
      (version) => logger.info({ version }, 'veraPDF warm'),
      (error: unknown) => logger.error({ err: error }, 'veraPDF did not start; PDF/A documents wait in validate'),
    );
  }

  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-worker`, logger, ...kafkaSettingsOf(config) });
  const producer: Producer = createProducer(kafka);
  const kafkaConnection = connectInBackground(kafka, producer, config.KAFKA_TOPIC_RECEIPTS, logger);
  // Usually connected in a moment; in a Kafka outage the stages start anyway and receipts wait.
  await Promise.race([kafkaConnection.connected, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);

  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new StageQueues(redis, {
    prefix: config.QUEUE_PREFIX,
    retry: { attempts: config.STAGE_ATTEMPTS, backoffMs: config.STAGE_BACKOFF_MS },
  });

  const deps: PipelineDeps = {
    catalog,
    store: new ObjectStore(s3, { conditionalPut: config.S3_CONDITIONAL_PUT }),
    ...(config.SCRATCH_CACHE_MAX_BYTES > 0
      ? { cache: new LocalCache(path.join(config.SCRATCH_DIR, 'cache'), { maxBytes: config.SCRATCH_CACHE_MAX_BYTES, onError: (error) => logger.warn({ err: error }, 'could not keep a local copy; stages read staging instead') }) }
      : {}),
    queues,
    producer,
    logger,
    schedule,
    metadataReader,
    metrics: new PipelineMetrics(),
    conversionPolicy,
    ...(converter ? { converter } : {}),
    ...(pdfaValidator ? { pdfaValidator } : {}),
    // Only characterize scans; other processes need no clamd.
    ...(config.CLAMAV_MODE === 'clamd' && config.WORKER_STAGES.includes('characterize') ? { virusScanner: new ClamdScanner({ address: config.CLAMAV_SOCKET, timeoutMs: config.CLAMAV_TIMEOUT_MS }) } : {}),
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
      agencyTimeZone: config.AGENCY_TIME_ZONE,
      convertAttempts: config.STAGE_ATTEMPTS,
      objectLock: config.S3_OBJECT_LOCK,
      receiptsTopic: config.KAFKA_TOPIC_RECEIPTS,
      sources: config.OA_SOURCES,
      fetch: { maxBytes: config.FETCH_MAX_BYTES, timeoutMs: config.FETCH_TIMEOUT_MS },
      recovery: recoverySettingsOf(config),
      virusScanning: config.CLAMAV_MODE,
      virusSignatureMaxAgeDays: config.CLAMAV_MAX_SIGNATURE_AGE_DAYS,
      pdfaValidation: config.VERAPDF_MODE,
      ...(config.EEP_SM2_PRIVATE_KEY && config.EEP_SM2_PUBLIC_KEY
        ? { eepSigner: { privateKeyHex: config.EEP_SM2_PRIVATE_KEY, publicKeyHex: config.EEP_SM2_PUBLIC_KEY, signer: config.EEP_SIGNER ?? schedule.agency.name } }
        : {}),
    },
  };
  const stopCounting = instrumentCosts(deps.store, deps.metrics!, catalog);
  const concurrency = concurrencyOf(config);
  const workers = config.WORKER_STAGES.map((stage) =>
    createStageWorker(stage, stageHandlers[stage], deps, {
      connection: redis,
      prefix: config.QUEUE_PREFIX,
      concurrency: concurrency[stage],
      // Renewed while the job runs, so short: a killed worker's job is taken over within about a minute.
      lockDurationMs: config.JOB_LOCK_MS,
      stalledIntervalMs: config.JOB_STALLED_INTERVAL_MS,
      maxStalledCount: config.JOB_MAX_STALLED,
    }),
  );
  // The worker is the process that always runs; an advisory lock keeps replicas to one anchor a round.
  const anchoring =
    config.AUDIT_ANCHOR_INTERVAL_MS > 0
      ? startAuditAnchoring({ catalog, store: deps.store, bucket: config.S3_ARCHIVE_BUCKET, objectLock: config.S3_OBJECT_LOCK, intervalMs: config.AUDIT_ANCHOR_INTERVAL_MS, logger })
      : undefined;
  const recovery = startRecoveryTasks(config, deps, logger);
  // A version accepted on the console is used from the next classification on, without a restart.
  const scheduleRefresh = startScheduleRefresh(deps, scheduleFile, SCHEDULE_REFRESH_MS);
  const custody = await startCustody(config, deps, logger);
  const ops =
    config.WORKER_OPS_PORT >= 0
      ? await startOpsServer({
          host: config.WORKER_OPS_HOST,
          port: config.WORKER_OPS_PORT,
          registry: deps.metrics!.registry,
          ready: { postgresql: () => catalog.pool.query('SELECT 1'), redis: () => redis.ping() },
        })
      : undefined;
  logger.info({ stages: config.WORKER_STAGES, concurrency: Object.fromEntries(config.WORKER_STAGES.map((s) => [s, concurrency[s]])), schedule: schedule.version, ops: ops?.url }, 'worker running');

  return {
    deps,
    workers,
    ...(ops ? { ops } : {}),
    async close() {
      await ops?.close();
      await anchoring?.stop();
      await recovery.stop();
      await scheduleRefresh.stop();
      await custody.stop();
      // Let running jobs finish so no attempt is cut off half-recorded.
      await Promise.all(workers.map((w) => w.close()));
      await queues.close();
      kafkaConnection.stop();
      await producer.disconnect();
      await redis.quit();
      await metadataReader.close();
      await converter?.close();
      await closeTextExtraction();
      await pdfaValidator?.close();
      stopCounting();
      s3.destroy();
      await catalog.close();
    },
  };
}

/**
 * Removes what a killed worker left behind: scratch entries whose owner is gone or that are older
 * than the longest stage deadline, and multipart uploads abandoned in the staging and archive
 * buckets. Failing here does not stop the worker: it is housekeeping, reported and tried again at
 * the next start.
 */
async function cleanOrphans(config: WorkerConfig, s3: S3Client, logger: Logger): Promise<void> {
  try {
    const removed = await cleanScratch(config.SCRATCH_DIR, { olderThanMs: Math.max(...Object.values(config.STAGE_DEADLINES)) });
    if (removed.length > 0) logger.info({ scratchDir: config.SCRATCH_DIR, removed }, 'removed orphaned scratch entries');
  } catch (error) {
    logger.error({ err: error, scratchDir: config.SCRATCH_DIR }, 'could not clean the scratch directory');
  }
  for (const bucket of [config.S3_STAGING_BUCKET, config.S3_ARCHIVE_BUCKET]) {
    try {
      const aborted = await abortStaleMultipartUploads(s3, bucket, { olderThanMs: config.MULTIPART_ABANDONED_AFTER_MS });
      if (aborted.length > 0) logger.info({ bucket, aborted: aborted.map((u) => ({ key: u.key, uploadId: u.uploadId, initiated: u.initiated })) }, 'aborted abandoned multipart uploads');
    } catch (error) {
      logger.error({ err: error, bucket }, 'could not abort abandoned multipart uploads; their parts stay stored until the next start');
    }
  }
}
