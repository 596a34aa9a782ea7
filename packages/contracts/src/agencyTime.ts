/**
 * Instants as the agency's calendar and clock read them. The standards write local time: bag-info's
 * Bagging-Date is the day the bag was made where it was made, and DA/T 46's 日期 and 行为时间 are the
 * agency's. An instant OA systems send in UTC (`…Z`) late in the evening is already the next day in
 * Shanghai; these give that day, and a time with its explicit offset (`+08:00`) so nothing is lost.
 * The zone is always the caller's (AGENCY_TIME_ZONE from configuration), never assumed here.
 */

export class TimeZoneError extends Error {
  override readonly name = 'TimeZoneError';
  readonly timeZone: string;
  constructor(timeZone: string) {
    super(`"${timeZone}" is not an IANA time zone: set AGENCY_TIME_ZONE to one such as Asia/Shanghai`);
    this.timeZone = timeZone;
  }
}

/** Whether the runtime knows `timeZone` as an IANA zone (e.g. Asia/Shanghai, UTC). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    if (!isTimeZone(timeZone)) throw new TimeZoneError(timeZone);
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function instantOf(value: Date | string): Date {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`"${String(value)}" is not a date-time`);
  return date;
}

interface WallClock {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

function wallClockOf(date: Date, timeZone: string): WallClock {
  const parts = Object.fromEntries(formatterOf(timeZone).formatToParts(date).map((p) => [p.type, p.value]));
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The agency's calendar date of an instant, YYYY-MM-DD. */
export function agencyDate(value: Date | string, timeZone: string): string {
  const c = wallClockOf(instantOf(value), timeZone);
  return `${c.year}-${c.month}-${c.day}`;
}

/** The agency's local date-time of an instant with its UTC offset then, e.g. 2026-01-01T01:30:00+08:00. */
export function agencyDateTime(value: Date | string, timeZone: string): string {
  const date = instantOf(value);
  const c = wallClockOf(date, timeZone);
  // The offset is what the wall clock is ahead of UTC at this instant (whole seconds; zones keep to minutes).
  const wall = Date.UTC(Number(c.year), Number(c.month) - 1, Number(c.day), Number(c.hour), Number(c.minute), Number(c.second));
  const offsetMinutes = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${c.year}-${c.month}-${c.day}T${c.hour}:${c.minute}:${c.second}${offset}`;
}
