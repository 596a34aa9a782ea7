import type { ValueType } from './targets.ts';

/**
 * Turning one OA value into the kind the contract takes. Pure. A value that cannot be converted is
 * reported, never guessed: an archive keeps what the OA said or refuses it.
 */

export type Converted = { ok: true; value: unknown } | { ok: false; message: string };

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/;
const CHINESE_DATE = /^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2})[时:：](\d{1,2})(?:[分:：](\d{1,2})秒?)?)?$/;

const FORMATS = 'ISO 8601 with an offset, 2025-03-14 09:30[:00], 2025-03-14, 2025/3/14, 20250314, 2025年3月14日';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A date and time without offset, read in `timezone` (the OA's local time), as ISO 8601 with that offset. */
function localDateTime(parts: (string | undefined)[], timezone: string, raw: string): Converted {
  const [year, month, day, hour = 0, minute = 0, second = 0] = parts.slice(0, 6).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  const fraction = parts[6] ?? '';
  if (year === undefined || month === undefined || day === undefined) return { ok: false, message: `"${raw}" is not a date` };
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return { ok: false, message: `"${raw}" is not a date of the calendar` };
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, message: `"${raw}" is not a time of day` };
  return { ok: true, value: `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${fraction}${timezone}` };
}

export function toDateTime(raw: string, timezone: string): Converted {
  const text = raw.trim();
  // With an offset it is already what the contract reads; the contract checks the rest.
  if (ISO_WITH_OFFSET.test(text)) return { ok: true, value: text };
  const match = LOCAL_DATE_TIME.exec(text) ?? COMPACT_DATE.exec(text) ?? CHINESE_DATE.exec(text);
  if (!match) return { ok: false, message: `"${text.slice(0, 60)}" is not a date/time this mapping reads (${FORMATS})` };
  return localDateTime(match.slice(1), timezone, text);
}

export function toInteger(raw: string | number): Converted {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? { ok: true, value: raw } : { ok: false, message: `${raw} is not a whole number` };
  const text = raw.trim();
  if (!/^[+-]?\d{1,15}$/.test(text)) return { ok: false, message: `"${text.slice(0, 60)}" is not a whole number` };
  return { ok: true, value: Number(text) };
}

/** An XML element with attributes arrives as { '#text': …, '@attr': … }: its text is the value. */
function textOf(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, '#text')) return (value as Record<string, unknown>)['#text'];
  return value;
}

/** A value from the payload as the target's type; `json` keeps any JSON value as it is. */
export function convert(raw: unknown, type: ValueType, timezone: string): Converted {
  if (type === 'json') return { ok: true, value: raw };
  const value = textOf(raw);
  if (typeof value === 'object' && value !== null) return { ok: false, message: `expected a single value, found ${Array.isArray(value) ? 'a list' : 'an object'}` };
  if (typeof value === 'boolean') return type === 'string' ? { ok: true, value: String(value) } : { ok: false, message: `expected ${type === 'integer' ? 'a whole number' : 'a date/time'}, found ${value}` };
  if (typeof value !== 'string' && typeof value !== 'number') return { ok: false, message: 'expected a value' };
  switch (type) {
    case 'string':
      return { ok: true, value: String(value) };
    case 'integer':
      return toInteger(value);
    case 'datetime':
      return typeof value === 'string' ? toDateTime(value, timezone) : { ok: false, message: `${value} is a number, not a date/time (${FORMATS})` };
  }
}
