import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Consumer, EachMessagePayload, Producer } from 'kafkajs';
import { Catalog, createPool, migrate, type IngestRecord } from '@oa-archive/catalog';
import { kafkaSettingsOf } from '@oa-archive/config';
import { ingestIdOf, ingestKeyOf, parseDocumentFinalized, type DeadLetter, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { createKafka, createProducer, describeKafkaConnection, ensureTopics } from '@oa-archive/kafka';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createLogger, ingestLogger, startOpsServer, type Logger, type OpsServer } from '@oa-archive/observability';
import { BackpressureGate, intakeStateKey, StageQueues } from '@oa-archive/pipeline';
import { admissionRefusal, recordBytes, recordSizeRefusal, type Refusal } from './admission.ts';
import type { IntakeConfig } from './config.ts';
import { DeadLetterWriter } from './deadLetters.ts';
import { classifyRecordingError, type RecordingFailure } from './recordingErrors.ts';
import { StallWatch } from './stallWatch.ts';

export type IntakeOutcome = 'ingested' | 'duplicate' | 'dead-lettered';

export interface IntakeStats {
  ingested: number;
  duplicates: number;
  deadLettered: number;
  paused: boolean;
}

/** The catalog could not be reached or is busy: the record is not committed and will be delivered again. */
export class CatalogUnavailableError extends Error {
  override readonly name = 'CatalogUnavailableError';
}

type Origin = DeadLetter['origin'];
type Headers = Record<string, string | Buffer | undefined>;

function headersOf(message: EachMessagePayload['message']): Headers {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  }
  return headers;
}

/**
 * Turns "document finalized" records into ingests. For each record: validate; record the ingest in
 * PostgreSQL (a duplicate key finds the existing one); put its first job in BullMQ; only then commit
 * the offset. A record that breaks the contract or intake's limits, or that the catalog refuses for its
 * content, goes to the dead-letter topic with the reason and its offset is committed too, so one bad
 * message never stalls the partition. Only an unreachable dependency holds a record back, and a
 * partition that stops advancing is reported.
 */
