import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore, RangeNotSatisfiableError, SizeLimitExceededError, WriteOnceViolationError, ensureBuckets, hexToBase64, observeRequests } from '../src/index.ts';
import { createTestBuckets } from '../src/testing.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let store: ObjectStore;
let staging: string;
let archive: string;
beforeAll(async () => {
  const { s3, buckets } = await createTestBuckets('staging', 'archive');
  [staging, archive] = buckets as [string, string];
  store = new ObjectStore(s3, { multipartThreshold: 6 * 1024 * 1024 });
});

async function bytesOf(bucket: string, key: string): Promise<Buffer> {
  const response = await store.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

describe('ObjectStore against the S3 server over HTTP', () => {
  it('streams a body into staging, hashing it on the way', async () => {
    const body = randomBytes(300_000);
    const stored = await store.putStream({ bucket: staging, key: 'ing_1/1', body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]) });
    expect(stored).toEqual({ bucket: staging, key: 'ing_1/1', size: body.length, sha256: sha256(body), sm3: createHash('sm3').update(body).digest('hex') });
    expect((await bytesOf(staging, 'ing_1/1')).equals(body)).toBe(true);
  });

  it('opens an object whole or one byte range of it, and names the size when the range is past the end', async () => {
    const body = randomBytes(10_000);
    await store.putBuffer({ bucket: staging, key: 'ranged', content: body, sha256: sha256(body) });
    const read = async (opened: { body: Readable }) => Buffer.concat(await opened.body.toArray());
    const whole = await store.open(staging, 'ranged');
    expect(whole.contentLength).toBe(body.length);
    expect(whole.contentRange).toBeUndefined();
    expect((await read(whole)).equals(body)).toBe(true);
    const middle = await store.open(staging, 'ranged', { first: 4096, last: 8191 });
    expect(middle).toMatchObject({ contentLength: 4096, contentRange: `bytes 4096-8191/${body.length}` });
    expect((await read(middle)).equals(body.subarray(4096, 8192))).toBe(true);
    const open = await store.open(staging, 'ranged', { first: 9000 });
    expect((await read(open)).equals(body.subarray(9000))).toBe(true);
    const suffix = await store.open(staging, 'ranged', { suffix: 100 });
    expect((await read(suffix)).equals(body.subarray(-100))).toBe(true);
    const past = store.open(staging, 'ranged', { first: body.length });
    await expect(past).rejects.toBeInstanceOf(RangeNotSatisfiableError);
    await expect(past).rejects.toMatchObject({ size: body.length });
  });

  it('stops a stream that passes the size limit', async () => {
    const put = store.putStream({ bucket: staging, key: 'too-big', body: Readable.from([randomBytes(2048)]), maxBytes: 1024 });
    await expect(put).rejects.toBeInstanceOf(SizeLimitExceededError);
  });

  it('deposits once, verifies what it wrote, and accepts the same bytes again', async () => {
    const body = Buffer.from('关于做好档案移交工作的通知 — 正文');
    const args = { bucket: archive, key: 'A182/2025/doc-1/original.txt', size: body.length, sha256: sha256(body), open: async () => Readable.from([body]) };
    const first = await store.depositOnce(args);
    expect(first).toMatchObject({ outcome: 'written', size: body.length, sha256: sha256(body) });
    expect(['store-checksum', 'read-back']).toContain(first.verifiedBy);
    expect(sha256(await bytesOf(archive, args.key))).toBe(sha256(body));
    const again = await store.depositOnce(args);
    expect(again.outcome).toBe('already-present');
  });

  it('never overwrites an archive object with other content', async () => {
    const original = Buffer.from('original');
    const key = 'A182/2025/doc-2/original.txt';
    await store.depositOnce({ bucket: archive, key, size: original.length, sha256: sha256(original), open: async () => Readable.from([original]) });
    const forged = Buffer.from('forged!!');
    const attempt = store.depositOnce({ bucket: archive, key, size: forged.length, sha256: sha256(forged), open: async () => Readable.from([forged]) });
    await expect(attempt).rejects.toBeInstanceOf(WriteOnceViolationError);
    expect((await bytesOf(archive, key)).toString()).toBe('original');
  });

  it('deposits a large body in parts and verifies it by reading back', async () => {
    const body = randomBytes(13 * 1024 * 1024);
    const key = 'A182/2025/doc-3/video.mp4';
    const result = await store.depositOnce({ bucket: archive, key, size: body.length, sha256: sha256(body), open: async () => Readable.from([body.subarray(0, 7e6), body.subarray(7e6)]) });
    expect(result).toMatchObject({ outcome: 'written', verifiedBy: 'read-back', size: body.length });
    expect(await store.digestOf(archive, key)).toEqual({ size: body.length, sha256: sha256(body), sm3: createHash('sm3').update(body).digest('hex') });
  });
});

/**
 * Write-once is a promise of the store, not only of our existence check: these drive the store's own
 * conditional PUT and checksum verification, and race deposits past the check.
 */
