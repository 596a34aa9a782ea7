import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { EncryptionNotAppliedError, ObjectStore, createS3Client, type ServerSideEncryption } from '../src/index.ts';
import { objectLockTestS3Settings } from '../src/testing.ts';

/**
 * Against Ceph RGW 16.2 (infra/local/ceph.sh), set up for SSE-KMS with its test key store (key id
 * `oa-archive-test`). RGW 16.2 encrypts with aws:kms and says so in its answers; asked for AES256
 * (SSE-S3) without a default key it stores the object in clear and answers 200 without the header —
 * the store that ignores the header, which must not pass.
 */
const KMS: ServerSideEncryption = { mode: 'aws:kms', kmsKeyId: 'oa-archive-test' };
const content = Buffer.from('签收单：本件已归档，须加密保存');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function storeWith(sse: ServerSideEncryption) {
  const s3 = createS3Client({ ...objectLockTestS3Settings(), serverSideEncryption: sse });
  return new ObjectStore(s3, { conditionalPut: 'ignored', multipartThreshold: 1024 });
}

describe('server-side encryption against Ceph RGW', async () => {
  const plain = createS3Client(objectLockTestS3Settings());
  const bucket = `test-sse-${Date.now().toString(36)}`;
  await plain.send(new CreateBucketCommand({ Bucket: bucket }));

  it('deposits with SSE-KMS, the store reporting the key on the object', async () => {
    const store = await storeWith(KMS);
    const result = await store.depositOnce({ bucket, key: 'aip/kms.txt', size: content.length, sha256: sha256(content), open: async () => Readable.from([content]) });
    expect(result.outcome).toBe('written');
    const head = await plain.send(new HeadObjectCommand({ Bucket: bucket, Key: 'aip/kms.txt' }));
    expect({ sse: head.ServerSideEncryption, key: head.SSEKMSKeyId }).toEqual({ sse: 'aws:kms', key: 'oa-archive-test' });
    // Read back through the store: the bytes come back as deposited.
    expect((await store.digestOf(bucket, 'aip/kms.txt')).sha256).toBe(sha256(content));
    // Deposited again (a retried ingest): found encrypted, accepted.
    expect((await store.depositOnce({ bucket, key: 'aip/kms.txt', size: content.length, sha256: sha256(content), open: async () => Readable.from([content]) })).outcome).toBe('already-present');
  });

  it('deposits a multipart object with SSE-KMS', async () => {
    const store = await storeWith(KMS);
    const large = Buffer.alloc(6 * 1024 * 1024, 3);
    const result = await store.depositOnce({ bucket, key: 'aip/large.bin', size: large.length, sha256: sha256(large), open: async () => Readable.from([large]) });
    expect(result.outcome).toBe('written');
    expect((await plain.send(new HeadObjectCommand({ Bucket: bucket, Key: 'aip/large.bin' }))).ServerSideEncryption).toBe('aws:kms');
  });

  it('fails a deposit asking for AES256, which RGW 16.2 ignores, and refuses the object it left on a retry', async () => {
    const store = await storeWith({ mode: 'AES256' });
    const deposit = () => store.depositOnce({ bucket, key: 'aip/sse-s3.txt', size: content.length, sha256: sha256(content), open: async () => Readable.from([content]) });
    await expect(deposit()).rejects.toThrow(EncryptionNotAppliedError);
    await expect(deposit()).rejects.toThrow(/already there, but the store did not report server-side encryption \(asked for AES256\)/);
  });

  it('fails a deposit whose object was written unencrypted before encryption was configured', async () => {
    const before = new ObjectStore(plain, { conditionalPut: 'ignored' });
    await before.depositOnce({ bucket, key: 'aip/old.txt', size: content.length, sha256: sha256(content), open: async () => Readable.from([content]) });
    const store = await storeWith(KMS);
    await expect(store.depositOnce({ bucket, key: 'aip/old.txt', size: content.length, sha256: sha256(content), open: async () => Readable.from([content]) })).rejects.toBeInstanceOf(EncryptionNotAppliedError);
  });
});
