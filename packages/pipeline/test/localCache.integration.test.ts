import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore, observeRequests } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { LocalCache } from '../src/localCache.ts';
import { CachedCopyMismatchError, localCopy, openAipFile, openStaged } from '../src/stagedCopies.ts';

/**
 * The host's cache of staged bytes on a real file system, against the real S3 server: what is read
 * from disk and what from staging (counted on the wire), and what a damaged copy leads to.
 */
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sm3 = (b: Buffer) => createHash('sm3').update(b).digest('hex');
const errors: unknown[] = [];
let root: string;
let store: ObjectStore;
let staging: string;
const requests: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'local-cache-'));
  const { s3, buckets } = await createTestBuckets('cache-staging');
  staging = buckets[0]!;
  observeRequests(s3, (command) => requests.push(command));
  store = new ObjectStore(s3);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const cacheIn = (name: string, maxBytes = 16 * 1024 * 1024, maxObjectBytes?: number) =>
  new LocalCache(path.join(root, name), { maxBytes, ...(maxObjectBytes ? { maxObjectBytes } : {}), onError: (error) => errors.push(error) });

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function stage(key: string, body: Buffer): Promise<{ key: string; sha256: string; size: number }> {
  await store.putStream({ bucket: staging, key, body: Readable.from([body]) });
  return { key, sha256: sha256(body), size: body.length };
}

describe('LocalCache', () => {
  it('keeps bytes under their digest and finds them by digest and size', async () => {
    const cache = cacheIn('keeps');
    const body = Buffer.from('关于做好档案移交工作的通知');
    await cache.addBuffer(body, sha256(body));
    expect(await cache.pathOf(sha256(body), body.length)).toBe(path.join(cache.dir, sha256(body)));
    expect(await cache.pathOf(sha256(Buffer.from('other')), 5)).toBeUndefined();
    // No temporary file is left beside the entry.
    expect(await readdir(cache.dir)).toEqual([sha256(body)]);
    // An entry of another size than its bytes must have is damaged: dropped.
    expect(await cache.pathOf(sha256(body), body.length + 1)).toBeUndefined();
    expect(await readdir(cache.dir)).toEqual([]);
  });

  it('copies a stream into an entry as it passes, named once its digest is known', async () => {
    const cache = cacheIn('tee');
    const body = randomBytes(300_000);
    const tee = await cache.tee();
    const passed = await readAll(Readable.from([body.subarray(0, 1000), body.subarray(1000)]).pipe(tee));
    await tee.commit(sha256(body));
    expect(passed.equals(body)).toBe(true);
    expect((await readFile(path.join(cache.dir, sha256(body)))).equals(body)).toBe(true);
  });

  it('passes a stream larger than it keeps without copying it, and forgets a failed one', async () => {
    const cache = cacheIn('tee-limits', 1024 * 1024, 1000);
    const big = randomBytes(5000);
    const tee = await cache.tee();
    expect((await readAll(Readable.from([big]).pipe(tee))).equals(big)).toBe(true);
    await tee.commit(sha256(big));
    const failing = await cache.tee();
    failing.write(Buffer.from('half'));
    // Gone when discard returns, even while its file was still being opened.
    await failing.discard();
    expect(await readdir(cache.dir)).toEqual([]);
  });

  it('drops the oldest entries once past its budget', async () => {
    const cache = cacheIn('trim', 40_000, 10_000);
    const bodies = Array.from({ length: 8 }, () => randomBytes(8_000));
    for (const [i, body] of bodies.entries()) {
      await cache.addBuffer(body, sha256(body));
      // Distinct ages, oldest first.
      await utimes(path.join(cache.dir, sha256(body)), new Date(Date.now() - (100 - i) * 1000), new Date(Date.now() - (100 - i) * 1000));
    }
    await cache.trim();
    const left = await readdir(cache.dir);
    const total = (await Promise.all(left.map((n) => stat(path.join(cache.dir, n))))).reduce((s, i) => s + i.size, 0);
    expect(total).toBeLessThanOrEqual(30_000);
    expect(left).toContain(sha256(bodies.at(-1)!));
    expect(left).not.toContain(sha256(bodies[0]!));
  });
});

describe('staged bytes through the cache', () => {
  it('reads a cached object from disk, and one it lacks from staging', async () => {
    const cache = cacheIn('open');
    const cached = await stage('ing_c/1', Buffer.from('cached copy'));
    const missing = await stage('ing_c/2', Buffer.from('only staged'));
    await cache.addBuffer(Buffer.from('cached copy'), cached.sha256);
    requests.length = 0;
    expect((await readAll(await openStaged({ store, settings: { stagingBucket: staging } as never, cache }, cached))).toString()).toBe('cached copy');
    expect(requests).toEqual([]);
    expect((await readAll(await openStaged({ store, settings: { stagingBucket: staging } as never, cache }, missing))).toString()).toBe('only staged');
    expect(requests).toEqual(['GetObjectCommand']);
  });

  it('never passes on all of a damaged copy, drops it, and reads staging the next time', async () => {
    const cache = cacheIn('damaged');
    const body = randomBytes(200_000);
    const object = await stage('ing_d/1', body);
    const damaged = Buffer.from(body);
    damaged[150_000] = damaged[150_000]! ^ 0xff;
    await cache.addBuffer(body, object.sha256);
    // The disk went bad under the entry.
    await writeFile(path.join(cache.dir, object.sha256), damaged);
    const deps = { store, settings: { stagingBucket: staging } as never, cache };
    let received = 0;
    const reading = (await openStaged(deps, object)).on('data', (chunk: Buffer) => (received += chunk.length));
    await expect(pipeline(reading, async function* (source) {
      for await (const _chunk of source) yield;
    })).rejects.toBeInstanceOf(CachedCopyMismatchError);
    expect(received).toBeLessThan(body.length);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await cache.pathOf(object.sha256, object.size)).toBeUndefined();
    expect((await readAll(await openStaged(deps, object))).equals(body)).toBe(true);
  });

  it('gives a tool a linked local copy with its fixity, downloading and keeping it on a miss', async () => {
    const cache = cacheIn('local-copy');
    const body = randomBytes(50_000);
    const object = await stage('ing_l/1', body);
    const deps = { store, settings: { stagingBucket: staging } as never, cache };
    requests.length = 0;
    const first = await localCopy(deps, object, path.join(root, 'first-copy'));
    expect(first).toEqual({ size: body.length, sha256: sha256(body), sm3: sm3(body) });
    expect(requests).toEqual(['GetObjectCommand']);
    const second = await localCopy(deps, object, path.join(root, 'second-copy'));
    expect(second).toEqual(first);
    expect(requests).toEqual(['GetObjectCommand']);
    expect((await readFile(path.join(root, 'second-copy'))).equals(body)).toBe(true);
    // The cache may drop its entry: the stage's copy stays.
    await cache.drop(object.sha256);
    expect((await readFile(path.join(root, 'second-copy'))).equals(body)).toBe(true);
  });

  it('writes a tag file from the catalog’s text after checking it against its digest', async () => {
    const deps = { store, settings: { stagingBucket: staging } as never };
    const text = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
    const file = { path: 'bagit.txt', kind: 'tag' as const, content: text, size: Buffer.byteLength(text), sha256: sha256(Buffer.from(text)), sm3: sm3(Buffer.from(text)) };
    expect((await readAll(await openAipFile(deps, file))).toString()).toBe(text);
    await expect(openAipFile(deps, { ...file, content: `${text} ` })).rejects.toThrow(/replay from package/);
  });
});

it('reports nothing it could not keep in these runs', () => {
  expect(errors).toEqual([]);
});
