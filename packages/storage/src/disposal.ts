import { DeleteObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { listKeys } from './listing.ts';
import { readObjectLock } from './objectLock.ts';

/**
 * What disposal needs from the store: every version of every object under a prefix, how the store
 * locks each, and removing one version. On a store without versioning or Object Lock (S3Proxy answers
 * 501 to both) an object has one version (`versionId` null) and no lock.
 */

export interface StoredVersion {
  key: string;
  /** null on a store without versioning: the object itself. */
  versionId: string | null;
  size: number;
  deleteMarker: boolean;
}

const notImplemented = (error: unknown) => (error as { name?: string })?.name === 'NotImplemented' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 501;

/** Every version and delete marker under the prefix; the current objects only where the store keeps no versions. */
export async function listObjectVersions(s3: S3Client, bucket: string, prefix: string): Promise<StoredVersion[]> {
  const found: StoredVersion[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, ...(keyMarker ? { KeyMarker: keyMarker } : {}), ...(versionMarker ? { VersionIdMarker: versionMarker } : {}) }),
      );
      for (const v of page.Versions ?? []) if (v.Key) found.push({ key: v.Key, versionId: v.VersionId && v.VersionId !== 'null' ? v.VersionId : null, size: v.Size ?? 0, deleteMarker: false });
      for (const m of page.DeleteMarkers ?? []) if (m.Key) found.push({ key: m.Key, versionId: m.VersionId && m.VersionId !== 'null' ? m.VersionId : null, size: 0, deleteMarker: true });
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return found;
  } catch (error) {
    if (!notImplemented(error)) throw error;
  }
  for await (const key of listKeys(s3, bucket, prefix)) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    found.push({ key, versionId: null, size: head.ContentLength ?? 0, deleteMarker: false });
  }
  return found;
}

/** How the store locks one version, as it reports it; `supported: false` when the store has no Object Lock. */
export async function readStoredLock(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId: string | null,
): Promise<{ supported: true; mode?: 'COMPLIANCE' | 'GOVERNANCE'; retainUntil?: Date; legalHold: boolean } | { supported: false }> {
  try {
    return { supported: true, ...(await readObjectLock(s3, bucket, key, versionId ?? undefined)) };
  } catch (error) {
    // A bucket created without Object Lock answers InvalidRequest on Ceph/AWS: it holds no lock either.
    if (notImplemented(error) || (error as { name?: string })?.name === 'InvalidRequest') return { supported: false };
    throw error;
  }
}

/** Removes one version for good (or, without versioning, the object). The store refuses a version still under lock. */
export async function deleteObjectVersion(s3: S3Client, bucket: string, key: string, versionId: string | null): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
}
