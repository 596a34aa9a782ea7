import { Redis } from 'ioredis';
import type { Consumer, EachMessagePayload, Producer } from 'kafkajs';
import { Catalog, createPool, migrate } from '@oa-archive/catalog';
import { deadLetterOf, ingestIdOf, ingestKeyOf, parseDocumentFinalized, type ContractIssue } from '@oa-archive/contracts';
import { createKafka, createProducer, ensureTopics } from '@oa-archive/kafka';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createLogger, ingestLogger, startOpsServer, type Logger, type OpsServer } from '@oa-archive/observability';
import { BackpressureGate, intakeStateKey, StageQueues } from '@oa-archive/pipeline';
import type { IntakeConfig } from './config.ts';

export type IntakeOutcome = 'ingested' | 'duplicate' | 'dead-lettered';

export interface IntakeStats {
  ingested: number;
  duplicates: number;
  deadLettered: number;
  paused: boolean;
}

function headersOf(message: EachMessagePayload['message']): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    headers[name.toLowerCase()] = first === undefined ? undefined : first.toString();
  }
  return headers;
}

/**
 * Turns "document finalized" records into ingests. For each record: validate; record the ingest in
 * PostgreSQL (a duplicate key finds the existing one); put its first job in BullMQ; only then commit
 * the offset. A record that breaks the contract goes to the dead-letter topic with the reason and its
 * offset is committed too, so one bad message never stalls the partition.
 */
export class IntakeService {
  readonly stats: IntakeStats = { ingested: 0, duplicates: 0, deadLettered: 0, paused: false };
  readonly #config: IntakeConfig;
  readonly #catalog: Catalog;
  readonly #queues: StageQueues;
  readonly #consumer: Consumer;
  readonly #producer: Producer;
  readonly #logger: Logger;
  readonly #gate: BackpressureGate;
  readonly #redis: Redis;
  readonly #kafka: ReturnType<typeof createKafka>;
  #timer: NodeJS.Timeout | undefined;
  #ops: OpsServer | undefined;
  readonly registry = new Registry();
  readonly #records = new Counter({ name: 'oa_archive_intake_records_total', help: 'Records read, by what became of them', labelNames: ['result'], registers: [this.registry] });
  readonly #paused = new Gauge({ name: 'oa_archive_intake_paused', help: '1 while consumption is paused for back pressure', registers: [this.registry] });