describe('write-once against a store that enforces it', () => {
  const put = (key: string, body: Buffer, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) =>
    store.s3.send(new PutObjectCommand({ Bucket: archive, Key: key, Body: body, ContentLength: body.length, ...extra }));
  const statusOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 200;
    } catch (error) {
      return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    }
  };

  it('the store refuses a conditional PUT on an existing key (412) and keeps the first bytes', async () => {
    const key = 'A182/2025/conditional/original.txt';
    expect(await statusOf(put(key, Buffer.from('first'), { IfNoneMatch: '*' }))).toBe(200);
    expect(await statusOf(put(key, Buffer.from('second'), { IfNoneMatch: '*' }))).toBe(412);
    expect((await bytesOf(archive, key)).toString()).toBe('first');
  });

  it('the store refuses a body whose x-amz-checksum-sha256 does not match (400)', async () => {
    const key = 'A182/2025/checksum/original.txt';
    const wrong = hexToBase64(sha256(Buffer.from('other bytes')));
    expect(await statusOf(put(key, Buffer.from('these bytes'), { ChecksumSHA256: wrong }))).toBe(400);
    expect(await store.head(archive, key)).toBeUndefined();
  });

  it.each([
    ['single PUT', 64 * 1024],
    ['multipart upload', 7 * 1024 * 1024],
  ])('16 concurrent deposits of different bytes under one key (%s): one is written, the others are refused', async (_label, size) => {
    const key = `A182/2025/race-${size}/original.bin`;
    const bodies = Array.from({ length: 16 }, () => randomBytes(size));
    const results = await Promise.allSettled(
      bodies.map((body) => store.depositOnce({ bucket: archive, key, size: body.length, sha256: sha256(body), open: async () => Readable.from([body]) })),
    );
    const written = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, value: r.value }] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(written).toHaveLength(1);
    expect(written[0]!.value.outcome).toBe('written');
    expect(refused).toHaveLength(15);
    for (const reason of refused) expect(reason).toBeInstanceOf(WriteOnceViolationError);
    expect(sha256(await bytesOf(archive, key))).toBe(sha256(bodies[written[0]!.i]!));
  });

  it('16 concurrent deposits of the same bytes: one writes, the others find them present', async () => {
    const key = 'A182/2025/race-same/original.bin';
    const body = randomBytes(100_000);
    const results = await Promise.all(
      Array.from({ length: 16 }, () => store.depositOnce({ bucket: archive, key, size: body.length, sha256: sha256(body), open: async () => Readable.from([body]) })),
    );
    expect(results.filter((r) => r.outcome === 'written')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already-present')).toHaveLength(15);
    expect(sha256(await bytesOf(archive, key))).toBe(sha256(body));
  });
});

/**
 * With a store that enforces conditional PUT and checks x-amz-checksum-sha256 (S3Proxy here, as AWS
 * S3), a deposit needs one request: the PUT, whose answer carries the digest the store verified.
 */
describe('deposit against a store that enforces conditional PUT and verifies checksums', () => {
  let trusting: ObjectStore;
  const sent: string[] = [];
  beforeAll(async () => {
    const { s3 } = await createTestBuckets('unused');
    observeRequests(s3, (command) => sent.push(command));
    trusting = new ObjectStore(s3, { conditionalPut: 'enforced' });
  });
  const deposit = (key: string, body: Buffer) => trusting.depositOnce({ bucket: archive, key, size: body.length, sha256: sha256(body), open: async () => Readable.from([body]) });

  it('writes and verifies a small object with a single PUT', async () => {
    sent.length = 0;
    const result = await deposit('A182/2025/one-request/original.txt', Buffer.from('一次请求'));
    expect(result).toMatchObject({ outcome: 'written', verifiedBy: 'store-checksum' });
    expect(sent).toEqual(['PutObjectCommand']);
  });

  it('finds the same bytes present when the store refuses the PUT, and refuses other bytes', async () => {
    const key = 'A182/2025/one-request/again.txt';
    await deposit(key, Buffer.from('first'));
    sent.length = 0;
    expect((await deposit(key, Buffer.from('first'))).outcome).toBe('already-present');
    expect(sent).toEqual(['PutObjectCommand', 'HeadObjectCommand']);
    await expect(deposit(key, Buffer.from('other'))).rejects.toBeInstanceOf(WriteOnceViolationError);
    expect((await bytesOf(archive, key)).toString()).toBe('first');
  });

  it('still verifies a multipart deposit by reading it back', async () => {
    const body = randomBytes(7 * 1024 * 1024);
    const big = new ObjectStore(trusting.s3, { conditionalPut: 'enforced', multipartThreshold: 6 * 1024 * 1024 });
    const result = await big.depositOnce({ bucket: archive, key: 'A182/2025/one-request/video.mp4', size: body.length, sha256: sha256(body), open: async () => Readable.from([body]) });
    expect(result).toMatchObject({ outcome: 'written', verifiedBy: 'read-back' });
  });
});

describe('ensureBuckets', () => {
  it('lets processes that start at once create the same bucket', async () => {
    const bucket = `test-race-${randomBytes(4).toString('hex')}`;
    await Promise.all(Array.from({ length: 8 }, () => ensureBuckets(store.s3, [bucket])));
    await ensureBuckets(store.s3, [bucket]);
  });
});

describe('putBuffer', () => {
  it('writes a small body in one PUT, and the store refuses it when the digest is not its own', async () => {
    const content = Buffer.from('BagIt-Version: 1.0\n');
    await store.putBuffer({ bucket: staging, key: 'ing_2/aip/bagit.txt', content, sha256: sha256(content), contentType: 'text/plain' });
    expect((await bytesOf(staging, 'ing_2/aip/bagit.txt')).equals(content)).toBe(true);
    await expect(store.putBuffer({ bucket: staging, key: 'ing_2/aip/other.txt', content, sha256: sha256(Buffer.from('other')) })).rejects.toMatchObject({ name: 'BadDigest' });
  });
});
