import { randomBytes } from 'node:crypto';
import { createS3Client, ensureBuckets } from './client.ts';

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
