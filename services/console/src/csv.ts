import { csvCell } from '@oa-archive/contracts';

/** The console's exports: a header of `columns`, then one line per row (cells as csvCell writes them). */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  return [columns.map(csvCell).join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n';
}
