import { describe, expect, it } from 'vitest';
import { StallDetector } from '../src/index.ts';

const at = (partition: number, committed: number, high: number, low = 0) => ({ partition, committed: BigInt(committed), low: BigInt(low), high: BigInt(high) });

describe('StallDetector', () => {
  it('calls a partition stalled once records wait and the offset has not moved for the set time', () => {
    const detector = new StallDetector({ stallAfterMs: 1000 });
    expect(detector.observe([at(0, 5, 6)], 0)[0]).toMatchObject({ lag: 1, stalled: false });
    expect(detector.observe([at(0, 5, 9)], 999)[0]).toMatchObject({ lag: 4, stalled: false });
    expect(detector.observe([at(0, 5, 9)], 1000)[0]).toMatchObject({ lag: 4, stalled: true, waitingSince: new Date(0).toISOString() });
  });

  it('restarts the clock when the offset advances', () => {
    const detector = new StallDetector({ stallAfterMs: 1000 });
    detector.observe([at(0, 5, 50)], 0);
    expect(detector.observe([at(0, 6, 50)], 1500)[0]?.stalled).toBe(false);
    expect(detector.observe([at(0, 6, 50)], 2499)[0]?.stalled).toBe(false);
    expect(detector.observe([at(0, 6, 50)], 2500)[0]?.stalled).toBe(true);
  });

  it('never calls an idle partition stalled, however long nothing arrives', () => {
    const detector = new StallDetector({ stallAfterMs: 1000 });
    detector.observe([at(0, 7, 7)], 0);
    expect(detector.observe([at(0, 7, 7)], 60_000)[0]).toMatchObject({ lag: 0, stalled: false });
    // A record arriving after a long idle time is not late yet.
    expect(detector.observe([at(0, 7, 8)], 60_100)[0]?.stalled).toBe(false);
  });

  it('measures lag from the low offset while nothing is committed', () => {
    const detector = new StallDetector({ stallAfterMs: 1000 });
    expect(detector.observe([at(0, -1, 10, 4)], 0)[0]).toMatchObject({ lag: 6, committed: '-1' });
    expect(detector.observe([at(0, -1, 10, 4)], 1000)[0]?.stalled).toBe(true);
  });

  it('does not count a deliberate pause as a stall', () => {
    const detector = new StallDetector({ stallAfterMs: 1000 });
    detector.observe([at(0, 5, 9)], 0, { paused: true });
    expect(detector.observe([at(0, 5, 9)], 5000, { paused: true })[0]?.stalled).toBe(false);
    expect(detector.observe([at(0, 5, 9)], 5999)[0]?.stalled).toBe(false);
    expect(detector.observe([at(0, 5, 9)], 6000)[0]?.stalled).toBe(true);
  });

  it('forgets partitions it no longer owns and starts afresh if they come back', () => {
    const detector = new StallDetector({ stallAfterMs: 1000 });
    detector.observe([at(0, 5, 9), at(1, 0, 3)], 0);
    expect(detector.observe([at(1, 0, 3)], 1000)).toEqual([expect.objectContaining({ partition: 1, stalled: true })]);
    expect(detector.observe([at(0, 5, 9), at(1, 0, 3)], 1500)[0]?.stalled).toBe(false);
  });
});
