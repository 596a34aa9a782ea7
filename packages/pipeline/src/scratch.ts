import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DigestingStream, type Fixity, type ObjectStore } from '@oa-archive/storage';

/**
 * A private scratch directory for one stage run on one ingest, removed afterwards whatever happens.
 * Files in it are named by the caller (by ordinal), never by the OA.
 */
export async function withScratch<T>(root: string, ingestId: string, fn: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, `${ingestId}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Copies an object into a local file, computing SHA-256 and SM3 on the way. */
export async function downloadWithFixity(store: ObjectStore, bucket: string, key: string, file: string): Promise<Fixity> {
  const digest = new DigestingStream();
  await pipeline(await store.getStream(bucket, key), digest, createWriteStream(file));
  return digest.result();
}

/** Streams a local file into the store, computing SHA-256 and SM3 on the way. */
export async function uploadWithFixity(store: ObjectStore, bucket: string, key: string, file: string, contentType: string): Promise<Fixity> {
  const stored = await store.putStream({ bucket, key, body: createReadStream(file), contentType });
  return { size: stored.size, sha256: stored.sha256, sm3: stored.sm3! };
}
