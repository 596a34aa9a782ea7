import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, ensureBuckets, type S3Settings } from './client.ts';

/** Settings for the real local S3 server (infra/local/s3.sh), overridable by the usual variables. */
export function testS3Settings() {
  return {
    endpoint: process.env.S3_ENDPOINT ?? 'http://127.0.0.1:9000',
    region: process.env.S3_REGION ?? 'us-east-1',
    accessKeyId: process.env.S3_ACCESS_KEY_ID ?? 'oa-archive-local',
    secretAccessKey: process.env.S3_SECRET_ACCESS_KEY ?? 'oa-archive-local-secret',
    forcePathStyle: true,
    sdkChecksums: (process.env.S3_SDK_CHECKSUMS as 'when_required' | 'when_supported' | undefined) ?? 'when_supported',
  };
}

/** A client and freshly created, uniquely named buckets for one test file. */
export async function createTestBuckets(...purposes: string[]) {
  const s3 = createS3Client(testS3Settings());
  const suffix = randomBytes(4).toString('hex');
  const buckets = purposes.map((p) => `test-${p}-${suffix}`);
  await ensureBuckets(s3, buckets);
  return { s3, buckets };
}

/**
 * Settings for the local store that enforces Object Lock: Ceph's RADOS Gateway (infra/local/ceph.sh;
 * S3Proxy answers 501 to Object Lock). The SDK's default checksums work against it: over HTTP the SDK
 * puts the checksum in a header, never an aws-chunked trailer, and RGW 16.2 ignores x-amz-checksum-*
 * headers, so `depositOnce` verifies by reading back.
 */
export function objectLockTestS3Settings(): S3Settings {
  return {
    endpoint: process.env.CEPH_S3_ENDPOINT ?? 'http://127.0.0.1:7480',
    region: 'us-east-1',
    accessKeyId: process.env.CEPH_S3_ACCESS_KEY_ID ?? 'oa-archive-lock',
    secretAccessKey: process.env.CEPH_S3_SECRET_ACCESS_KEY ?? 'oa-archive-lock-secret',
    forcePathStyle: true,
    sdkChecksums: 'when_supported',
  };
}

/** The Object Lock store is not running: the tests that need it fail rather than skip. */
export class ObjectLockStoreUnavailableError extends Error {
  override readonly name = 'ObjectLockStoreUnavailableError';
  constructor(endpoint: string, cause: unknown) {
    super(`the Object Lock test store (Ceph RGW) at ${endpoint} does not answer (${(cause as Error)?.message ?? String(cause)}); start it with: bash infra/local/ceph.sh start`, { cause });
  }
}

/** A client and a fresh bucket created with Object Lock (hence versioning) on the Object Lock store. */
export async function createObjectLockTestBucket(purpose: string): Promise<{ s3: S3Client; bucket: string }> {
  const settings = objectLockTestS3Settings();
  const s3 = createS3Client(settings);
  try {
    await s3.send(new ListBucketsCommand({}));
  } catch (error) {
    throw new ObjectLockStoreUnavailableError(settings.endpoint!, error);
  }
  const bucket = `test-${purpose}-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  return { s3, bucket };
}
