import type { Redis } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';
import { StallDetector, stallStateKey, type PartitionProgress } from '@oa-archive/kafka';
import type { Logger } from '@oa-archive/observability';

export interface StallWatchOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  redis: Redis;
  /** QUEUE_PREFIX: the console reads the stall keys under it. */
  prefix: string;
  stallAfterMs: number;
  checkMs: number;
  registry: Registry;
  logger: Logger;
  /** Whether back pressure holds consumption on purpose (not a stall). */
  paused: () => boolean;
}

/**
 * Watches the partitions this intake owns for records that wait while the committed offset does not move:
 * a stuck consumer is otherwise silent. Reports on /readyz (through `stalled`), as metrics, in the log
 * and, for the console, under one expiring Redis key per stalled partition.
 */
export class StallWatch {
  readonly #options: StallWatchOptions;
  readonly #detector: StallDetector;
  readonly #admin: Admin;
  readonly #lag: Gauge;
  readonly #stalledGauge: Gauge;
  #assigned: number[] = [];
  #progress: PartitionProgress[] = [];

  constructor(options: StallWatchOptions) {
    this.#options = options;
    this.#detector = new StallDetector({ stallAfterMs: options.stallAfterMs });
    this.#admin = options.kafka.admin();
    this.#lag = new Gauge({ name: 'oa_archive_intake_partition_lag', help: 'Records waiting per partition this intake owns', labelNames: ['partition'], registers: [options.registry] });
    this.#stalledGauge = new Gauge({
      name: 'oa_archive_intake_partition_stalled',
      help: '1 while a partition has records waiting and its offset has not moved for INTAKE_STALL_AFTER_MS',
      labelNames: ['partition'],
      registers: [options.registry],
    });
  }

  async start(): Promise<void> {
    await this.#admin.connect();
  }

  /** The partitions the group gave this consumer at its last join. */
  assign(partitions: number[]): void {
    this.#assigned = [...partitions].sort((a, b) => a - b);
  }

  get stalled(): PartitionProgress[] {
    return this.#progress.filter((p) => p.stalled);
  }

  async check(): Promise<void> {
    const { topic, groupId, redis, prefix, logger } = this.#options;
    const owned = this.#assigned;
    const [ends, [group]] = owned.length ? await Promise.all([this.#admin.fetchTopicOffsets(topic), this.#admin.fetchOffsets({ groupId, topics: [topic] })]) : [[], []];
    const offsets = owned.map((partition) => {
      const end = ends.find((e) => e.partition === partition);
      const committed = group?.partitions.find((p) => p.partition === partition)?.offset;
      return { partition, committed: BigInt(committed || '-1'), low: BigInt(end?.low ?? '0'), high: BigInt(end?.high ?? '0') };
    });
    const before = new Set(this.stalled.map((p) => p.partition));
    this.#progress = this.#detector.observe(offsets, Date.now(), { paused: this.#options.paused() });

    this.#lag.reset();
    this.#stalledGauge.reset();
    const ttlMs = Math.max(3 * this.#options.checkMs, 30_000);
    const writes = redis.multi();
    for (const p of this.#progress) {
      this.#lag.set({ partition: String(p.partition) }, p.lag);
      this.#stalledGauge.set({ partition: String(p.partition) }, p.stalled ? 1 : 0);
      const key = stallStateKey(prefix, topic, p.partition);
      if (p.stalled) writes.set(key, JSON.stringify({ topic, ...p, observedAt: new Date().toISOString() }), 'PX', ttlMs);
      else writes.del(key);
      if (p.stalled && !before.has(p.partition)) {
        logger.error({ topic, partition: p.partition, committed: p.committed, lag: p.lag, waitingSince: p.waitingSince }, 'partition stalled: records are waiting and the committed offset has not moved');
      } else if (!p.stalled && before.has(p.partition)) {
        logger.info({ topic, partition: p.partition, committed: p.committed, lag: p.lag }, 'partition advancing again');
      }
    }
    await writes.exec();
  }

  async close(): Promise<void> {
    await this.#admin.disconnect();
  }
}
