import { describe, expect, it } from 'vitest';
import { lockSatisfies } from '../src/objectLock.ts';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('whether an object lock protects at least as much as asked', () => {
  const wanted = { mode: 'COMPLIANCE' as const, retainUntil: day('2055-03-14') };

  it('accepts the same or a later retention in the same mode', () => {
    expect(lockSatisfies({ mode: 'COMPLIANCE', retainUntil: day('2055-03-14'), legalHold: false }, wanted)).toBe(true);
    expect(lockSatisfies({ mode: 'COMPLIANCE', retainUntil: day('2060-01-01'), legalHold: false }, wanted)).toBe(true);
  });

  it('refuses no retention, a shorter one, or a weaker mode', () => {
    expect(lockSatisfies({ legalHold: false }, wanted)).toBe(false);
    expect(lockSatisfies({ mode: 'COMPLIANCE', retainUntil: day('2055-03-13'), legalHold: false }, wanted)).toBe(false);
    expect(lockSatisfies({ mode: 'GOVERNANCE', retainUntil: day('2060-01-01'), legalHold: false }, wanted)).toBe(false);
  });

  it('takes COMPLIANCE as covering GOVERNANCE', () => {
    expect(lockSatisfies({ mode: 'COMPLIANCE', retainUntil: day('2035-01-01'), legalHold: false }, { mode: 'GOVERNANCE', retainUntil: day('2035-01-01') })).toBe(true);
  });

  it('needs the legal hold on when one is asked for, whatever the retention', () => {
    expect(lockSatisfies({ legalHold: true }, { mode: 'COMPLIANCE', legalHold: true })).toBe(true);
    expect(lockSatisfies({ mode: 'COMPLIANCE', retainUntil: day('2099-01-01'), legalHold: false }, { mode: 'COMPLIANCE', legalHold: true })).toBe(false);
  });
});
