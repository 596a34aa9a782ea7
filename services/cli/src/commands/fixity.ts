import type { AuditSelection, Catalog } from '@oa-archive/catalog';
import { fixitySettingsOf, replicaS3SettingsOf, s3SettingsOf } from '@oa-archive/config';
import { formatDate, formatDateTime, translator, type Locale } from '@oa-archive/messages';
import { createLogger } from '@oa-archive/observability';
import { fixityPremisXml, runFixityAudits, runReplication, type AipAuditReport, type CustodyDeps } from '@oa-archive/pipeline';
import { createS3Client, ObjectStore } from '@oa-archive/storage';
import type { CliConfig } from '../config.ts';
import { formatTable } from '../table.ts';

/** Which AIPs `archive fixity` audits: --all, --ingest a,b, --since T (filed since), or those due. */
export function auditSelectionOf(values: { all?: boolean; ingest?: string; since?: string }): AuditSelection {
  if (values.all) return { kind: 'all' };
  if (values.ingest) return { kind: 'ingests', ingestIds: values.ingest.split(',').map((s) => s.trim()).filter(Boolean) };
  if (values.since) {
    const since = new Date(values.since);
    if (Number.isNaN(since.getTime())) throw new Error(`--since "${values.since}" is not a date or date-time (e.g. 2026-12-01 or 2026-12-01T08:00:00Z)`);
    return { kind: 'since', since };
  }
  return { kind: 'due' };
}

/** One row per copy audited: the table `archive fixity` prints, in the reader's language, dates the agency's. */
export function fixityTable(reports: AipAuditReport[], view: { locale: Locale; timeZone: string }): string {
  const t = translator(view.locale);
  const rows = reports.flatMap((r) =>
    r.copies.map((c) => {
      const repairs = r.repairs.filter((x) => x.copy === c.copy);
      return [
        r.ingestId,
        c.copy,
        c.findings.length ? t('fixity.outcome.failed') : t('fixity.outcome.intact'),
        String(c.objectsChecked),
        String(new Set(c.findings.map((f) => f.path)).size),
        c.findings.map((f) => `${f.path}: ${f.problem}`).join('; '),
        repairs.map((x) => `${x.path}: ${x.action}`).join('; '),
        formatDate(r.nextAuditAt, view.timeZone),
      ];
    }),
  );
  return formatTable(
    [t('cli.col.ingest'), t('cli.fixity.col.copy'), t('fixity.col.outcome'), t('fixity.col.checked'), t('fixity.col.failed'), t('fixity.col.findings'), t('cli.fixity.col.repairs'), t('fixity.col.nextAudit')],
    rows,
    70,
  );
}

function custodyDeps(config: CliConfig, catalog: Catalog, bytesPerSecond: string | undefined): { deps: CustodyDeps; close(): void } {
  // Audits digest every byte themselves: the SDK's check against the store's recorded checksum is off.
  const s3 = createS3Client({ ...s3SettingsOf(config), responseChecksums: 'when_required' });
  const replica = replicaS3SettingsOf(config);
  const replicaS3 = replica ? createS3Client({ ...replica.s3, responseChecksums: 'when_required' }) : undefined;
  const settings = fixitySettingsOf(config);
  return {
    deps: {
      catalog,
      primary: new ObjectStore(s3),
      ...(replicaS3 && replica ? { replica: { store: new ObjectStore(replicaS3), bucket: replica.bucket } } : {}),
      settings: { ...settings, ...(bytesPerSecond ? { maxBytesPerSecond: Number(bytesPerSecond) } : {}) },
      logger: createLogger({ service: 'cli', level: 'warn' }),
    },
    close() {
      s3.destroy();
      replicaS3?.destroy();
    },
  };
}

/**
 * `archive fixity [--all | --ingest a,b | --since T] [--rate BYTES_PER_S]`: audits by hand, as the
 * workers do on their cycle, and prints a table; exit 1 when any object failed.
 * `archive fixity replicate [--ingest a,b]`: one replication pass now.
 * `archive fixity premis <ingest id>`: the AIP's fixity-check events as PREMIS XML (the bag is
 * write-once, so these live in the catalog and the audit trail and are exported on request).
 */
export async function fixityCommand(config: CliConfig, catalog: Catalog, sub: string | undefined, arg: string | undefined, values: { all?: boolean; ingest?: string; since?: string; rate?: string; as?: string }, out: (line: string) => void): Promise<number> {
  if (sub === 'premis') {
    if (!arg) throw new Error('usage: archive fixity premis <ingest id>');
    const { xml, events } = await fixityPremisXml(catalog.pool, arg);
    out(xml);
    process.stderr.write(`${events} fixity-check event(s)\n`);
    return 0;
  }
  const view = { locale: config.ARCHIVE_LOCALE, timeZone: config.AGENCY_TIME_ZONE };
  const t = translator(view.locale);
  const { deps, close } = custodyDeps(config, catalog, values.rate);
  const actor = `cli:${values.as ?? process.env.USER ?? 'operator'}`;
  try {
    if (sub === 'replicate') {
      if (!deps.replica) throw new Error('replication is off: set REPLICA_S3_BUCKET (and REPLICA_S3_ENDPOINT and credentials for another store)');
      const reports = await runReplication(deps, { actor, ...(values.ingest ? { ingestIds: values.ingest.split(',') } : {}) });
      out(
        formatTable(
          [t('cli.col.ingest'), t('replication.col.state'), t('cli.fixity.col.detail')],
          reports.map((r) => [
            r.ingestId,
            t(`replication.state.${r.state}` as 'replication.state.failed'),
            r.state === 'replicated' ? t('cli.replication.done', { objects: r.objects, written: r.written }) : t('cli.replication.retry', { reason: r.reason, at: formatDateTime(r.retryAt, view.timeZone) }),
          ]),
          90,
        ),
      );
      return reports.some((r) => r.state === 'failed') ? 1 : 0;
    }
    if (sub !== undefined) throw new Error(`unknown: archive fixity ${sub} (use: archive fixity [--all|--ingest a,b|--since T] | replicate | premis <ingest>)`);
    const reports = await runFixityAudits(deps, auditSelectionOf(values), { actor });
    out(reports.length ? fixityTable(reports, view) : t('cli.fixity.none'));
    const failed = reports.filter((r) => r.outcome === 'failed').length;
    out(`\n${t('cli.fixity.summary', { count: reports.length, intact: reports.length - failed, failed })}`);
    return failed > 0 ? 1 : 0;
  } finally {
    close();
  }
}
