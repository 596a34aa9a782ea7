import { describe, expect, it } from 'vitest';
import { addWorkingDays, filingDeadlineOf, filingStateOf, filingTimeliness, loadSchedule, parseSchedule, ScheduleError, type FilingSchedule } from '../src/index.ts';

const CALENDAR: FilingSchedule = { timezone: '+08:00', default: { workingDays: 5 }, byDepartment: { CWK: { workingDays: 3 } }, byCategory: { ZP: { workingDays: 10 } }, holidays: [], workdays: [] };
/** An instant in agency time (+08:00). */
const at = (local: string) => new Date(`${local}+08:00`);

describe('addWorkingDays', () => {
  it.each([
    // Monday 2026-03-02, 5 working days: Tue–Fri and the next Monday; due by the end of Monday 03-09.
    ['2026-03-02T10:00:00', 5, '2026-03-10T00:00:00'],
    // Finalized late on Friday: Mon–Fri of the next week.
    ['2026-03-06T23:30:00', 5, '2026-03-14T00:00:00'],
    // On a Saturday: the weekend does not count.
    ['2026-03-07T09:00:00', 1, '2026-03-10T00:00:00'],
    // 0 working days: the end of the day of finalization.
    ['2026-03-07T09:00:00', 0, '2026-03-08T00:00:00'],
  ])('%s + %i working days → due by %s (agency time)', (from, days, due) => {
    expect(addWorkingDays(at(from), days, CALENDAR)).toEqual(at(due));
  });

  it('reads the day in the agency timezone', () => {
    // Sunday 2026-03-01 23:30 UTC is Monday 07:30 in +08:00: the next working day is Tuesday.
    expect(addWorkingDays(new Date('2026-03-01T23:30:00Z'), 1, CALENDAR)).toEqual(at('2026-03-04T00:00:00'));
    // The same instant in UTC is a Sunday: the next working day is Monday.
    expect(addWorkingDays(new Date('2026-03-01T23:30:00Z'), 1, { ...CALENDAR, timezone: '+00:00' })).toEqual(new Date('2026-03-03T00:00:00Z'));
  });

  it('skips listed holidays and counts listed weekend workdays (调休)', () => {
    const national = { ...CALENDAR, holidays: ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08'], workdays: ['2025-09-28', '2025-10-11'] };
    // Finalized Friday 2025-09-26: Sunday 09-28 (a workday), Mon 09-29, Tue 09-30, then the holiday, Thu 10-09 and Fri 10-10.
    expect(addWorkingDays(at('2025-09-26T15:00:00'), 5, national)).toEqual(at('2025-10-11T00:00:00'));
    // Without the calendar, holidays are ordinary working days.
    expect(addWorkingDays(at('2025-09-26T15:00:00'), 5, CALENDAR)).toEqual(at('2025-10-04T00:00:00'));
  });
});

describe('filingDeadlineOf', () => {
  const finalizedAt = at('2026-03-02T10:00:00');
  it('takes the earliest deadline of those that apply, and says which', () => {
    expect(filingDeadlineOf(CALENDAR, { finalizedAt, departmentCode: 'BGS', category: 'WS' })).toMatchObject({ workingDays: 5, rule: 'default' });
    expect(filingDeadlineOf(CALENDAR, { finalizedAt, departmentCode: 'CWK', category: 'ZP' })).toMatchObject({ workingDays: 3, rule: 'department CWK', dueBy: at('2026-03-06T00:00:00') });
    expect(filingDeadlineOf({ ...CALENDAR, default: undefined }, { finalizedAt, departmentCode: 'BGS', category: 'ZP' })).toMatchObject({ workingDays: 10, rule: 'category ZP' });
  });
  it('is undefined without a schedule or a rule that applies', () => {
    expect(filingDeadlineOf(undefined, { finalizedAt, departmentCode: 'BGS', category: null })).toBeUndefined();
    expect(filingDeadlineOf({ ...CALENDAR, default: undefined }, { finalizedAt, departmentCode: 'BGS', category: null })).toBeUndefined();
  });
});

describe('filingStateOf and filingTimeliness', () => {
  const deadline = { dueBy: at('2026-03-10T00:00:00'), workingDays: 5, rule: 'default' };
  const before = at('2026-03-09T12:00:00');
  const after = at('2026-03-10T00:00:01');
  it.each([
    ['FILED', before, after, 'filed-on-time'],
    ['FILED', after, after, 'filed-late'],
    ['REVIEW', null, before, 'pending'],
    ['REVIEW', null, after, 'overdue'],
    ['FAILED', null, after, 'overdue'],
    ['IN_PROGRESS', null, after, 'overdue'],
    ['EXCLUDED', after, after, 'settled'],
    ['QUARANTINED', after, after, 'settled'],
  ] as const)('%s completed %s, judged at %s: %s', (status, completedAt, now, state) => {
    expect(filingStateOf(deadline, { status, completedAt }, now)).toBe(state);
  });

  it('counts per department and lists the overdue, most overdue first', () => {
    const base = { source: 'oa', version: 1, title: 't', category: null, completedAt: null };
    const now = at('2026-03-20T12:00:00');
    const result = filingTimeliness(
      CALENDAR,
      [
        { ...base, ingestId: 'a', documentId: 'A', departmentCode: 'BGS', finalizedAt: at('2026-03-02T10:00:00'), status: 'REVIEW' },
        { ...base, ingestId: 'b', documentId: 'B', departmentCode: 'BGS', finalizedAt: at('2026-03-09T10:00:00'), status: 'FAILED' },
        { ...base, ingestId: 'c', documentId: 'C', departmentCode: 'BGS', finalizedAt: at('2026-03-02T10:00:00'), status: 'FILED', completedAt: at('2026-03-03T10:00:00') },
        { ...base, ingestId: 'd', documentId: 'D', departmentCode: 'CWK', finalizedAt: at('2026-03-19T10:00:00'), status: 'RECEIVED' },
        { ...base, ingestId: 'e', documentId: 'E', departmentCode: 'CWK', finalizedAt: at('2026-03-02T10:00:00'), status: 'EXCLUDED' },
      ],
      now,
    );
    expect(result.byDepartment).toEqual([
      { department: 'BGS', filedOnTime: 1, filedLate: 0, overdue: 2, pending: 0 },
      { department: 'CWK', filedOnTime: 0, filedLate: 0, overdue: 0, pending: 1 },
    ]);
    expect(result.overdue.map((d) => [d.documentId, d.dueBy, d.overdueMs])).toEqual([
      ['A', at('2026-03-10T00:00:00'), now.getTime() - at('2026-03-10T00:00:00').getTime()],
      ['B', at('2026-03-17T00:00:00'), now.getTime() - at('2026-03-17T00:00:00').getTime()],
    ]);
  });
});

describe('the schedule’s filing section', () => {
  it('is read from the default schedule, with its holiday calendar', async () => {
    const schedule = await loadSchedule();
    expect(schedule.filing).toMatchObject({ timezone: '+08:00', default: { workingDays: 5 }, byCategory: { ZP: { workingDays: 10 } } });
    expect(schedule.filing!.holidays).toContain('2025-10-01');
    expect(schedule.filing!.workdays).toContain('2025-09-28');
  });

  it('refuses a date that is not on the calendar, naming its line', async () => {
    const text = (await import('node:fs/promises')).readFile;
    const { DEFAULT_SCHEDULE_PATH } = await import('../src/index.ts');
    const yaml = (await text(DEFAULT_SCHEDULE_PATH, 'utf8')).replace('2025-06-02', '2025-02-30');
    expect(() => parseSchedule(yaml, 'default.yaml')).toThrow(ScheduleError);
    expect(() => parseSchedule(yaml, 'default.yaml')).toThrow(/default\.yaml:\d+:\d+ filing\.holidays\.\d+: 2025-02-30 is not a date of the calendar/);
  });
});
