import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { EncryptionNotAppliedError, ObjectStore, createS3Client } from '../src/index.ts';
import { createTestBuckets, testS3Settings } from '../src/testing.ts';

/**
 * Against the local S3Proxy, which does not offer server-side encryption: asked for it, it answers
 * 501 NotImplemented. A write configured for encryption must fail with EncryptionNotAppliedError
 * there, never store plaintext as if encrypted.
 */
describe('server-side encryption against a store without it (S3Proxy)', async () => {
  const { buckets } = await createTestBuckets('sse');
  const bucket = buckets[0]!;
  const plain = new ObjectStore(createS3Client(testS3Settings()), { conditionalPut: 'enforced' });
  const encrypted = new ObjectStore(createS3Client({ ...testS3Settings(), serverSideEncryption: { mode: 'AES256' } }), { conditionalPut: 'enforced', multipartThreshold: 1024 });
  const content = Buffer.from('an archive object that must be encrypted at rest');
  const sha256 = createHash('sha256').update(content).digest('hex');

  it('fails a deposit with EncryptionNotAppliedError and leaves nothing stored', async () => {
    const deposit = encrypted.depositOnce({ bucket, key: 'aip/one.pdf', size: content.length, sha256, open: async () => Readable.from([content]) });
    await expect(deposit).rejects.toBeInstanceOf(EncryptionNotAppliedError);
    await expect(deposit).rejects.toThrow(/refused server-side encryption AES256 \(NotImplemented/);
    expect(await plain.head(bucket, 'aip/one.pdf')).toBeUndefined();
  });

  it('fails a multipart deposit when the upload is created', async () => {
    const large = Buffer.alloc(4096, 7);
    const largeSha = createHash('sha256').update(large).digest('hex');
    await expect(encrypted.depositOnce({ bucket, key: 'aip/large.bin', size: large.length, sha256: largeSha, open: async () => Readable.from([large]) })).rejects.toBeInstanceOf(EncryptionNotAppliedError);
    expect(await plain.head(bucket, 'aip/large.bin')).toBeUndefined();
  });

  it('fails staging writes and copies too', async () => {
    await expect(encrypted.putStream({ bucket, key: 'staging/a', body: Readable.from([content]) })).rejects.toBeInstanceOf(EncryptionNotAppliedError);
    await plain.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'staging/source', Body: content }));
    await expect(encrypted.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'staging/copy', CopySource: `${bucket}/staging/source` }))).rejects.toBeInstanceOf(EncryptionNotAppliedError);
  });

  it('writes as before with S3_SSE=none', async () => {
    const result = await plain.depositOnce({ bucket, key: 'aip/plain.pdf', size: content.length, sha256, open: async () => Readable.from([content]) });
    expect(result.outcome).toBe('written');
  });
});
