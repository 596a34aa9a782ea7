import { describe, expect, it } from 'vitest';
import {
  addYears,
  checkDecision,
  checkDestruction,
  dispositionStateOf,
  lockRefusalOf,
  parseCalendarDate,
  retentionEndsOn,
  type DispositionFacts,
} from '../src/dispositionRules.ts';

const d10 = (more: Partial<DispositionFacts> = {}): DispositionFacts => ({ retention: 'D10', year: 2015, destroyed: false, holds: [], ...more });

describe('when an item is due (counted from 1 January of the year after the 档号 year)', () => {
  it('is due on 1 January after its last full year of retention', () => {
    expect(retentionEndsOn(2015, 'D10')).toBe('2026-01-01');
    expect(retentionEndsOn(2026, 'D10')).toBe('2037-01-01');
    expect(retentionEndsOn(2000, 'D30')).toBe('2031-01-01');
    expect(retentionEndsOn(2015, 'Y')).toBeNull();
  });

  it('is not due the day before and due from that day on', () => {
    expect(dispositionStateOf(d10(), '2025-12-31')).toEqual({ state: 'not-due', dueOn: '2026-01-01' });
    expect(dispositionStateOf(d10(), '2026-01-01')).toEqual({ state: 'due', dueOn: '2026-01-01' });
    expect(dispositionStateOf(d10({ retention: 'D30' }), '2040-06-01')).toEqual({ state: 'not-due', dueOn: '2046-01-01' });
  });

  it('never makes a permanent (永久) item due', () => {
    expect(dispositionStateOf(d10({ retention: 'Y' }), '2999-01-01')).toEqual({ state: 'permanent', dueOn: null });
  });

  it('follows the decision in force: a retained item comes back on its review date', () => {
    const retained = d10({ decision: { decision: 'retain', reviewOn: '2031-01-01' } });
    expect(dispositionStateOf(retained, '2030-12-31')).toEqual({ state: 'retained', dueOn: '2031-01-01' });
    expect(dispositionStateOf(retained, '2031-01-01')).toEqual({ state: 'due', dueOn: '2031-01-01' });
    expect(dispositionStateOf(d10({ decision: { decision: 'permanent', reviewOn: null } }), '2030-01-01').state).toBe('permanent');
    expect(dispositionStateOf(d10({ decision: { decision: 'transfer', reviewOn: null } }), '2030-01-01').state).toBe('transfer');
    expect(dispositionStateOf(d10({ decision: { decision: 'destroy', reviewOn: null } }), '2030-01-01').state).toBe('destroy-approved');
    expect(dispositionStateOf(d10({ decision: { decision: 'destroy', reviewOn: null }, destroyed: true }), '2030-01-01').state).toBe('destroyed');
  });
});

describe('calendar dates', () => {
  it('adds whole years, 29 February falling back to 28 February', () => {
    expect(addYears('2026-01-01', 5)).toBe('2031-01-01');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
  });

  it('refuses what is not a calendar date', () => {
    expect(parseCalendarDate(' 2037-01-01 ')).toBe('2037-01-01');
    expect(() => parseCalendarDate('2037-02-30')).toThrow(/not a calendar date/);
    expect(() => parseCalendarDate('01/01/2037')).toThrow(/YYYY-MM-DD/);
  });
});

