import { describe, expect, it } from 'vitest';
import { simulateDocument } from '../src/documents.ts';
import { datedBefore } from '../src/recentDates.ts';

describe('documents dated relative to now', () => {
  const now = new Date('2026-12-01T08:00:00Z');

  it('finalizes every document within the last three days, keeping the order and gaps of its dates', () => {
    for (let index = 1; index <= 40; index++) {
      const original = simulateDocument(2025, index);
      const recent = datedBefore(original, now);
      const finalized = Date.parse(recent.data.dates.finalized);
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
});
