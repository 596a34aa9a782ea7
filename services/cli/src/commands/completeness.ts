import type { Catalog } from '@oa-archive/catalog';
import { filingDeadlineOf, loadSchedule } from '@oa-archive/classify';
import { completenessReport, completenessTargetOf, type CompletenessReport } from '@oa-archive/gateway';
import type { CliConfig } from '../config.ts';
import { formatTable } from '../table.ts';

/**
 * `archive reconcile --source S --since T --until T`: the completeness check (应归尽归). Asks the OA
 * what it finalized in the period (its list endpoint, or its middle table, per the gateway's sources
 * file) and prints what the archive never received and what it received but has not finished.
 */

export function completenessLines(report: CompletenessReport): string[] {
  const c = report.counts;
  const lines = [
    `${report.source}, finalized ${report.since} – ${report.until} (asked: ${report.listedBy})`,
    `the OA lists ${c.listed}; the archive received ${c.received}: ${c.final} final (${c.failed} of them FAILED), ${c.notFinal} not final; ${c.missing} never received; ${c.unlisted} received but not on the OA's list`,
  ];
  if (report.missing.length > 0) {
    lines.push('', 'never received:');
    lines.push(
      formatTable(
        ['document', 'version', 'finalized', 'due by', 'why'],
        report.missing.map((d) => [d.documentId, String(d.version), d.finalizedAt ?? '', d.dueBy ? `${d.dueBy}${d.overdue ? ' OVERDUE' : ''}` : '', d.refused ?? '']),
        60,
      ),
    );
  }
  if (report.notFinal.length > 0) {
    lines.push('', 'received, not final:');
    lines.push(formatTable(['document', 'version', 'status', 'ingest'], report.notFinal.map((d) => [d.documentId, String(d.version), d.status, d.ingestId ?? '']), 60));
  }
  if (report.failed.length > 0) {
    lines.push('', 'received, FAILED (replay them: archive replay <id>):');
    lines.push(formatTable(['document', 'version', 'ingest'], report.failed.map((d) => [d.documentId, String(d.version), d.ingestId ?? '']), 60));
  }
  if (report.unlisted.length > 0) {
    lines.push('', "received, finalized in the period, not on the OA's list:");
    lines.push(formatTable(['document', 'version', 'status', 'ingest'], report.unlisted.map((d) => [d.documentId, String(d.version), d.status, d.ingestId]), 60));
  }
  return lines;
}

function dateOf(value: string | undefined, name: string): Date {
  const date = value ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new Error(`--${name} must be a date or date-time (ISO 8601), e.g. 2025-01-01 or 2025-01-01T00:00:00+08:00`);
  return date;
}

/** Exit code 1 when something the OA finalized never arrived, so a scheduled run can alert. */
export async function reconcileCommand(config: CliConfig, catalog: Catalog, values: { source?: string; since?: string; until?: string; json?: boolean }, out: (line: string) => void): Promise<number> {
  if (!values.source) throw new Error('--source is required: the OA source to check (as in the gateway sources file)');
  const since = dateOf(values.since, 'since');
  const until = dateOf(values.until, 'until');
  const target = await completenessTargetOf(config.GATEWAY_SOURCES_FILE, values.source);
  const schedule = await loadSchedule(config.RETENTION_SCHEDULE);
  const report = await completenessReport({
    db: catalog.pool,
    target,
    since,
    until,
    deadlineOf: (d) => (d.finalizedAt && d.departmentCode ? filingDeadlineOf(schedule.filing, { finalizedAt: new Date(d.finalizedAt), departmentCode: d.departmentCode, category: null })?.dueBy : undefined),
  });
  if (values.json) out(JSON.stringify(report, null, 2));
  else completenessLines(report).forEach((line) => out(line));
  return report.counts.missing > 0 ? 1 : 0;
}