describe('what an admin may decide', () => {
  const asOf = '2026-03-01';

  it('decides a due item, with a reason; retain extends from the date it was due', () => {
    expect(checkDecision(d10(), { decision: 'destroy', reason: '已无保存价值' }, asOf)).toEqual({ ok: true, dueOn: '2026-01-01', reviewOn: null });
    expect(checkDecision(d10(), { decision: 'retain', reason: '仍在使用', extendYears: 5 }, asOf)).toEqual({ ok: true, dueOn: '2026-01-01', reviewOn: '2031-01-01' });
    expect(checkDecision(d10(), { decision: 'permanent', reason: '具有长远价值' }, asOf)).toMatchObject({ ok: true, reviewOn: null });
  });

  it('refuses without a reason, or a retain without a whole number of years', () => {
    expect(checkDecision(d10(), { decision: 'destroy', reason: '  ' }, asOf)).toEqual({ ok: false, refusal: { code: 'reason-missing', params: {} } });
    for (const extendYears of [undefined, 0, 2.5, 101]) {
      expect(checkDecision(d10(), { decision: 'retain', reason: 'r', extendYears }, asOf)).toMatchObject({ ok: false, refusal: { code: 'extend-years' } });
    }
  });

  it('refuses an item not yet due, a permanent one, a destroyed one', () => {
    expect(checkDecision(d10(), { decision: 'destroy', reason: 'r' }, '2025-12-31')).toEqual({ ok: false, refusal: { code: 'not-due', params: { dueOn: '2026-01-01' } } });
    expect(checkDecision(d10({ retention: 'Y' }), { decision: 'destroy', reason: 'r' }, asOf)).toMatchObject({ ok: false, refusal: { code: 'permanent' } });
    expect(checkDecision(d10({ decision: { decision: 'permanent', reviewOn: null } }), { decision: 'destroy', reason: 'r' }, asOf)).toMatchObject({ ok: false, refusal: { code: 'permanent' } });
    expect(checkDecision(d10({ destroyed: true, decision: { decision: 'destroy', reviewOn: null } }), { decision: 'retain', reason: 'r', extendYears: 1 }, asOf)).toMatchObject({
      ok: false,
      refusal: { code: 'destroyed' },
    });
    const retained = d10({ decision: { decision: 'retain', reviewOn: '2031-01-01' } });
    expect(checkDecision(retained, { decision: 'destroy', reason: 'r' }, asOf)).toMatchObject({ ok: false, refusal: { code: 'not-due', params: { dueOn: '2031-01-01' } } });
  });

  it('lets a decision not yet carried out be changed', () => {
    const approved = d10({ decision: { decision: 'destroy', reviewOn: null } });
    expect(checkDecision(approved, { decision: 'retain', reason: '发现仍需查考', extendYears: 10 }, asOf)).toEqual({ ok: true, dueOn: '2026-01-01', reviewOn: '2036-01-01' });
  });

  it('refuses transfer and destruction of a held item, but lets it be retained', () => {
    const held = d10({ holds: ['审计2026-01'] });
    expect(checkDecision(held, { decision: 'destroy', reason: 'r' }, asOf)).toEqual({ ok: false, refusal: { code: 'held', params: { holds: '审计2026-01' } } });
    expect(checkDecision(held, { decision: 'transfer', reason: 'r' }, asOf)).toMatchObject({ ok: false, refusal: { code: 'held' } });
    expect(checkDecision(held, { decision: 'retain', reason: 'r', extendYears: 1 }, asOf)).toMatchObject({ ok: true });
  });
});

describe('when an item may be destroyed', () => {
  const approved = d10({ decision: { decision: 'destroy', reviewOn: null } });

  it('needs a destroy decision in force and no hold', () => {
    expect(checkDestruction(approved, '2026-03-01')).toEqual({ ok: true });
    expect(checkDestruction(d10(), '2026-03-01')).toEqual({ ok: false, refusal: { code: 'not-approved', params: { state: 'due' } } });
    expect(checkDestruction({ ...approved, holds: ['诉讼A'] }, '2026-03-01')).toEqual({ ok: false, refusal: { code: 'held', params: { holds: '诉讼A' } } });
    expect(checkDestruction({ ...approved, destroyed: true }, '2026-03-01')).toMatchObject({ ok: false, refusal: { code: 'destroyed' } });
  });
});

describe('whether a stored object may be removed', () => {
  const now = new Date('2026-03-01T00:00:00Z');

  it('removes only an object whose retention has expired and which has no legal hold', () => {
    expect(lockRefusalOf({ supported: true, mode: 'COMPLIANCE', retainUntil: new Date('2026-02-28T23:59:59Z'), legalHold: false }, now, true)).toBeUndefined();
    expect(lockRefusalOf({ supported: true, legalHold: false }, now, true)).toBeUndefined();
    expect(lockRefusalOf({ supported: true, mode: 'COMPLIANCE', retainUntil: new Date('2026-03-01T00:00:01Z'), legalHold: false }, now, true)).toEqual({
      code: 'object-retained',
      params: { until: '2026-03-01T00:00:01.000Z', mode: 'COMPLIANCE' },
    });
    expect(lockRefusalOf({ supported: true, legalHold: true }, now, false)).toEqual({ code: 'object-legal-hold', params: {} });
  });

  it('trusts a store without Object Lock only when the archive does not lock its objects', () => {
    expect(lockRefusalOf({ supported: false }, now, false)).toBeUndefined();
    expect(lockRefusalOf({ supported: false }, now, true)).toEqual({ code: 'object-lock-unknown', params: {} });
  });
});
