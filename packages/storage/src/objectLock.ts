import { GetObjectLegalHoldCommand, GetObjectRetentionCommand, PutObjectLegalHoldCommand, PutObjectRetentionCommand, type S3Client } from '@aws-sdk/client-s3';
import { ObjectLockNotAppliedError } from './errors.ts';

/**
 * S3 Object Lock for an archive object: a retention period (COMPLIANCE cannot be shortened by anyone)
 * and, for permanent records, a legal hold that has no end date. Only for buckets created with Object Lock.
 */
export interface ObjectLock {
  mode: 'COMPLIANCE' | 'GOVERNANCE';
  retainUntil?: Date;
  legalHold?: boolean;
}

/** How the store protects one object version, as it reports it. */
export interface ObjectLockState {
  mode?: 'COMPLIANCE' | 'GOVERNANCE';
  retainUntil?: Date;
  legalHold: boolean;
}

/** A version without retention or hold answers 404 with a code of its own; a missing object does not. */
function isNoLockConfiguration(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  // AWS says NoSuchObjectLockConfiguration, Ceph RGW ObjectLockConfigurationNotFoundError.
  return name === 'NoSuchObjectLockConfiguration' || name === 'ObjectLockConfigurationNotFoundError';
}

const orNone = (error: unknown): undefined => {
  if (isNoLockConfiguration(error)) return undefined;
  throw error;
};

/** Reads the retention and legal hold of an object version (the current one without `versionId`). */
export async function readObjectLock(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<ObjectLockState> {
  const target = { Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) };
  const [retention, hold] = await Promise.all([
    s3.send(new GetObjectRetentionCommand(target)).then((r) => r.Retention, orNone),
    s3.send(new GetObjectLegalHoldCommand(target)).then((r) => r.LegalHold?.Status, orNone),
  ]);
  const mode = retention?.Mode === 'COMPLIANCE' || retention?.Mode === 'GOVERNANCE' ? retention.Mode : undefined;
  return {
    ...(mode ? { mode } : {}),
    ...(retention?.RetainUntilDate ? { retainUntil: retention.RetainUntilDate } : {}),
    legalHold: hold === 'ON',
  };
}

/** Whether the state protects at least as much as asked: COMPLIANCE covers GOVERNANCE, later covers sooner. */
export function lockSatisfies(state: ObjectLockState, wanted: ObjectLock): boolean {
  const retentionOk =
    !wanted.retainUntil ||
    (state.retainUntil !== undefined && state.retainUntil.getTime() >= wanted.retainUntil.getTime() && (state.mode === wanted.mode || state.mode === 'COMPLIANCE'));
  return retentionOk && (!wanted.legalHold || state.legalHold);
}

/**
 * Makes sure an object version carries the lock asked for, and proves it by reading it back. The lock
 * headers on the write are not enough: Ceph RGW 16.2 drops them from CreateMultipartUpload without an
 * error, and a deposit interrupted between writing and locking finds its object already there. What is
 * missing is set (retention only ever lengthened or strengthened, as the store allows); a store that
 * still does not report it fails the deposit.
 */
export async function ensureObjectLock(s3: S3Client, bucket: string, key: string, wanted: ObjectLock, versionId?: string): Promise<void> {
  const target = { Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) };
  const before = await readObjectLock(s3, bucket, key, versionId);
  if (lockSatisfies(before, wanted)) return;
  if (wanted.retainUntil && !lockSatisfies(before, { mode: wanted.mode, retainUntil: wanted.retainUntil })) {
    const until = before.retainUntil && before.retainUntil > wanted.retainUntil ? before.retainUntil : wanted.retainUntil;
    await s3.send(new PutObjectRetentionCommand({ ...target, Retention: { Mode: wanted.mode, RetainUntilDate: until } }));
  }
  if (wanted.legalHold && !before.legalHold) await s3.send(new PutObjectLegalHoldCommand({ ...target, LegalHold: { Status: 'ON' } }));
  const after = await readObjectLock(s3, bucket, key, versionId);
  if (!lockSatisfies(after, wanted)) {
    const asked = `${wanted.retainUntil ? `${wanted.mode} until ${wanted.retainUntil.toISOString()}` : 'no retention'}${wanted.legalHold ? ' and a legal hold' : ''}`;
    const found = `${after.retainUntil ? `${after.mode} until ${after.retainUntil.toISOString()}` : 'no retention'}${after.legalHold ? ' and a legal hold' : ''}`;
    throw new ObjectLockNotAppliedError(bucket, key, `asked for ${asked}, the store reports ${found}; check that the bucket was created with Object Lock`);
  }
}
