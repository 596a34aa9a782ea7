/** One look at a partition: the group's committed offset (-1: none yet) and the partition's offsets. */
export interface PartitionOffsets {
  partition: number;
  committed: bigint;
  low: bigint;
  high: bigint;
}

export interface PartitionProgress {
  partition: number;
  committed: string;
  high: string;
  lag: number;
  /** When the partition last advanced or had nothing waiting (ISO 8601). */
  waitingSince: string;
  stalled: boolean;
}

/**
 * Tells a partition that is stuck from one that is merely busy: stalled means records are waiting and the
 * committed offset has not moved for `stallAfterMs`. Pure: the caller reads the offsets and the clock.
 * A paused consumer is holding back on purpose (back pressure), so pausing restarts the clock.
 */
export class StallDetector {
  readonly stallAfterMs: number;
  readonly #seen = new Map<number, { committed: bigint; since: number }>();

  constructor(options: { stallAfterMs: number }) {
    this.stallAfterMs = options.stallAfterMs;
  }

  /** Observes the partitions this consumer owns now; partitions not listed are forgotten (reassigned). */
  observe(partitions: PartitionOffsets[], now: number, options: { paused: boolean } = { paused: false }): PartitionProgress[] {
    const owned = new Set(partitions.map((p) => p.partition));
    for (const partition of this.#seen.keys()) if (!owned.has(partition)) this.#seen.delete(partition);
    return partitions.map(({ partition, committed, low, high }) => {
      const position = committed < 0n ? low : committed;
      const lag = high > position ? Number(high - position) : 0;
      const before = this.#seen.get(partition);
      const since = !before || before.committed !== committed || lag === 0 || options.paused ? now : before.since;
      this.#seen.set(partition, { committed, since });
      return {
        partition,
        committed: committed.toString(),
        high: high.toString(),
        lag,
        waitingSince: new Date(since).toISOString(),
        stalled: lag > 0 && now - since >= this.stallAfterMs,
      };
    });
  }
}

/**
 * Where a consumer publishes a stalled partition for operators to see (the console reads it). One key per
 * partition, written with an expiry by whichever consumer owns it, so several consumers never overwrite
 * each other and a consumer that dies leaves nothing stale behind.
 */
export function stallStateKey(prefix: string, topic: string, partition: number): string {
  return `${prefix}:consumer:stalled:${topic}:${partition}`;
}
