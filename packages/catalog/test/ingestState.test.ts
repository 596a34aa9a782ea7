import { describe, expect, it } from 'vitest';
import { INGEST_STATUSES, type IngestStatus } from '@oa-archive/contracts';
import { auditTypeOf, canTransition, IllegalTransitionError, INGEST_EVENTS, nextStatus, OPERATOR_EVENTS, TRANSITIONS, type IngestEvent } from '../src/index.ts';

const FINAL_OUTCOMES: IngestStatus[] = ['FILED', 'EXCLUDED', 'QUARANTINED'];
const pairs = INGEST_STATUSES.flatMap((from) => INGEST_EVENTS.map((event) => [from, event] as const));

describe('the ingest state machine (pure table)', () => {
  it('knows every status', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...INGEST_STATUSES].sort());
  });

  it.each(pairs.filter(([from, event]) => !canTransition(from, event)))('refuses %s --%s-->', (from, event) => {
    expect(() => nextStatus('ing_x', from, event)).toThrow(IllegalTransitionError);
    expect(() => nextStatus('ing_x', from, event)).toThrow(new RegExp(`ingest ing_x is ${from}: "${event}" is not a transition`));
  });

  it('allows exactly these transitions', () => {
    const allowed = pairs.filter(([from, event]) => canTransition(from, event)).map(([from, event]) => `${from} --${event}--> ${nextStatus('i', from, event)}`);
    expect(allowed.sort()).toEqual(
      [
        'RECEIVED --advance--> IN_PROGRESS',
        'RECEIVED --recover--> RECEIVED',
        'RECEIVED --fail--> FAILED',
        'IN_PROGRESS --advance--> IN_PROGRESS',
        'IN_PROGRESS --recover--> IN_PROGRESS',
        'IN_PROGRESS --file--> FILED',
        'IN_PROGRESS --exclude--> EXCLUDED',
        'IN_PROGRESS --quarantine--> QUARANTINED',
        'IN_PROGRESS --hold--> REVIEW',
        'IN_PROGRESS --fail--> FAILED',
        'REVIEW --settle--> IN_PROGRESS',
        'REVIEW --settle-exclude--> EXCLUDED',
        'REVIEW --supersede--> EXCLUDED',
        'FAILED --replay--> IN_PROGRESS',
      ].sort(),
    );
  });

  it('never leaves FILED, EXCLUDED or QUARANTINED', () => {
    for (const from of FINAL_OUTCOMES) for (const event of INGEST_EVENTS) expect(canTransition(from, event), `${from} ${event}`).toBe(false);
    expect(() => nextStatus('ing_f', 'FILED', 'fail')).toThrow(/FILED is a final outcome; nothing changes it/);
  });

  it('leaves FAILED and REVIEW only by a person (or, for REVIEW, a later version of the document superseding it)', () => {
    for (const from of ['FAILED', 'REVIEW'] as const) {
      for (const event of INGEST_EVENTS.filter((e) => canTransition(from, e))) expect([...OPERATOR_EVENTS, ...(from === 'REVIEW' ? ['supersede'] : [])], `${from} ${event}`).toContain(event);
    }
    expect(() => nextStatus('ing_r', 'REVIEW', 'file')).toThrow(/a person settles it/);
  });

  it('lets no operator event act on an ingest on its way', () => {
    for (const event of OPERATOR_EVENTS) for (const from of ['RECEIVED', 'IN_PROGRESS'] as const) expect(canTransition(from, event as IngestEvent)).toBe(false);
  });

  it('names the audit event of each transition', () => {
    expect(auditTypeOf('advance', 'IN_PROGRESS')).toBe('stage.completed');
    expect(auditTypeOf('file', 'FILED')).toBe('ingest.filed');
    expect(auditTypeOf('hold', 'REVIEW')).toBe('ingest.review');
    expect(auditTypeOf('settle-exclude', 'EXCLUDED')).toBe('ingest.excluded');
    expect(auditTypeOf('supersede', 'EXCLUDED')).toBe('ingest.superseded');
    expect(auditTypeOf('recover', 'IN_PROGRESS')).toBe('ingest.recovered');
    expect(auditTypeOf('replay', 'IN_PROGRESS')).toBe('ingest.replay-requested');
  });
});
