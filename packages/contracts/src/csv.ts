/**
 * CSV for spreadsheets, as every export writes it (console lists, the 销毁清册). A text cell a
 * spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or CR first, or their full-width forms,
 * which CJK input methods produce and some spreadsheets accept) is prefixed with `'`, so OA-supplied
 * text such as `=HYPERLINK(…)` stays text (OWASP CSV injection). Numbers are data and pass as they are.
 */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
