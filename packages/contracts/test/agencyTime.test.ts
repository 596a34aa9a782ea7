import { describe, expect, it } from 'vitest';
import { agencyDate, agencyDateTime, isTimeZone, TimeZoneError } from '../src/index.ts';

describe('instants in the agency’s time zone', () => {
  // 16:30 UTC on 31 December is 00:30 on 1 January in Shanghai: another day, month and year.
  const evening = '2026-12-31T16:30:00Z';

  it('gives the agency’s calendar date, which is the next day in Shanghai for a UTC evening', () => {
    expect(agencyDate(evening, 'Asia/Shanghai')).toBe('2027-01-01');
    expect(agencyDate(new Date(evening), 'UTC')).toBe('2026-12-31');
    expect(agencyDate('2026-12-31T15:59:59Z', 'Asia/Shanghai')).toBe('2026-12-31');
  });

  it('gives the local time with its explicit offset', () => {
    expect(agencyDateTime(evening, 'Asia/Shanghai')).toBe('2027-01-01T00:30:00+08:00');
    expect(agencyDateTime('2025-03-10T10:02:00+08:00', 'Asia/Shanghai')).toBe('2025-03-10T10:02:00+08:00');
    expect(agencyDateTime(evening, 'UTC')).toBe('2026-12-31T16:30:00+00:00');
    // A zone west of UTC, and one with daylight saving: the offset is the one in force at the instant.
    expect(agencyDateTime('2026-07-01T12:00:00Z', 'America/New_York')).toBe('2026-07-01T08:00:00-04:00');
    expect(agencyDateTime('2026-01-01T12:00:00Z', 'America/New_York')).toBe('2026-01-01T07:00:00-05:00');
    expect(agencyDateTime('2026-01-01T12:00:00Z', 'Asia/Kolkata')).toBe('2026-01-01T17:30:00+05:30');
  });

  it('refuses a zone that is not one, and a date-time that is not one', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(() => agencyDate(evening, 'Mars/Olympus')).toThrow(TimeZoneError);
    expect(() => agencyDate('yesterday', 'Asia/Shanghai')).toThrow(RangeError);
  });
});
