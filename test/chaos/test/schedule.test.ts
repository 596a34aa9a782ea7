import { describe, expect, it } from 'vitest';
import { estimatedMs, FAULT_KINDS, planFaults, type ScheduleOptions } from '../src/schedule.ts';

const base: ScheduleOptions = { seed: 7, windowMs: 100_000, leadMs: 5000, workers: 2, kafkaDownMs: 20_000, s3DownMs: 30_000, gapMs: 4000 };

describe('planFaults', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(planFaults(base)).toEqual(planFaults(base));
    expect(planFaults({ ...base, seed: 8 })).not.toEqual(planFaults(base));
  });

  it('hits every kind of fault at least once, and each worker', () => {
    const plan = planFaults(base);
    expect(new Set(plan.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    expect(plan.filter((f) => f.kind === 'kill-worker').map((f) => f.target).sort()).toEqual(['worker-1', 'worker-2']);
  });

  it('holds Kafka and S3 down as long as asked, and restarts killed processes within seconds', () => {
    const plan = planFaults(base);
    expect(plan.find((f) => f.kind === 'stop-kafka')!.holdMs).toBe(20_000);
    expect(plan.find((f) => f.kind === 'stop-s3')!.holdMs).toBe(30_000);
    for (const f of plan.filter((x) => x.kind.startsWith('kill-'))) expect(f.holdMs).toBeGreaterThanOrEqual(1000);
  });

  it('starts after the lead, in order, with no fault overlapping the one before', () => {
    for (const seed of [1, 2, 3, 99]) {
      const plan = planFaults({ ...base, seed, windowMs: 600_000 });
      expect(plan[0]!.atMs).toBeGreaterThanOrEqual(base.leadMs);
      for (let i = 1; i < plan.length; i++) {
        const before = plan[i - 1]!;
        expect(plan[i]!.atMs).toBeGreaterThanOrEqual(before.atMs + estimatedMs(before.kind, before.holdMs) + base.gapMs - 1);
      }
      expect(plan.map((f) => f.index)).toEqual(plan.map((_, i) => i + 1));
    }
  });

  it('repeats the round of faults as the window grows, spread across it', () => {
    const short = planFaults(base);
    const long = planFaults({ ...base, windowMs: 3_600_000 });
    expect(long.length).toBeGreaterThan(short.length * 5);
    expect(long.at(-1)!.atMs).toBeGreaterThan(3_000_000);
    expect(long.at(-1)!.atMs).toBeLessThanOrEqual(3_600_000);
  });

  it('puts fewer faults in the same window when asked for longer quiet gaps between them', () => {
    const dense = planFaults({ ...base, windowMs: 3_600_000 });
    const sparse = planFaults({ ...base, windowMs: 3_600_000, gapMs: 45_000 });
    expect(sparse.length).toBeLessThan(dense.length / 2);
    for (let i = 1; i < sparse.length; i++) expect(sparse[i]!.atMs - sparse[i - 1]!.atMs).toBeGreaterThanOrEqual(45_000);
  });
});
