import { seededRandom } from './random.ts';

/** What the suite does to the running archive. */
export const FAULT_KINDS = ['kill-worker', 'kill-intake', 'restart-redis', 'stop-kafka', 'stop-s3', 'restart-postgres'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** 1-based, in the order the faults happen. */
  index: number;
  kind: FaultKind;
  /** The process or server it hits: `worker-2`, `intake`, `redis`, `kafka`, `s3`, `postgresql`. */
  target: string;
  /** When it starts, in ms from the start of the faulted phase. */
  atMs: number;
  /** How long the target stays down before it is brought back (a killed process's restart delay). */
  holdMs: number;
}

export interface ScheduleOptions {
  seed: number;
  /** Faults start within [leadMs, windowMs] of the faulted phase, as far as their durations allow. */
  windowMs: number;
  leadMs: number;
  workers: number;
  kafkaDownMs: number;
  s3DownMs: number;
  /** Least quiet time between the end of one fault and the start of the next. */
  gapMs: number;
}

const TARGET: Record<Exclude<FaultKind, 'kill-worker'>, string> = {
  'kill-intake': 'intake',
  'restart-redis': 'redis',
  'stop-kafka': 'kafka',
  'stop-s3': 's3',
  'restart-postgres': 'postgresql',
};

/**
 * What a fault takes beyond its hold, as seen on this machine: a Node service ~4 s to be consuming
 * again, a Kafka broker ~10 s to stop and start, S3Proxy ~3 s, PostgreSQL ~4 s. Only used to space
 * the faults; the run waits for each to be over before the next.
 */
export function estimatedMs(kind: FaultKind, holdMs: number): number {
  const overhead: Record<FaultKind, number> = {
    'kill-worker': 4000,
    'kill-intake': 4000,
    'restart-redis': 1000,
    'stop-kafka': 10_000,
    'stop-s3': 3000,
    'restart-postgres': 4000,
  };
  return holdMs + overhead[kind];
}

/**
 * A seeded, non-overlapping fault schedule: rounds in which every kind of fault happens once (a
 * worker kill for each worker), each round in its own random order, with random restart delays,
 * spread over the window with random gaps. As many rounds as fit the window, at least one.
 */
export function planFaults(options: ScheduleOptions): PlannedFault[] {
  const random = seededRandom(options.seed);
  const workers = Array.from({ length: Math.max(1, options.workers) }, (_, i) => `worker-${i + 1}`);
  const round: { kind: FaultKind; target: string }[] = [
    ...workers.map((target) => ({ kind: 'kill-worker' as const, target })),
    ...Object.entries(TARGET).map(([kind, target]) => ({ kind: kind as FaultKind, target })),
  ];
  const holdOf = (kind: FaultKind): number => {
    if (kind === 'stop-kafka') return options.kafkaDownMs;
    if (kind === 'stop-s3') return options.s3DownMs;
    if (kind === 'restart-redis') return Math.round(random.between(0, 2000));
    if (kind === 'restart-postgres') return 0;
    return Math.round(random.between(1000, 5000));
  };
  const typicalRound = round.reduce((sum, f) => sum + estimatedMs(f.kind, holdOf(f.kind)) + options.gapMs, 0);
  const span = Math.max(0, options.windowMs - options.leadMs);
  const rounds = Math.max(1, Math.floor(span / typicalRound));

  const faults: Omit<PlannedFault, 'atMs' | 'index'>[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const f of random.shuffle(round)) faults.push({ ...f, holdMs: holdOf(f.kind) });
  }
  const busy = faults.reduce((sum, f) => sum + estimatedMs(f.kind, f.holdMs) + options.gapMs, 0);
  const weights = faults.map(() => random.next());
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const slack = Math.max(0, span - busy);
  let at = options.leadMs;
  return faults.map((f, i) => {
    at += (slack * weights[i]!) / total;
    const planned = { ...f, index: i + 1, atMs: Math.round(at) };
    at += estimatedMs(f.kind, f.holdMs) + options.gapMs;
    return planned;
  });
}
