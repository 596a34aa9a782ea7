import { randomBytes } from 'node:crypto';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { abortStaleMultipartUploads } from '../src/index.ts';
import { createTestBuckets } from '../src/testing.ts';

/** Against the real local S3 server: uploads a killed worker would leave behind, with a part stored. */
let s3: S3Client;
let bucket: string;
beforeAll(async () => {
  const created = await createTestBuckets('multipart');
  s3 = created.s3;
  bucket = created.buckets[0]!;
});

async function leaveUpload(key: string): Promise<string> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  // 5 MiB: the smallest part S3 accepts for a part that is not the last.
  await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: randomBytes(5 * 1024 * 1024) }));
  return UploadId!;
}

async function openUploads(prefix: string): Promise<string[]> {
  const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (page.Uploads ?? []).map((u) => u.UploadId!);
}

describe('abortStaleMultipartUploads', () => {
  it('leaves an upload younger than the age alone, and aborts it with age 0', async () => {
    const key = 'ingests/ing_killed/components/1';
    const uploadId = await leaveUpload(key);
    expect(await openUploads('ingests/ing_killed/')).toEqual([uploadId]);

    expect(await abortStaleMultipartUploads(s3, bucket, { olderThanMs: 3_600_000 })).toEqual([]);
    expect(await openUploads('ingests/ing_killed/')).toEqual([uploadId]);

    const aborted = await abortStaleMultipartUploads(s3, bucket, { olderThanMs: 0 });
    expect(aborted).toEqual([{ bucket, key, uploadId, initiated: expect.any(Date) }]);
    expect(await openUploads('ingests/ing_killed/')).toEqual([]);
  });

  it('goes through every page of the listing', async () => {
    const ids = [await leaveUpload('paged/a'), await leaveUpload('paged/b'), await leaveUpload('paged/c')];
    const aborted = await abortStaleMultipartUploads(s3, bucket, { olderThanMs: 0, prefix: 'paged/', pageSize: 1 });
    expect(aborted.map((a) => a.uploadId).sort()).toEqual([...ids].sort());
    expect(await openUploads('paged/')).toEqual([]);
  });
});
