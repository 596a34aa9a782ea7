import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { ObjectStore, WriteOnceViolationError, readObjectLock, type ObjectLock } from '../src/index.ts';
import { createObjectLockTestBucket } from '../src/testing.ts';

// Against Ceph's RADOS Gateway (infra/local/ceph.sh), which enforces Object Lock as AWS S3 documents
// it. What is asserted is what AWS promises for a bucket created with Object Lock; the store is
// throw-away, and short retention dates keep the locked test objects from outliving a test run long.

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A day ahead, in whole seconds: retain-until dates travel as ISO 8601 and are compared exactly. */
const tomorrow = () => new Date(Math.ceil(Date.now() / 1000) * 1000 + 86_400_000);
const refusedByLock = { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } };

// Created once; every test awaits it, so a store that does not answer fails each test (with what to
// run) rather than leaving them skipped.
const setup = createObjectLockTestBucket('lock');
setup.catch(() => undefined);
let s3: S3Client;
let bucket: string;
let store: ObjectStore;
beforeEach(async () => {
  ({ s3, bucket } = await setup);
  store = new ObjectStore(s3, { multipartThreshold: 6 * 1024 * 1024 });
});

function deposit(key: string, body: Buffer, lock?: ObjectLock) {
  return store.depositOnce({ bucket, key, size: body.length, sha256: sha256(body), ...(lock ? { lock } : {}), open: async () => Readable.from([body]) });
}

async function versionsOf(key: string) {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  return (listed.Versions ?? []).filter((v) => v.Key === key);
}

async function onlyVersionOf(key: string): Promise<string> {
  const versions = await versionsOf(key);
  expect(versions).toHaveLength(1);
  return versions[0]!.VersionId!;
}

async function bytesOf(key: string, versionId?: string): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

