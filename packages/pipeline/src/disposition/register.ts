import type { DestructionRecord } from '@oa-archive/catalog';
import { csvCell } from '@oa-archive/contracts';
import { htmlToPdfA } from '@oa-archive/convert';
import { formatDate, formatDateTime, isMessageCode, nameWithCode, translator, type Locale, type MessageCode } from '@oa-archive/messages';

/**
 * The destruction register (销毁清册): one row per destroyed item, as CSV for a spreadsheet and as a
 * signed-off PDF/A document. Both are drawn from the catalog's `destructions` table, so they can be
 * printed again at any time for any period.
 */

export interface RegisterOptions {
  locale: Locale;
  /** The agency's time zone: dates are the agency's calendar dates. */
  timeZone: string;
  /** OA department code → name (the schedule's agency.departmentNames); a code without one stands as it is. */
  departmentNames?: Readonly<Record<string, string>> | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  generatedAt?: Date;
}

/** CSV gives a name and its code separate columns (a spreadsheet sorts by either); the printed register one, 文书（WS）. */
type Form = 'csv' | 'print';

const NAMED_COLUMNS: Record<Form, MessageCode[]> = {
  csv: ['csvcol.categoryName', 'csvcol.categoryCode', 'csvcol.departmentName', 'csvcol.departmentCode'],
  print: ['disposition.col.category', 'col.department'],
};

const columnsOf = (form: Form): MessageCode[] => [
  'register.col.no',
  'disposition.col.referenceCode',
  'disposition.col.title',
  'disposition.col.year',
  ...NAMED_COLUMNS[form],
  'disposition.col.retention',
  'register.col.reason',
  'register.col.approvedBy',
  'register.col.approvedAt',
  'register.col.destroyedBy',
  'register.col.destroyedAt',
  'register.col.objects',
  'register.col.bytes',
  'register.col.ingests',
];

function rowsOf(records: readonly DestructionRecord[], options: RegisterOptions, form: Form): (string | number)[][] {
  const t = translator(options.locale);
  const categoryName = (code: string) => (isMessageCode(`category.${code}`) ? t(`category.${code}` as MessageCode) : code);
  const departmentName = (code: string) => options.departmentNames?.[code] ?? code;
  return records.map((r, i) => [
    i + 1,
    r.referenceCode,
    r.title,
    r.year,
    ...(form === 'csv'
      ? [categoryName(r.category), r.category, departmentName(r.departmentCode), r.departmentCode]
      : [nameWithCode(categoryName(r.category), r.category, options.locale), nameWithCode(departmentName(r.departmentCode), r.departmentCode, options.locale)]),
    t(`retention.${r.retention}` as MessageCode),
    r.decision.reason,
    r.decision.decidedBy,
    formatDate(r.decision.decidedAt, options.timeZone),
    r.destroyedBy,
    formatDate(r.destroyedAt, options.timeZone),
    r.objects,
    r.bytes,
    r.aips.join(' '),
  ]);
}

/** The register as CSV (UTF-8 with a byte-order mark, so spreadsheets read the Chinese text right). */
export function registerCsv(records: readonly DestructionRecord[], options: RegisterOptions): string {
  const t = translator(options.locale);
  const lines = [columnsOf('csv').map((c) => csvCell(t(c))).join(','), ...rowsOf(records, options, 'csv').map((row) => row.map(csvCell).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const escapeHtml = (value: string | number) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The register as a printable HTML document, the source of the PDF. */
export function registerHtml(records: readonly DestructionRecord[], options: RegisterOptions): string {
  const t = translator(options.locale);
  const day = (d: Date | undefined) => (d ? formatDate(d, options.timeZone) : '—');
  const period = options.since || options.until ? `<p>${escapeHtml(t('register.period', { since: day(options.since), until: day(options.until) }))}</p>` : '';
  const generated = t('register.generated', { at: formatDateTime(options.generatedAt ?? new Date(), options.timeZone), count: records.length });
  const head = columnsOf('print').map((c) => `<th>${escapeHtml(t(c))}</th>`).join('');
  const body = rowsOf(records, options, 'print')
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="${options.locale}"><head><meta charset="utf-8"><title>${escapeHtml(t('register.title'))}</title>
<style>
body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;font-size:9pt}
h1{font-size:16pt;text-align:center}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #000;padding:2pt 3pt;vertical-align:top;font-size:8pt}
th{background:#eee}
.sign{margin-top:24pt}
</style></head>
<body>
<h1>${escapeHtml(t('register.title'))}</h1>
${period}<p>${escapeHtml(generated)}</p>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
<p class="sign">${escapeHtml(t('register.signatures'))}</p>
</body></html>
`;
}

/** The register as PDF/A-2b, rendered from `registerHtml` by LibreOffice (CJK fonts embedded). */
export async function registerPdf(records: readonly DestructionRecord[], options: RegisterOptions): Promise<Buffer> {
  return htmlToPdfA(registerHtml(records, options));
}