  constructor(config: IntakeConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
    this.#catalog = new Catalog(createPool(config.DATABASE_URL));
    this.#redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    this.#queues = new StageQueues(this.#redis, {
      prefix: config.QUEUE_PREFIX,
      retry: { attempts: config.STAGE_ATTEMPTS, backoffMs: config.STAGE_BACKOFF_MS },
    });
    const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-intake`, brokers: config.KAFKA_BROKERS, logger });
    this.#kafka = kafka;
    this.#consumer = kafka.consumer({ groupId: config.KAFKA_GROUP_ID, allowAutoTopicCreation: false });
    this.#producer = createProducer(kafka);
    this.#gate = new BackpressureGate({ pauseAt: config.INTAKE_BACKLOG_PAUSE, resumeAt: config.INTAKE_BACKLOG_RESUME });
  }

  async start(): Promise<void> {
    await migrate(this.#catalog.pool);
    await ensureTopics(this.#kafka, [
      { topic: this.#config.KAFKA_TOPIC_FINALIZED, numPartitions: 3 },
      { topic: this.#config.KAFKA_TOPIC_DEAD_LETTER, numPartitions: 1 },
      { topic: this.#config.KAFKA_TOPIC_RECEIPTS, numPartitions: 3 },
    ]);
    await this.#producer.connect();
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [this.#config.KAFKA_TOPIC_FINALIZED], fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        await this.handle(payload);
        await this.#consumer.commitOffsets([
          { topic: payload.topic, partition: payload.partition, offset: (BigInt(payload.message.offset) + 1n).toString() },
        ]);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'oa_archive_intake_' });
    if (this.#config.INTAKE_OPS_PORT >= 0) {
      this.#ops = await startOpsServer({
        host: this.#config.INTAKE_OPS_HOST,
        port: this.#config.INTAKE_OPS_PORT,
        registry: this.registry,
        ready: { postgresql: () => this.#catalog.pool.query('SELECT 1'), redis: () => this.#redis.ping() },
      });
    }
    await this.#publishState();
    this.#timer = setInterval(() => void this.#watchBacklog(), this.#config.INTAKE_BACKLOG_POLL_MS);
    this.#logger.info({ topic: this.#config.KAFKA_TOPIC_FINALIZED, group: this.#config.KAFKA_GROUP_ID }, 'intake consuming');
  }

  /** Handles one record; throws only when the ingest could not be made durable (the record is then redelivered). */
  async handle({ topic, partition, message }: EachMessagePayload): Promise<IntakeOutcome> {
    const headers = headersOf(message);
    const parsed = parseDocumentFinalized({ value: message.value, headers });
    const origin = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null };
    if (!parsed.ok) return this.#deadLetter(parsed.reason, parsed.issues, origin, headers, message.value);

    const event = parsed.event;
    if (!this.#config.OA_SOURCES[event.source]) {
      const reason = `source "${event.source}" is not a configured OA system (OA_SOURCES); its components could not be fetched`;
      return this.#deadLetter(reason, [{ path: 'source', message: 'unknown source' }], origin, headers, message.value);
    }
    const ingestId = ingestIdOf(ingestKeyOf(event));
    const log = ingestLogger(this.#logger, { ingestId, eventId: event.id });
    const { created, ingest } = await this.#catalog.recordIngest(ingestId, event);
    if (!created && ingest.enqueuedAt) {
      this.stats.duplicates++;
      this.#records.inc({ result: 'duplicate' });
      log.info({ firstEventId: ingest.eventId, status: ingest.status }, 'duplicate event: ingest already recorded, nothing to do');
      return 'duplicate';
    }
    // A row without enqueued_at means an earlier delivery stopped between recording and enqueueing.
    await this.#queues.enqueue('fetch', { ingestId, eventId: ingest.eventId });
    await this.#catalog.markEnqueued(ingestId);
    this.stats.ingested++;
    this.#records.inc({ result: 'ingested' });
    log.info({ documentId: event.data.documentId, version: event.data.version, title: event.data.title }, 'ingest recorded and queued');
    return 'ingested';
  }

  async #deadLetter(
    reason: string,
    issues: ContractIssue[],
    origin: { topic: string; partition: number; offset: string; key: string | null },
    headers: Record<string, string | undefined>,
    value: Buffer | null,
  ): Promise<IntakeOutcome> {
    const letter = deadLetterOf({ reason, issues, receivedAt: new Date().toISOString(), origin, headers, value });
    await this.#producer.send({
      topic: this.#config.KAFKA_TOPIC_DEAD_LETTER,
      messages: [{ key: origin.key, value: JSON.stringify(letter), headers: { 'x-dead-letter-reason': reason.slice(0, 500) } }],
    });
    this.stats.deadLettered++;
    this.#records.inc({ result: 'dead-lettered' });
    this.#logger.warn({ origin, reason }, 'record dead-lettered');
    return 'dead-lettered';
  }

  async #watchBacklog(): Promise<void> {
    try {
      const backlog = await this.#queues.backlog();
      const change = this.#gate.observe(backlog);
      if (!change) return;
      const topics = [{ topic: this.#config.KAFKA_TOPIC_FINALIZED }];
      if (change === 'pause') this.#consumer.pause(topics);
      else this.#consumer.resume(topics);
      this.stats.paused = this.#gate.paused;
      this.#paused.set(this.#gate.paused ? 1 : 0);
      await this.#publishState();
      this.#logger.info({ backlog, pauseAt: this.#gate.pauseAt, resumeAt: this.#gate.resumeAt }, change === 'pause' ? 'pipeline backlog high: consumption paused' : 'backlog drained: consumption resumed');
    } catch (error) {
      this.#logger.error({ err: error }, 'could not read the pipeline backlog');
    }
  }

  /** Where operators see it: the console reads this key to show whether intake holds back. */
  async #publishState(): Promise<void> {
    await this.#redis.set(intakeStateKey(this.#config.QUEUE_PREFIX), JSON.stringify({ paused: this.#gate.paused, at: new Date().toISOString() }));
  }

  get opsUrl(): string | undefined {
    return this.#ops?.url;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#ops?.close();
    await this.#consumer.disconnect();
    await this.#producer.disconnect();
    await this.#queues.close();
    await this.#redis.quit();
    await this.#catalog.close();
  }
}

export async function startIntake(config: IntakeConfig, logger = createLogger({ service: 'intake', level: config.LOG_LEVEL })): Promise<IntakeService> {
  const service = new IntakeService(config, logger);
  await service.start();
  return service;
}
