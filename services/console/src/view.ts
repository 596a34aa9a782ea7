import type { FastifyRequest } from 'fastify';
import { describeFailure, formatDate, formatDateTime, formatDuration, isMessageCode, nameWithCode, translator, type Locale, type MessageCode, type Translate } from '@oa-archive/messages';
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
  label(prefix: 'status' | 'stage' | 'outcome' | 'retention' | 'category', code: string | null | undefined): string;
  /** The department by name with its code: 办公室（BGS） / 办公室 (BGS); the bare code when no name is configured. */
  department(code: string): string;
  /** A retention period by name with its code: 定期30年（D30） / 30 years (D30). */
  retention(code: string): string;
  /** A category (门类) by name with its code: 文书（WS） / administrative records (WS). */
  category(code: string | null | undefined): string;
  /** The department's name alone (the code when none is configured), e.g. for a CSV name column. */
  departmentName(code: string): string;
  /** The category's name alone (the code when the catalogue has none). */
  categoryName(code: string | null | undefined): string;
  /** A message whose parameters are code (paths, commands, metric names), each set in <code>. */
  withCode(code: MessageCode, codes: Record<string, string>): Html;
  /**
   * A stage's failure (`ErrorName: what the tool or service said`): the error's meaning in the
   * reader's language, and the original message beside it as evidence, marked as code.
   */
  failure(reason: string | null | undefined): Html;
}

/** Marks a parameter's place in a rendered message; never in a catalogue text. */
const SLOT = '\u0000';


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
  const categoryName = (code: string | null | undefined) => {
    if (!code) return '';
    const key = `category.${code}`;
    return isMessageCode(key) ? t(key) : code;
  };
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
      return isMessageCode(key) ? nameWithCode(t(key), code, locale) : code;
    },
    category: (code) => (code ? nameWithCode(categoryName(code), code, locale) : ''),
    department: (code) => nameWithCode(names[code] ?? code, code, locale),
    departmentName: (code) => names[code] ?? code,
    categoryName,
    failure: (reason) => {
      const described = describeFailure(reason, locale);
      if (!described) return html``;
      return html`<span class="failure">${described.meaning}</span> <span class="muted">（${t('error.original')}：<code lang="en">${described.original}</code>）</span>`;
    },
    withCode: (code, codes) => {
      const text = t(code, Object.fromEntries(Object.keys(codes).map((name) => [name, `${SLOT}${name}${SLOT}`])));
      return html`${text.split(SLOT).map((part, i) => (i % 2 === 1 ? html`<code>${codes[part] ?? part}</code>` : part))}`;
    },
  };
}
