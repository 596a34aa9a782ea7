import {
  aipsOfItem,
  appendAuditEvent,
  checkDestruction,
  DISPOSITION_LOCK,
  dispositionItemOf,
  inTransaction,
  lockRefusalOf,
  recordDestruction,
  refusalError,
  type Catalog,
  type DestroyedObject,
  type DispositionItem,
  type LockRefusal,
} from '@oa-archive/catalog';
import type { Logger } from '@oa-archive/observability';
import { deleteObjectVersion, listObjectVersions, readStoredLock, type ObjectStore } from '@oa-archive/storage';

type S3Client = ObjectStore['s3'];

/** What a destruction needs: the catalog, the archive store and, where there is one, the second copy's. */
export interface DestructionDeps {
  pool: Catalog['pool'];
  /** The store the archive bucket is in. */
  primary: ObjectStore;
  /** The store of the second copy (each AIP records its replica bucket); absent: no replica to remove. */
  replica?: ObjectStore | undefined;
  /** The archive's S3_OBJECT_LOCK: when on, an archive object whose lock cannot be read is never removed. */
  archiveLocks: boolean;
  logger: Logger;
}

/** One object version the store still protects: the reason nothing was removed. */
export interface LockedObject extends LockRefusal {
  copy: 'primary' | 'replica';
  bucket: string;
  key: string;
  versionId: string | null;
}

/** The store still protects some of the item's objects (Object Lock retention or a legal hold): nothing was removed. */
export class DestructionRefusedError extends Error {
  override readonly name = 'DestructionRefusedError';
  readonly referenceCode: string;
  readonly locked: LockedObject[];
  constructor(referenceCode: string, locked: LockedObject[]) {
    const first = locked[0]!;
    const why =
      first.code === 'object-retained'
        ? `retained (${first.params.mode}) until ${first.params.until}`
        : first.code === 'object-legal-hold'
          ? 'under a legal hold'
          : 'the store does not report its Object Lock, though the archive locks its objects';
    super(
      `${referenceCode}: nothing destroyed; ${locked.length} object version(s) are still protected by the store, e.g. s3://${first.bucket}/${first.key}: ${why}. ` +
        'Destroy again once the retention has expired (a legal hold must be released by the store administrator).',
    );
    this.referenceCode = referenceCode;
    this.locked = locked;
  }
}

export interface DestructionResult {
  item: DispositionItem;
  destructionId: number;
  objects: DestroyedObject[];
}

/**
 * Destroys one item whose destroy decision is in force: every object version of every AIP (each
 * filed version of the 档号) on the archive and on its second copy. It first reads how the store
 * locks each version and removes nothing if any is still retained or held; then removes them all
 * and records the destruction (the register's row) and `disposition.destroyed` in the audit trail.
 * The catalog keeps the item (its ingests, classification, audit events), shown as destroyed.
 *
 * Runs under the disposition lock and the item's row lock, so a hold placed meanwhile waits and a
 * second destruction of the same item finds it destroyed. If the store fails part-way, what was
 * already removed is recorded as `disposition.destruction-interrupted`, and destroying again
 * finishes the job.
 */
export async function destroyItem(deps: DestructionDeps, args: { item: string; actor: string; asOf: string; now?: () => Date }): Promise<DestructionResult> {
  const now = args.now ?? (() => new Date());
  const removed: DestroyedObject[] = [];
  let referenceCode = args.item;
  let ingestId: string | null = null;
  try {
    return await inTransaction(deps.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [DISPOSITION_LOCK]);
      const item = await dispositionItemOf(tx, args.item, args.asOf, { forUpdate: true });
      if (!item) throw refusalError(args.item, { code: 'unknown-item', params: { item: args.item } });
      referenceCode = item.referenceCode;
      ingestId = item.ingestId;
      const checked = checkDestruction({ retention: item.retention, year: item.year, decision: item.decision ?? undefined, destroyed: item.destruction !== null, holds: item.holds }, args.asOf);
      if (!checked.ok) throw refusalError(item.referenceCode, checked.refusal);

      const aips = await aipsOfItem(tx, item.versions);
      const targets: (Omit<DestroyedObject, 'copy'> & { copy: 'primary' | 'replica'; s3: S3Client })[] = [];
      for (const aip of aips) {
        const copies: { copy: 'primary' | 'replica'; s3: S3Client; bucket: string }[] = [];
        if (aip.bucket) copies.push({ copy: 'primary', s3: deps.primary.s3, bucket: aip.bucket });
        if (aip.replicaBucket && deps.replica) copies.push({ copy: 'replica', s3: deps.replica.s3, bucket: aip.replicaBucket });
        for (const c of copies) {
          for (const v of await listObjectVersions(c.s3, c.bucket, `${aip.prefix}/`)) targets.push({ ...v, copy: c.copy, s3: c.s3, bucket: c.bucket });
        }
      }
      // Every version's lock is read before anything is removed: either the whole item goes, or nothing.
      const locked: LockedObject[] = [];
      for (const t of targets) {
        if (t.deleteMarker) continue;
        const refusal = lockRefusalOf(await readStoredLock(t.s3, t.bucket, t.key, t.versionId), now(), deps.archiveLocks && t.copy === 'primary');
        if (refusal) locked.push({ ...refusal, copy: t.copy, bucket: t.bucket, key: t.key, versionId: t.versionId });
      }
      if (locked.length > 0) throw new DestructionRefusedError(item.referenceCode, locked);

      for (const t of targets) {
        await deleteObjectVersion(t.s3, t.bucket, t.key, t.versionId);
        removed.push({ copy: t.copy, bucket: t.bucket, key: t.key, versionId: t.versionId, size: t.size, deleteMarker: t.deleteMarker });
      }
      const destructionId = await recordDestruction(tx, { item, actor: args.actor, aips: aips.map((a) => a.ingestId), objects: removed, asOf: args.asOf });
      deps.logger.info({ referenceCode: item.referenceCode, ingestId: item.ingestId, objects: removed.length, actor: args.actor }, 'item destroyed');
      const after = (await dispositionItemOf(tx, item.ingestId, args.asOf))!;
      return { item: after, destructionId, objects: removed };
    });
  } catch (error) {
    if (removed.length > 0) {
      // The catalog rolled back, the store did not: say what is gone, so the next attempt is understood.
      await inTransaction(deps.pool, (tx) =>
        appendAuditEvent(tx, {
          ingestId,
          type: 'disposition.destruction-interrupted',
          actor: args.actor,
          payload: { referenceCode, removed: removed.map((o) => `${o.copy}:s3://${o.bucket}/${o.key}${o.versionId ? `?versionId=${o.versionId}` : ''}`), error: (error as Error).message },
        }),
      );
      deps.logger.error({ referenceCode, removed: removed.length, err: error }, 'destruction interrupted; destroy again to finish');
    }
    throw error;
  }
}
