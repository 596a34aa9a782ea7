import { verifyAuditChain, type Catalog } from '@oa-archive/catalog';
import type { ObjectStore } from '@oa-archive/storage';

export interface AuditReport {
  ok: boolean;
  lines: string[];
}

/**
 * Recomputes the audit chain and cross-checks the archive against the catalog: every deposited
 * component must exist with its recorded size (and, with `readBack`, its recorded SHA-256).
 */
export async function auditVerify(catalog: Catalog, store: ObjectStore, options: { readBack: boolean }): Promise<AuditReport> {
  const lines: string[] = [];
  const chain = await verifyAuditChain(catalog.pool);
  let ok = chain.ok;
  if (chain.ok) lines.push(`audit chain intact: ${chain.events} events, head ${chain.head}`);
  else lines.push(`AUDIT CHAIN BROKEN at event ${chain.break.seq}: ${chain.break.reason} (${chain.events} events before it are intact)`);

  const { rows } = await catalog.pool.query<{ ingest_id: string; ordinal: number; archive_bucket: string; archive_key: string; size: string; sha256: string }>(
    'SELECT ingest_id, ordinal, archive_bucket, archive_key, size, sha256 FROM components WHERE archive_key IS NOT NULL ORDER BY ingest_id, ordinal',
  );
  let checked = 0;
  for (const row of rows) {
    const where = `s3://${row.archive_bucket}/${row.archive_key} (ingest ${row.ingest_id}, component ${row.ordinal})`;
    const found = options.readBack ? await store.digestOf(row.archive_bucket, row.archive_key).catch(() => undefined) : await store.head(row.archive_bucket, row.archive_key);
    if (!found) {
      ok = false;
      lines.push(`MISSING ${where}`);
    } else if (found.size !== Number(row.size)) {
      ok = false;
      lines.push(`SIZE MISMATCH ${where}: catalog ${row.size}, store ${found.size}`);
    } else if (found.sha256 && found.sha256 !== row.sha256) {
      ok = false;
      lines.push(`DIGEST MISMATCH ${where}: catalog ${row.sha256}, store ${found.sha256}`);
    } else {
      checked++;
    }
  }
  lines.push(`archive objects matching the catalog: ${checked} of ${rows.length}${options.readBack ? ' (read back and hashed)' : ' (size; add --read-back to hash every object)'}`);
  return { ok, lines };
}
