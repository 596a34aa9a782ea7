import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import { Catalog, createPool, migrate, pruneNonces } from '@oa-archive/catalog';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { ConfigError, kafkaSettingsOf, s3SettingsOf } from '@oa-archive/config';
import { createKafka, createProducer, describeKafkaConnection, ensureTopics } from '@oa-archive/kafka';
import { createLogger, type Logger } from '@oa-archive/observability';
import { createS3Client, ensureBuckets, ObjectStore } from '@oa-archive/storage';
import { Authenticator } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { buildGatewayApp } from './http/app.ts';
import { GatewayMetrics } from './metrics.ts';
import { MysqlMiddleTable } from './middleTable/mysql.ts';
import { MiddleTablePoller } from './middleTable/poller.ts';
import { PostgresMiddleTable } from './middleTable/postgresql.ts';
import type { MiddleTable } from './middleTable/table.ts';
import { DirectoryPackageDrop } from './packages/directoryDrop.ts';
import type { PackageDrop } from './packages/drop.ts';
import { stagedPrefixUrlOf } from './packages/layout.ts';
import { PackageProcessor } from './packages/processor.ts';
import { S3PackageDrop } from './packages/s3Drop.ts';
import { PackageWatcher } from './packages/watcher.ts';
import { loadSources, type GatewaySource, type MiddleTableSettings } from './sources.ts';
import { Submitter } from './submit.ts';

export interface GatewayProcess {
  app: FastifyInstance;
  url: string;
  sources: Record<string, GatewaySource>;
  close(): Promise<void>;
}

export function openMiddleTable(settings: Pick<MiddleTableSettings, 'driver' | 'url' | 'table'>): MiddleTable {
  return settings.driver === 'postgresql' ? new PostgresMiddleTable(settings.url, settings.table) : new MysqlMiddleTable(settings.url, settings.table);
}

/**
 * A package's files are staged under s3://<S3_STAGING_BUCKET>/<GATEWAY_PACKAGE_PREFIX><source>/, and
 * intake and the fetch stage read them only if the source's OA_SOURCES entry allows that prefix.
 */
function checkPackagePrefixes(sources: Record<string, GatewaySource>, config: GatewayConfig): void {
  const problems = Object.values(sources)
    .filter((s) => s.packageDrop)
    .map((s) => ({ id: s.id, prefix: stagedPrefixUrlOf(config.S3_STAGING_BUCKET, config.GATEWAY_PACKAGE_PREFIX, s.id) }))
    .filter(({ id, prefix }) => !(config.OA_SOURCES[id]?.allowedS3Prefixes ?? []).includes(prefix))
    .map(({ id, prefix }) => `OA_SOURCES: source ${id} has a packageDrop; its entry needs "allowedS3Prefixes": ["${prefix}"], where the gateway stages its packages' files for the fetch stage`);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Every source must be known to intake too (OA_SOURCES): otherwise each of its events would be dead-lettered. */
function checkSourcesKnown(sources: Record<string, GatewaySource>, config: GatewayConfig): void {
  const unknown = Object.keys(sources).filter((id) => !Object.hasOwn(config.OA_SOURCES, id));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((id) => `OA_SOURCES: source ${id} of ${config.GATEWAY_SOURCES_FILE} is missing; intake and the fetch stage need its allowedOrigins and token`));
  }
}

