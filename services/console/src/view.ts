import type { FastifyRequest } from 'fastify';
import { formatDate, formatDateTime, formatDuration, isMessageCode, translator, type Locale, type MessageCode, type Translate } from '@oa-archive/messages';
import type { ConsoleDeps } from './deps.ts';
import { html, type Html } from './html.ts';
import { localeOf } from './locale.ts';

/** Everything a page needs to speak to its reader: language, the agency's clock, names for codes. */
export interface View {
  locale: Locale;
  t: Translate;
  /** A date-time in the agency's time zone, to the minute. */
  time(value: Date | string | null | undefined): string;
  date(value: Date | string | null | undefined): string;
  duration(seconds: number | null | undefined): string;
  /** A code's label when the catalogue has one (`status.FILED` → 已归档), else the code itself. */
  label(prefix: 'status' | 'stage' | 'outcome' | 'retention', code: string | null | undefined): string;
  /** The department's name, its code in small print; the bare code when no name is configured. */
  department(code: string): Html;
  /** A retention period by name with its code: 定期30年（D30） / 30 years (D30). */
  retention(code: string): string;
  departmentName(code: string): string;
}

/** Department names: the schedule's (agency.departmentNames), overridden by DEPARTMENTS. */
export const departmentNamesOf = (deps: Pick<ConsoleDeps, 'schedule' | 'config'>): Record<string, string> => ({
  ...(deps.schedule.agency.departmentNames ?? {}),
  ...deps.config.DEPARTMENTS,
});

export function viewOf(request: FastifyRequest, deps: Pick<ConsoleDeps, 'schedule' | 'config'>): View {
  const locale = localeOf(request);
  const t = translator(locale);
  const zone = deps.config.AGENCY_TIME_ZONE;
  const names = departmentNamesOf(deps);
  return {
    locale,
    t,
    time: (value) => formatDateTime(value, zone),
    date: (value) => formatDate(value, zone),
    duration: (seconds) => formatDuration(seconds, locale),
    label: (prefix, code) => {
      if (!code) return '';
      const key = `${prefix}.${code}`;
      return isMessageCode(key) ? t(key as MessageCode) : code;
    },
    retention: (code) => {
      const key = `retention.${code}`;
      if (!isMessageCode(key)) return code;
      return locale === 'en' ? `${t(key)} (${code})` : `${t(key)}（${code}）`;
    },
    department: (code) => (names[code] ? html`${names[code]} <span class="muted code">${code}</span>` : html`${code}`),
    departmentName: (code) => names[code] ?? code,
  };
}
