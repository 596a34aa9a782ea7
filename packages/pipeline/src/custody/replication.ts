import { claimAipForReplication, recordReplication, type CustodyRecord } from '@oa-archive/catalog';
import type { CustodyDeps } from './deps.ts';
import { enrolFiledAips } from './fixityAudit.ts';
import { replicationRetryDelayMs } from './plan.ts';
import { copyVerified } from './streams.ts';

export type ReplicationReport = { ingestId: string; prefix: string } & ({ state: 'replicated'; objects: number; written: number } | { state: 'failed'; reason: string; retryAt: Date });

/**
 * Makes the second copy of AIPs whose copy is pending (or failed and due again), one after another
 * until none is left or `limit` is reached. Catalog-driven and idempotent: an AIP is claimed under a
 * lease, each object is written write-once (If-None-Match) to the replica bucket under the same key,
 * an object already there with the same bytes counts as copied, and one there with other bytes is
 * never overwritten (the AIP's replication fails with the reason).
 */
export async function runReplication(deps: CustodyDeps, opts: { actor: string; limit?: number; ingestIds?: string[] }): Promise<ReplicationReport[]> {
  if (!deps.replica) return [];
  await enrolFiledAips(deps);
  const reports: ReplicationReport[] = [];
  while (reports.length < (opts.limit ?? Number.POSITIVE_INFINITY)) {
    const record = await claimAipForReplication(deps.catalog.pool, { now: new Date(), leaseMs: 3_600_000, ...(opts.ingestIds ? { ingestIds: opts.ingestIds } : {}) });
    if (!record) break;
    reports.push(await replicateAip(deps, record, opts.actor));
  }
  return reports;
}

/**
 * Copies every object of one AIP from the archive bucket to the replica, each checked on the way
 * (the bytes read must have the catalog's SHA-256, or the upload does not complete) and after
 * writing (the replica's stored checksum, or a read-back), then records the state.
 */
export async function replicateAip(deps: CustodyDeps, record: CustodyRecord, actor: string): Promise<ReplicationReport> {
  const replica = deps.replica!;
  const at = new Date();
  let written = 0;
  try {
    for (const file of record.files) {
      const key = `${record.prefix}/${file.path}`;
      const result = await copyVerified((verifiedOpen) =>
        replica.store.depositOnce({
          bucket: replica.bucket,
          key,
          size: file.size,
          sha256: file.sha256,
          metadata: { 'ingest-id': record.ingestId, sm3: file.sm3 },
          open: () => verifiedOpen(() => deps.primary.getStream(record.bucket, key), `s3://${record.bucket}/${key}`, file),
        }),
      );
      deps.metrics?.objectsReplicated.inc({ result: result.outcome });
      if (result.outcome === 'written') written++;
    }
  } catch (error) {
    deps.metrics?.objectsReplicated.inc({ result: 'failed' });
    const reason = `${(error as Error).name}: ${(error as Error).message}`;
    const retryAt = new Date(Date.now() + replicationRetryDelayMs(record.replicationAttempts));
    await recordReplication(deps.catalog.pool, { ingestId: record.ingestId, actor, replicaBucket: replica.bucket, at, state: 'failed', reason, retryAt });
    deps.logger.error({ ingestId: record.ingestId, prefix: record.prefix, reason, retryAt }, 'replication of an AIP failed');
    return { ingestId: record.ingestId, prefix: record.prefix, state: 'failed', reason, retryAt };
  }
  await recordReplication(deps.catalog.pool, { ingestId: record.ingestId, actor, replicaBucket: replica.bucket, at, state: 'replicated', objects: record.files.length, written });
  return { ingestId: record.ingestId, prefix: record.prefix, state: 'replicated', objects: record.files.length, written };
}
