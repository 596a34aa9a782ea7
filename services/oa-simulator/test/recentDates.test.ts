import { describe, expect, it } from 'vitest';
import { simulateDocument } from '../src/documents.ts';
import { datedBefore, LATE_DEPARTMENTS } from '../src/recentDates.ts';

describe('documents dated relative to now', () => {
  const now = new Date('2026-12-01T08:00:00Z');

  it('finalizes a prompt department’s documents within the last three days, keeping the order and gaps of its dates', () => {
    for (let index = 1; index <= 40; index++) {
      const original = simulateDocument(2025, index);
      const recent = datedBefore(original, now);
      const finalized = Date.parse(recent.data.dates.finalized);
      if (LATE_DEPARTMENTS[original.data.departmentCode]) continue;
      expect(finalized).toBeLessThanOrEqual(now.getTime() - 10 * 60_000);
      expect(finalized).toBeGreaterThan(now.getTime() - 72 * 3_600_000 - 10 * 60_000);
      const gap = (d: { created: string; finalized: string }) => Date.parse(d.finalized) - Date.parse(d.created);
      expect(gap(recent.data.dates)).toBe(gap(original.data.dates));
      const steps = recent.data.workflow?.steps ?? [];
      expect(steps.map((s) => Date.parse(s.at) - Date.parse(recent.data.dates.created))).toEqual((original.data.workflow?.steps ?? []).map((s) => Date.parse(s.at) - Date.parse(original.data.dates.created)));
      expect(recent.components).toBe(original.components);
    }
  });

  it('is reproducible for a given now, and spreads documents over the window', () => {
    const a = Array.from({ length: 20 }, (_, i) => datedBefore(simulateDocument(7, i + 1), now).data.dates.finalized);
    const b = Array.from({ length: 20 }, (_, i) => datedBefore(simulateDocument(7, i + 1), now).data.dates.finalized);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(15);
  });

  it('has the late departments hand over weeks to months after the workflow ended, the others within days', () => {
    const DAY = 86_400_000;
    const ageInDays = new Map<string, number[]>();
    for (let index = 1; index <= 100; index++) {
      const original = simulateDocument(11, index);
      const dated = datedBefore(original, now);
      const days = (now.getTime() - Date.parse(dated.data.dates.finalized)) / DAY;
      ageInDays.set(original.data.departmentCode, [...(ageInDays.get(original.data.departmentCode) ?? []), days]);
      // The whole workflow moves with the finalization: nothing of it lies after now.
      for (const step of dated.data.workflow?.steps ?? []) expect(Date.parse(step.at)).toBeLessThan(now.getTime());
    }
    // 综合科 weeks late, 人事科 months late, every other department within three days.
    const zhk = ageInDays.get('ZHK')!;
    const rsk = ageInDays.get('RSK')!;
    expect(Math.min(...zhk)).toBeGreaterThanOrEqual(14);
    expect(Math.max(...zhk)).toBeLessThan(49);
    expect(Math.min(...rsk)).toBeGreaterThanOrEqual(45);
    expect(Math.max(...rsk)).toBeLessThan(135);
    // A spread, not one delay: some 人事科 documents are over three months late, some under two.
    expect(rsk.some((d) => d > 90)).toBe(true);
    expect(rsk.some((d) => d < 60)).toBe(true);
    for (const [department, days] of ageInDays) {
      if (department === 'ZHK' || department === 'RSK') continue;
      expect(Math.max(...days), department).toBeLessThan(3.01);
    }
    // A pure function of (seed, index) and now: the same again.
    expect(datedBefore(simulateDocument(11, 7), now)).toEqual(datedBefore(simulateDocument(11, 7), now));
  });
});