describe('Object Lock on a store that enforces it (Ceph RGW over HTTP)', () => {
  it('deposits an object under COMPLIANCE retention that the store reports back', async () => {
    const until = tomorrow();
    const body = Buffer.from('关于做好档案移交工作的通知 — 正文');
    const result = await deposit('A182/2025/WS/D30/doc-1/original.txt', body, { mode: 'COMPLIANCE', retainUntil: until });
    expect(result).toMatchObject({ outcome: 'written', size: body.length, sha256: sha256(body) });
    const version = await onlyVersionOf('A182/2025/WS/D30/doc-1/original.txt');
    expect(await readObjectLock(s3, bucket, 'A182/2025/WS/D30/doc-1/original.txt', version)).toEqual({ mode: 'COMPLIANCE', retainUntil: until, legalHold: false });
  });

  it('refuses to delete a retained version or to shorten its retention', async () => {
    const key = 'A182/2025/WS/D10/doc-2/original.txt';
    const until = tomorrow();
    const body = Buffer.from('retained');
    await deposit(key, body, { mode: 'COMPLIANCE', retainUntil: until });
    const version = await onlyVersionOf(key);

    await expect(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version }))).rejects.toMatchObject(refusedByLock);
    // Not even with the governance bypass: that only lifts GOVERNANCE.
    await expect(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version, BypassGovernanceRetention: true }))).rejects.toMatchObject(refusedByLock);
    const shorter = new Date(until.getTime() - 3_600_000);
    await expect(
      s3.send(new PutObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: version, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: shorter } })),
    ).rejects.toMatchObject(refusedByLock);

    expect(await readObjectLock(s3, bucket, key, version)).toEqual({ mode: 'COMPLIANCE', retainUntil: until, legalHold: false });
    expect((await bytesOf(key, version)).equals(body)).toBe(true);
  });

  it('keeps a version under legal hold from being deleted', async () => {
    const key = 'A182/2025/WS/Y/doc-3/original.txt';
    const body = Buffer.from('永久保存');
    await deposit(key, body, { mode: 'COMPLIANCE', legalHold: true });
    const version = await onlyVersionOf(key);
    expect(await readObjectLock(s3, bucket, key, version)).toEqual({ legalHold: true });

    await expect(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version }))).rejects.toMatchObject(refusedByLock);
    expect((await bytesOf(key, version)).equals(body)).toBe(true);
  });

  it('keeps the locked version intact when the key is overwritten or deleted without a version', async () => {
    const key = 'A182/2025/WS/D30/doc-4/original.txt';
    const body = Buffer.from('the filed bytes');
    await deposit(key, body, { mode: 'COMPLIANCE', retainUntil: tomorrow() });
    const locked = await onlyVersionOf(key);

    // A plain PUT (no If-None-Match) is not refused: it makes a new current version beside the locked one.
    const overwrite = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'other bytes' }));
    expect(overwrite.VersionId).toBeDefined();
    expect(overwrite.VersionId).not.toBe(locked);
    expect((await bytesOf(key)).toString()).toBe('other bytes');
    expect((await bytesOf(key, locked)).equals(body)).toBe(true);

    // A DELETE without a version id only hides the key behind a delete marker.
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(deleted.DeleteMarker).toBe(true);
    expect((await bytesOf(key, locked)).equals(body)).toBe(true);
    expect((await versionsOf(key)).map((v) => v.VersionId)).toContain(locked);
  });

  it('never lets depositOnce put other bytes under a locked key', async () => {
    const key = 'A182/2025/WS/D30/doc-5/original.txt';
    const original = Buffer.from('original');
    await deposit(key, original, { mode: 'COMPLIANCE', retainUntil: tomorrow() });
    const version = await onlyVersionOf(key);

    const forged = Buffer.from('forged!!');
    await expect(deposit(key, forged, { mode: 'COMPLIANCE', retainUntil: tomorrow() })).rejects.toBeInstanceOf(WriteOnceViolationError);
    expect(await onlyVersionOf(key)).toBe(version);
    expect((await bytesOf(key)).equals(original)).toBe(true);
    // The same bytes again are accepted as already there, without a second version.
    expect((await deposit(key, original, { mode: 'COMPLIANCE', retainUntil: tomorrow() })).outcome).toBe('already-present');
    expect(await onlyVersionOf(key)).toBe(version);
  });

  it('locks an object that an interrupted deposit left unlocked', async () => {
    const key = 'A182/2025/WS/Y/doc-7/original.txt';
    const body = Buffer.from('written, then the worker died before locking');
    const plain = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    expect(await readObjectLock(s3, bucket, key, plain.VersionId)).toEqual({ legalHold: false });

    const until = tomorrow();
    expect((await deposit(key, body, { mode: 'COMPLIANCE', retainUntil: until, legalHold: true })).outcome).toBe('already-present');
    expect(await readObjectLock(s3, bucket, key, plain.VersionId)).toEqual({ mode: 'COMPLIANCE', retainUntil: until, legalHold: true });
    await expect(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: plain.VersionId }))).rejects.toMatchObject(refusedByLock);
  });

  it('locks an object deposited in parts', async () => {
    // Above the store's 16 MiB part size, so the upload really is multipart. The lock rides on
    // CreateMultipartUpload, which RGW 16.2 accepts and drops: depositOnce sets it after completing.
    const body = randomBytes(17 * 1024 * 1024);
    const key = 'A182/2025/WS/D30/doc-6/video.mp4';
    const until = tomorrow();
    const result = await deposit(key, body, { mode: 'COMPLIANCE', retainUntil: until });
    expect(result).toMatchObject({ outcome: 'written', verifiedBy: 'read-back', size: body.length });
    const version = await onlyVersionOf(key);
    expect(await readObjectLock(s3, bucket, key, version)).toEqual({ mode: 'COMPLIANCE', retainUntil: until, legalHold: false });
    await expect(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version }))).rejects.toMatchObject(refusedByLock);
  });
});
