import type { Locale } from './locale.ts';

/** A date-time as the agency reads it: in its own time zone (e.g. Asia/Shanghai), to the minute. */
export function formatDateTime(value: Date | string | null | undefined, timeZone: string, withSeconds = false): string {
  if (value === null || value === undefined) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}${withSeconds ? `:${parts.second}` : ''}`;
}

/** A calendar date in the agency's time zone. */
export const formatDate = (value: Date | string | null | undefined, timeZone: string) => formatDateTime(value, timeZone).slice(0, 10);

const UNITS: Record<Locale, { s: string; min: string; h: string; d: string }> = {
  'zh-CN': { s: '秒', min: '分钟', h: '小时', d: '天' },
  en: { s: 's', min: 'min', h: 'h', d: 'd' },
};

/** A duration in the unit a person would say: seconds under 2 min, minutes under 2 h, hours under 2 days, then days. */
export function formatDuration(seconds: number | null | undefined, locale: Locale): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const u = UNITS[locale];
  if (seconds < 120) return `${seconds.toFixed(1)} ${u.s}`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} ${u.min}`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} ${u.h}`;
  return `${(seconds / 86_400).toFixed(1)} ${u.d}`;
}

/** A name with its code, as each language writes a parenthesis: 文书（WS） / administrative records (WS); the bare code when the name is the code. */
export const nameWithCode = (name: string, code: string, locale: Locale): string => (name === code ? code : locale === 'en' ? `${name} (${code})` : `${name}（${code}）`);
