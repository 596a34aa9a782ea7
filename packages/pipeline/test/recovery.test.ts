import { describe, expect, it } from 'vitest';
import { decideRecovery, DEFAULT_RECOVERY, DEFAULT_STAGE_DEADLINES_MS, OVERDUE_MARGIN_MS, parseDuration, parseStageDeadlines, STALLED_REASON, type RecoveryFacts } from '../src/index.ts';

const settings = { deadlines: { ...DEFAULT_STAGE_DEADLINES_MS }, maxRecoveries: 3 };
const facts = (job: RecoveryFacts['job'], more: Partial<RecoveryFacts> = {}): RecoveryFacts => ({ stage: 'convert', job, recoveries: 0, idleMs: 60_000, ...more });

describe('deciding what to do about an ingest whose status has not moved', () => {
  it.each(['waiting', 'delayed', 'prioritized', 'waiting-children'] as const)('leaves a %s job alone: the document is queued, not lost', (state) => {
    expect(decideRecovery(facts({ state }), settings)).toMatchObject({ action: 'none' });
  });

  it('puts the ingest back when its job is missing from Redis, or completed without it moving on', () => {
    expect(decideRecovery(facts({ state: 'missing' }), settings)).toEqual({ action: 'requeue', reason: 'its convert job is missing from Redis (lost, or never queued)' });
    expect(decideRecovery(facts({ state: 'unknown' }), settings)).toMatchObject({ action: 'requeue' });
    expect(decideRecovery(facts({ state: 'completed' }), settings)).toMatchObject({ action: 'requeue', reason: expect.stringMatching(/completed but the ingest did not move on/) });
  });

  it('puts back a job whose workers died too often, and fails one that failed without the ingest being marked', () => {
    expect(decideRecovery(facts({ state: 'failed', failedReason: STALLED_REASON }), settings)).toMatchObject({ action: 'requeue', reason: expect.stringMatching(/died/) });
    expect(decideRecovery(facts({ state: 'failed', failedReason: 'Error: connect ECONNREFUSED 127.0.0.1:5432' }), settings)).toEqual({
      action: 'fail',
      reason: 'convert job failed without the ingest being marked: Error: connect ECONNREFUSED 127.0.0.1:5432',
      retryable: true,
    });
  });

  it('counts a job running past its deadline only once the deadline has passed', () => {
    const deadline = settings.deadlines.convert;
    expect(decideRecovery(facts({ state: 'active', activeForMs: deadline }, { idleMs: deadline * 2 }), settings)).toMatchObject({ action: 'none' });
    expect(decideRecovery(facts({ state: 'active', activeForMs: deadline + OVERDUE_MARGIN_MS + 1 }, { idleMs: deadline + 1 }), settings)).toMatchObject({ action: 'overdue' });
    // Counted again only a deadline after the last count (which moved updated_at).
    expect(decideRecovery(facts({ state: 'active', activeForMs: deadline * 3 }, { idleMs: 1000 }), settings)).toMatchObject({ action: 'none' });
  });

  it('gives up after maxRecoveries with the reason, so nothing loops for ever', () => {
    expect(decideRecovery(facts({ state: 'missing' }, { recoveries: 3 }), settings)).toEqual({
      action: 'fail',
      reason: 'its convert job is missing from Redis (lost, or never queued); given up after 3 recoveries at convert',
      retryable: true,
    });
    expect(decideRecovery(facts({ state: 'failed', failedReason: STALLED_REASON }, { recoveries: 3 }), settings)).toMatchObject({ action: 'fail' });
  });
});

describe('recovery settings', () => {
  it('reads durations and per-stage deadlines over the defaults', () => {
    expect([parseDuration('1500'), parseDuration('1500ms'), parseDuration('90s'), parseDuration('30m'), parseDuration('2h')]).toEqual([1500, 1500, 90_000, 1_800_000, 7_200_000]);
    expect(parseStageDeadlines('convert=45m,notify=30s')).toEqual({ ...DEFAULT_STAGE_DEADLINES_MS, convert: 2_700_000, notify: 30_000 });
    expect(parseStageDeadlines('')).toEqual(DEFAULT_RECOVERY.deadlines);
  });

  it('names what is wrong', () => {
    expect(() => parseStageDeadlines('convert')).toThrow(/"convert" is not stage=duration/);
    expect(() => parseStageDeadlines('ocr=1m')).toThrow(/"ocr" is not a stage; stages are fetch, characterize/);
    expect(() => parseDuration('0s')).toThrow(/longer than zero/);
  });
});