/** Starts the gateway: the push API on GATEWAY_HOST:GATEWAY_PORT and a poller per middle table. */
export async function startGateway(config: GatewayConfig, logger: Logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL })): Promise<GatewayProcess> {
  const sources = await loadSources(config.GATEWAY_SOURCES_FILE);
  checkSourcesKnown(sources, config);
  const watchesPackages = config.GATEWAY_PACKAGES && Object.values(sources).some((s) => s.packageDrop);
  if (watchesPackages) checkPackagePrefixes(sources, config);
  const catalog = new Catalog(createPool(config.DATABASE_URL, 10));
  await migrate(catalog.pool);
  const connection = kafkaSettingsOf(config);
  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-gateway`, logger, ...connection });
  await ensureTopics(kafka, [{ topic: config.KAFKA_TOPIC_FINALIZED, numPartitions: 3 }]);
  const producer: Producer = createProducer(kafka);
  let kafkaConnected = false;
  producer.on(producer.events.CONNECT, () => (kafkaConnected = true));
  producer.on(producer.events.DISCONNECT, () => (kafkaConnected = false));
  await producer.connect();

  const metrics = new GatewayMetrics();
  const submitter = new Submitter({
    pool: catalog.pool,
    producer,
    topic: config.KAFKA_TOPIC_FINALIZED,
    origins: config.OA_SOURCES,
    limits: { maxComponents: config.GATEWAY_MAX_COMPONENTS, maxDeclaredBytes: config.GATEWAY_MAX_DECLARED_BYTES, maxRecordBytes: config.GATEWAY_MAX_EVENT_BYTES },
    ackTimeoutMs: config.GATEWAY_KAFKA_ACK_TIMEOUT_MS,
    logger,
  });
  const authenticator = new Authenticator(Object.fromEntries(Object.values(sources).map((s) => [s.id, s.credentials])), { skewMs: config.GATEWAY_CLOCK_SKEW_SECONDS * 1000 });

  const tables = new Map<string, MiddleTable>();
  const pollers: MiddleTablePoller[] = [];
  if (config.GATEWAY_POLLERS) {
    const pollerId = config.GATEWAY_POLLER_ID ?? `${hostname()}:${process.pid}`;
    for (const source of Object.values(sources)) {
      const settings = source.middleTable;
      if (!settings) continue;
      const table = openMiddleTable(settings);
      tables.set(source.id, table);
      if (settings.create) {
        await table.create().catch((error: unknown) => logger.error({ err: error, source: source.id, table: table.description }, 'could not create the middle table'));
      }
      const poller = new MiddleTablePoller({ source, table, submitter, pollerId, batchSize: settings.batchSize, pollMs: settings.pollMs, leaseMs: settings.leaseMs, logger: logger.child({ component: 'middle-table', source: source.id }), metrics });
      poller.start();
      pollers.push(poller);
      logger.info({ source: source.id, table: table.description, pollerId }, 'polling middle table');
    }
  }

  const gatewayId = config.GATEWAY_POLLER_ID ?? `${hostname()}:${process.pid}`;
  const s3 = watchesPackages ? createS3Client(s3SettingsOf(config)) : undefined;
  const watchers: PackageWatcher[] = [];
  const drops: PackageDrop[] = [];
  if (s3) {
    const store = new ObjectStore(s3);
    if (config.S3_CREATE_BUCKETS) {
      const buckets = new Set([config.S3_STAGING_BUCKET, ...Object.values(sources).flatMap((s) => (s.packageDrop?.s3 ? [s.packageDrop.s3.bucket] : []))]);
      await ensureBuckets(s3, [...buckets]);
    }
    for (const source of Object.values(sources)) {
      const settings = source.packageDrop;
      if (!settings) continue;
      const drop = settings.s3 ? new S3PackageDrop(s3, settings.s3, settings.metadataFile) : new DirectoryPackageDrop(settings.directory!);
      drops.push(drop);
      const log = logger.child({ component: 'package-drop', source: source.id });
      const processor = new PackageProcessor({ source, settings, drop, submitter, store, staging: { bucket: config.S3_STAGING_BUCKET, prefix: config.GATEWAY_PACKAGE_PREFIX }, pool: catalog.pool, gatewayId, logger: log, metrics });
      const watcher = new PackageWatcher({ drop, processor, pollMs: settings.pollMs, logger: log });
      watcher.start();
      watchers.push(watcher);
      logger.info({ source: source.id, drop: drop.description, gatewayId }, 'watching package drop');
    }
  }

  const ready: Record<string, () => Promise<unknown>> = {
    postgresql: () => catalog.pool.query('SELECT 1'),
    kafka: async () => {
      if (!kafkaConnected) throw new Error('the Kafka producer is not connected');
    },
  };
  for (const [id, table] of tables) ready[`middle-table:${id}`] = () => table.ping();
  if (s3) ready.s3 = () => s3.send(new HeadBucketCommand({ Bucket: config.S3_STAGING_BUCKET }));

  const app = await buildGatewayApp({ sources, authenticator, submitter, catalog, metrics, logger, bodyLimit: config.GATEWAY_BODY_LIMIT_BYTES, ready });
  const url = await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
  // A nonce is needed only while its request's timestamp is acceptable: twice the skew, with a margin.
  const keepNoncesMs = 2 * config.GATEWAY_CLOCK_SKEW_SECONDS * 1000 + 60_000;
  const pruning = setInterval(() => {
    pruneNonces(catalog.pool, new Date(Date.now() - keepNoncesMs)).catch((error: unknown) => logger.warn({ err: error }, 'could not prune old nonces'));
  }, 60_000);
  pruning.unref();
  logger.info({ url, sources: Object.keys(sources), topic: config.KAFKA_TOPIC_FINALIZED, kafka: describeKafkaConnection(connection) }, 'gateway listening');

  return {
    app,
    url,
    sources,
    async close() {
      clearInterval(pruning);
      await Promise.all(pollers.map((p) => p.stop()));
      await Promise.all(watchers.map((w) => w.stop()));
      await Promise.all(drops.map((d) => d.close()));
      s3?.destroy();
      await app.close();
      await producer.disconnect();
      await Promise.all([...tables.values()].map((t) => t.close()));
      await catalog.close();
    },
  };
}
