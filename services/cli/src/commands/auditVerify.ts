import { verifyAuditChain, type Catalog } from '@oa-archive/catalog';
import { verifyAuditAnchors } from '@oa-archive/pipeline';
import type { ObjectStore } from '@oa-archive/storage';
import { translator, type Locale } from '@oa-archive/messages';
import type { RebuildSummary } from '@oa-archive/pipeline';
import { summaryLines } from './rebuildCatalog.ts';

export interface AuditReport {
  ok: boolean;
  lines: string[];
}

/**
 * Recomputes the audit chain, checks it against its anchors (with `anchorBucket`), and cross-checks
 * the archive against the catalog: every deposited component must exist with its recorded size
 * (and, with `readBack`, its recorded SHA-256). The report is in `locale`; a problem line keeps the object's
 * s3:// address and ingest id as they are, for grep and for the chaos run's verdict (which reads en).
 */
export async function auditVerify(catalog: Catalog, store: ObjectStore, options: { readBack: boolean; anchorBucket?: string; locale: Locale }): Promise<AuditReport> {
  const t = translator(options.locale);
  const lines: string[] = [];
  const chain = await verifyAuditChain(catalog.pool);
  let ok = chain.ok;
  if (chain.ok) lines.push(t('cli.audit.intact', { events: chain.events, head: chain.head }));
  else lines.push(t('cli.audit.broken', { seq: chain.break.seq, reason: chain.break.reason, events: chain.events }));
  // A rebuilt catalog says so, and what its trail lacks: the events after the last anchor were never in the store.
  const rebuilt = await catalog.pool.query<{ finished_at: Date; summary: RebuildSummary }>('SELECT finished_at, summary FROM catalog_rebuilds WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1');
  if (rebuilt.rows[0]) {
    const { finished_at, summary } = rebuilt.rows[0];
    lines.push(t('cli.audit.rebuilt', { at: finished_at.toISOString() }), ...summaryLines(summary, options.locale).map((line) => `  ${line}`));
  }
  // A rewrite that recomputed every later hash passes the check above; the anchors outside PostgreSQL catch it.
  if (options.anchorBucket) {
    const anchors = await verifyAuditAnchors({ catalog, store, bucket: options.anchorBucket });
    ok &&= anchors.ok;
    lines.push(...anchors.lines);
  }

  // Every object the catalog says is in a bucket: AIP files of filed documents (originals,
  // preservation copies, tag files) and the originals of quarantined ones (recorded once written).
  // A bag is planned at the package stage and complete only once its ingest is FILED: one that
  // failed or waits part-way through deposit is finished by its replay, so it is counted apart.
  // `what` orders the rows; a component is named by its ordinal, in the reader's language.
  const { rows } = await catalog.pool.query<{ ingest_id: string; what: string; ordinal: number | null; bucket: string; key: string; size: string; sha256: string }>(
    `SELECT a.ingest_id, f->>'path' AS what, NULL::int AS ordinal, c.archive_bucket AS bucket, a.prefix || '/' || (f->>'path') AS key, f->>'size' AS size, f->>'sha256' AS sha256
       FROM aips a JOIN ingests i ON i.ingest_id = a.ingest_id AND i.status = 'FILED'
       CROSS JOIN LATERAL jsonb_array_elements(a.files) f
       JOIN LATERAL (SELECT archive_bucket FROM components WHERE ingest_id = a.ingest_id AND archive_bucket IS NOT NULL LIMIT 1) c ON true
     UNION ALL
     SELECT c.ingest_id, 'component ' || c.ordinal, c.ordinal, c.archive_bucket, c.archive_key, c.size::text, c.sha256
       FROM components c WHERE c.archive_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM aips a WHERE a.ingest_id = c.ingest_id)
     ORDER BY 1, 2`,
  );
  const unfinished = await catalog.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM aips a JOIN ingests i ON i.ingest_id = a.ingest_id WHERE i.status <> 'FILED'`,
  );
  if (Number(unfinished.rows[0]!.n) > 0) lines.push(t('cli.audit.unfinishedBags', { count: unfinished.rows[0]!.n }));
  let checked = 0;
  for (const row of rows) {
    const what = row.ordinal === null ? row.what : t('cli.audit.component', { ordinal: row.ordinal });
    const where = t('cli.audit.where', { bucket: row.bucket, key: row.key, ingest: row.ingest_id, what });
    const found = options.readBack ? await store.digestOf(row.bucket, row.key).catch(() => undefined) : await store.head(row.bucket, row.key);
    if (!found) {
      ok = false;
      lines.push(t('cli.audit.missing', { where }));
    } else if (found.size !== Number(row.size)) {
      ok = false;
      lines.push(t('cli.audit.sizeMismatch', { where, catalog: row.size, store: found.size }));
    } else if (found.sha256 && found.sha256 !== row.sha256) {
      ok = false;
      lines.push(t('cli.audit.digestMismatch', { where, catalog: row.sha256, store: found.sha256 }));
    } else {
      checked++;
    }
  }
  lines.push(t(options.readBack ? 'cli.audit.objectsReadBack' : 'cli.audit.objectsSize', { checked, total: rows.length }));
  return { ok, lines };
}
