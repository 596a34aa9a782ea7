import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import { Catalog, createPool, migrate, pruneNonces } from '@oa-archive/catalog';
import { ConfigError, kafkaSettingsOf } from '@oa-archive/config';
import { createKafka, createProducer, describeKafkaConnection, ensureTopics } from '@oa-archive/kafka';
import { createLogger, type Logger } from '@oa-archive/observability';
import { Authenticator } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { buildGatewayApp } from './http/app.ts';
import { GatewayMetrics } from './metrics.ts';
import { MysqlMiddleTable } from './middleTable/mysql.ts';
import { MiddleTablePoller } from './middleTable/poller.ts';
import { PostgresMiddleTable } from './middleTable/postgresql.ts';
import type { MiddleTable } from './middleTable/table.ts';
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

  const ready: Record<string, () => Promise<unknown>> = {
    postgresql: () => catalog.pool.query('SELECT 1'),
    kafka: async () => {
      if (!kafkaConnected) throw new Error('the Kafka producer is not connected');
    },
  };
  for (const [id, table] of tables) ready[`middle-table:${id}`] = () => table.ping();

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
      await app.close();
      await producer.disconnect();
      await Promise.all([...tables.values()].map((t) => t.close()));
      await catalog.close();
    },
  };
}