export class IntakeService {
  readonly stats: IntakeStats = { ingested: 0, duplicates: 0, deadLettered: 0, paused: false };
  readonly #config: IntakeConfig;
  readonly #catalog: Catalog;
  readonly #queues: StageQueues;
  readonly #consumer: Consumer;
  readonly #producer: Producer;
  readonly #deadLetters: DeadLetterWriter;
  readonly #logger: Logger;
  readonly #gate: BackpressureGate;
  readonly #redis: Redis;
  readonly #kafka: ReturnType<typeof createKafka>;
  readonly #kafkaDescription: Record<string, unknown>;
  readonly #stallWatch: StallWatch;
  #timer: NodeJS.Timeout | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  #checkingConsumption = false;
  #closing = false;
  #ops: OpsServer | undefined;
  readonly registry = new Registry();
  readonly #records = new Counter({ name: 'oa_archive_intake_records_total', help: 'Records read, by what became of them', labelNames: ['result'], registers: [this.registry] });
  readonly #recordErrors = new Counter({
    name: 'oa_archive_intake_record_errors_total',
    help: 'Failed tries to record an ingest: kind "event" (the catalog refused the content) or "transient" (the catalog was unavailable)',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly #paused = new Gauge({ name: 'oa_archive_intake_paused', help: '1 while consumption is paused for back pressure', registers: [this.registry] });
  readonly #consumerRestarts = new Counter({
    name: 'oa_archive_intake_consumer_restarts_total',
    help: 'Times intake started its Kafka consumer again after kafkajs stopped it for good (an error it does not retry)',
    registers: [this.registry],
  });

  constructor(config: IntakeConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
    this.#catalog = new Catalog(createPool(config.DATABASE_URL));
    this.#redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    this.#queues = new StageQueues(this.#redis, {
      prefix: config.QUEUE_PREFIX,
      retry: { attempts: config.STAGE_ATTEMPTS, backoffMs: config.STAGE_BACKOFF_MS },
    });
    const connection = kafkaSettingsOf(config);
    this.#kafkaDescription = describeKafkaConnection(connection);
    const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-intake`, logger, ...connection });
    this.#kafka = kafka;
    this.#consumer = kafka.consumer({
      groupId: config.KAFKA_GROUP_ID,
      allowAutoTopicCreation: false,
      sessionTimeout: config.INTAKE_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.max(1000, Math.floor(config.INTAKE_SESSION_TIMEOUT_MS / 4)),
    });
    this.#producer = createProducer(kafka);
    this.#deadLetters = new DeadLetterWriter(this.#producer, config.KAFKA_TOPIC_DEAD_LETTER);
    this.#gate = new BackpressureGate({ pauseAt: config.INTAKE_BACKLOG_PAUSE, resumeAt: config.INTAKE_BACKLOG_RESUME });
    this.#stallWatch = new StallWatch({
      kafka,
      topic: config.KAFKA_TOPIC_FINALIZED,
      groupId: config.KAFKA_GROUP_ID,
      redis: this.#redis,
      prefix: config.QUEUE_PREFIX,
      stallAfterMs: config.INTAKE_STALL_AFTER_MS,
      checkMs: config.INTAKE_STALL_CHECK_MS,
      registry: this.registry,
      logger,
      paused: () => this.#gate.paused,
    });
  }

  async start(): Promise<void> {
    await migrate(this.#catalog.pool);
    // Room for a letter that carries a record of the largest accepted size as base64, plus its reasons.
    const letterBytes = Math.max(1_048_588, Math.ceil((this.#config.INTAKE_MAX_MESSAGE_BYTES * 4) / 3) + 256 * 1024);
    await ensureTopics(this.#kafka, [
      { topic: this.#config.KAFKA_TOPIC_FINALIZED, numPartitions: 3 },
      { topic: this.#config.KAFKA_TOPIC_DEAD_LETTER, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(letterBytes) }] },
      { topic: this.#config.KAFKA_TOPIC_RECEIPTS, numPartitions: 3 },
    ]);
    await this.#producer.connect();
    await this.#stallWatch.start();
    await this.#consumer.connect();
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
      this.#stallWatch.assign(payload.memberAssignment[this.#config.KAFKA_TOPIC_FINALIZED] ?? []);
    });
    // kafkajs restarts its consumer after errors it retries; after one it does not (the group coordinator
    // no longer knows this member, say, once a broker restart or a slow record outlived the session) it
    // only disconnects, and nothing would consume again until the process restarted.
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.#closing) return;
      this.#logger.error({ err: payload.error }, 'the Kafka consumer stopped on an error kafkajs does not retry; starting it again');
      void this.#restartConsumer();
    });
    await this.#consumer.subscribe({ topics: [this.#config.KAFKA_TOPIC_FINALIZED], fromBeginning: true });
    await this.#runConsumer();
    collectDefaultMetrics({ register: this.registry, prefix: 'oa_archive_intake_' });
    if (this.#config.INTAKE_OPS_PORT >= 0) {
      this.#ops = await startOpsServer({
        host: this.#config.INTAKE_OPS_HOST,
        port: this.#config.INTAKE_OPS_PORT,
        registry: this.registry,
        ready: {
          postgresql: () => this.#catalog.pool.query('SELECT 1'),
          redis: () => this.#redis.ping(),
          consumption: async () => {
            const stalled = this.#stallWatch.stalled;
            if (stalled.length > 0) throw new Error(`partitions ${stalled.map((p) => p.partition).join(', ')} stalled`);
          },
        },
      });
    }
    await this.#publishState();
    this.#timer = setInterval(() => void this.#watchBacklog(), this.#config.INTAKE_BACKLOG_POLL_MS);
    this.#stallTimer = setInterval(() => void this.#watchConsumption(), this.#config.INTAKE_STALL_CHECK_MS);
    this.#logger.info({ topic: this.#config.KAFKA_TOPIC_FINALIZED, group: this.#config.KAFKA_GROUP_ID, kafka: this.#kafkaDescription }, 'intake consuming');
  }

  async #runConsumer(): Promise<void> {
    await this.#consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        await this.handle(payload);
        await this.#consumer.commitOffsets([
          { topic: payload.topic, partition: payload.partition, offset: (BigInt(payload.message.offset) + 1n).toString() },
        ]);
      },
    });
  }

  /** Connects and runs the consumer again, waiting longer after each failed try (1 s doubling to 30 s), until it runs or intake closes. */
  async #restartConsumer(): Promise<void> {
    for (let attempt = 1, waitMs = 1000; !this.#closing; attempt++, waitMs = Math.min(30_000, waitMs * 2)) {
      try {
        await this.#consumer.connect();
        await this.#runConsumer();
        this.#consumerRestarts.inc();
        this.#logger.info({ attempt }, 'Kafka consumer running again');
        return;
      } catch (error) {
        this.#logger.error({ err: error, attempt, retryInMs: waitMs }, 'the Kafka consumer did not start again');
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  /**
   * Handles one record. Throws only when the ingest could not be made durable for a reason that is not
   * the record's own (the catalog, Redis or Kafka unavailable): the record is then delivered again.
   */
  async handle({ topic, partition, message }: EachMessagePayload): Promise<IntakeOutcome> {
    const headers = headersOf(message);
    const origin: Origin = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null };
    const letter = (refusal: Refusal, extra: { omitValue?: string; failure?: DeadLetter['failure'] } = {}) =>
      this.#deadLetter(refusal, origin, headers, message.value, extra);

    const checked = this.#check(message, headers);
    if ('refusal' in checked) return letter(checked.refusal, checked.omitValue !== undefined ? { omitValue: checked.omitValue } : {});
    const { event } = checked;

    const ingestId = ingestIdOf(ingestKeyOf(event));
    const log = ingestLogger(this.#logger, { ingestId, eventId: event.id });
    const recorded = await this.#record(ingestId, event, log);
    if (!recorded.ok) {
      const { failure, attempts } = recorded;
      const reason = `the catalog refused the event ${attempts} time(s)${failure.code ? ` (SQLSTATE ${failure.code})` : ''}: ${failure.message.slice(0, 500)}`;
      return letter({ reason, issues: [{ path: '(catalog)', message: failure.message.slice(0, 500) }] }, { failure: failure.code ? { code: failure.code, attempts } : { attempts } });
    }
    const { created, ingest } = recorded;
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

  /** Everything decided from the record and the configuration alone. Never throws. */
  #check(message: EachMessagePayload['message'], headers: Headers): { event: DocumentFinalizedEvent } | { refusal: Refusal; omitValue?: string } {
    try {
      const tooLarge = recordSizeRefusal(recordBytes(message), this.#config.INTAKE_MAX_MESSAGE_BYTES);
      if (tooLarge) return { refusal: tooLarge, omitValue: 'over INTAKE_MAX_MESSAGE_BYTES; read the record at its origin offset' };
      const parsed = parseDocumentFinalized({ value: message.value, headers });
      if (!parsed.ok) return { refusal: parsed };
      const refusal = admissionRefusal(parsed.event, { sources: this.#config.OA_SOURCES, maxComponents: this.#config.INTAKE_MAX_COMPONENTS, maxDeclaredBytes: this.#config.INTAKE_MAX_DECLARED_BYTES });
      return refusal ? { refusal } : { event: parsed.event };
    } catch (error) {
      // A check that breaks on hostile input must not stop the partition: the record is set aside with the error.
      return { refusal: { reason: `intake could not check this record: ${(error as Error).message}`, issues: [] } };
    }
  }

  /**
   * Records the ingest. A refusal for the event's content is tried INTAKE_RECORD_ATTEMPTS times and then
   * returned, to be dead-lettered; an unavailable catalog is thrown at once, to be delivered again.
   */
  async #record(
    ingestId: string,
    event: DocumentFinalizedEvent,
    log: Logger,
  ): Promise<{ ok: true; created: boolean; ingest: IngestRecord } | { ok: false; failure: RecordingFailure; attempts: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, ...(await this.#catalog.recordIngest(ingestId, event)) };
      } catch (error) {
        const failure = classifyRecordingError(error);
        this.#recordErrors.inc({ kind: failure.kind });
        if (failure.kind === 'transient') {
          log.warn({ code: failure.code, err: error }, 'catalog unavailable: the record is not committed and will be delivered again');
          throw new CatalogUnavailableError(`could not record event ${event.id}: ${failure.message}`, { cause: error });
        }
        if (attempt >= this.#config.INTAKE_RECORD_ATTEMPTS) return { ok: false, failure, attempts: attempt };
        log.warn({ code: failure.code, attempt, err: error }, 'the catalog refused the event; trying again');
        await sleep(this.#config.INTAKE_RECORD_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
  }

  async #deadLetter(refusal: Refusal, origin: Origin, headers: Headers, value: Buffer | null, extra: { omitValue?: string; failure?: DeadLetter['failure'] }): Promise<IntakeOutcome> {
    const { valueOmitted } = await this.#deadLetters.write({
      reason: refusal.reason,
      issues: refusal.issues,
      receivedAt: new Date().toISOString(),
      origin,
      headers,
      value,
      ...(extra.omitValue !== undefined ? { omitValue: extra.omitValue } : {}),
      ...(extra.failure ? { failure: extra.failure } : {}),
    });
    this.stats.deadLettered++;
    this.#records.inc({ result: 'dead-lettered' });
    this.#logger.warn({ origin, reason: refusal.reason.slice(0, 1000), valueOmitted }, 'record dead-lettered');
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

  async #watchConsumption(): Promise<void> {
    if (this.#checkingConsumption) return; // a slow broker must not pile checks up
    this.#checkingConsumption = true;
    try {
      await this.#stallWatch.check();
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not read the consumer offsets to check for stalled partitions');
    } finally {
      this.#checkingConsumption = false;
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
    this.#closing = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#stallTimer) clearInterval(this.#stallTimer);
    await this.#ops?.close();
    await this.#consumer.disconnect();
    await this.#stallWatch.close();
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
