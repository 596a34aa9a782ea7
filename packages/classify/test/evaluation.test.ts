import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, loadEvaluationSet } from '../evaluation/evaluation.ts';
import { loadSchedule, type RetentionSchedule } from '../src/index.ts';

let schedule: RetentionSchedule;
beforeAll(async () => {
  schedule = await loadSchedule();
});

describe('the default schedule on the hand-labelled evaluation set', () => {
  it('has at least 80 labelled documents covering all four outcomes', async () => {
    const set = await loadEvaluationSet();
    expect(set.length).toBeGreaterThanOrEqual(80);
    expect(new Set(set.map((d) => d.expected.outcome))).toEqual(new Set(['FILE', 'EXCLUDE', 'REVIEW', 'QUARANTINE']));
  });

  it('meets the targets: ≥ 95 % correct, no 密级 outside QUARANTINE, no clear 不归档 filed 永久', async () => {
    const report = evaluate(await loadEvaluationSet(), schedule);
    expect(report.classifiedOutsideQuarantine.map((r) => r.id)).toEqual([]);
    expect(report.excludedFiledPermanently.map((r) => r.id)).toEqual([]);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.95);
  });
});
