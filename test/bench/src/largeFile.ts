import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { s3Env } from '@oa-archive/config';
import { createS3Client, DigestingStream, ensureBuckets, ObjectStore } from '@oa-archive/storage';
import { testS3Settings } from '@oa-archive/storage/testing';
import { fixed, peakRssMiB } from './stats.ts';

const MiB = 1024 * 1024;

/**
 * One large file through the real byte path: served over HTTP as an OA would (from another process),
 * fetched and hashed
 * (SHA-256 + SM3) while streaming into staging in parts, then deposited write-once into the archive
 * and verified by reading it back. Beside it, a plain read-and-hash of the same file. Runs in its
 * own process so its peak RSS is its own.
 */
export async function benchLargeFile(sizeMiB: number): Promise<Record<string, number>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-large-'));
  const file = path.join(dir, 'video.bin');
  const block = randomBytes(16 * MiB);
  await pipeline(
    Readable.from(
      (function* () {
        for (let written = 0; written < sizeMiB * MiB; written += block.length) yield block.subarray(0, Math.min(block.length, sizeMiB * MiB - written));
      })(),
    ),
    createWriteStream(file),
  );
  const size = (await stat(file)).size;
  const discard = () => new Writable({ write: (_c, _e, done) => done() });
  const result: Record<string, number> = { sizeMiB: size / MiB };
  const server = spawn(process.execPath, [path.join(import.meta.dirname, 'fileServer.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`the file server exited (${code})`)));
  }));
  // The worker's settings: its SDK checksum mode and conditional PUT (the local store enforces it).
  const s3 = createS3Client({ ...testS3Settings(), sdkChecksums: s3Env.shape.S3_SDK_CHECKSUMS.parse(process.env.S3_SDK_CHECKSUMS) });
  const suffix = randomBytes(4).toString('hex');
  const [staging, archive] = [`bench-large-staging-${suffix}`, `bench-large-archive-${suffix}`];
  await ensureBuckets(s3, [staging, archive]);
  const store = new ObjectStore(s3, { conditionalPut: 'enforced' });
  try {
    let t = performance.now();
    const baseline = new DigestingStream();
    await pipeline(createReadStream(file), baseline, discard());
    result.readAndHashSeconds = (performance.now() - t) / 1000;

    t = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/video.bin`);
    // As the fetch stage does: the announced length tells the store a large body is coming.
    const staged = await store.putStream({ bucket: staging, key: 'large/1', body: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), contentType: 'video/mp4', sizeHint: Number(response.headers.get('content-length')) });
    result.fetchAndStageSeconds = (performance.now() - t) / 1000;
    if (staged.sha256 !== baseline.result().sha256) throw new Error('staged digest differs from the file’s');

    t = performance.now();
    const deposited = await store.depositOnce({ bucket: archive, key: 'A182/2025/LX/Y/large/data/original/001-video.mp4', size: staged.size, sha256: staged.sha256, open: () => store.getStream(staging, 'large/1') });
    result.depositAndVerifySeconds = (performance.now() - t) / 1000;
    result.verifiedByReadBack = deposited.verifiedBy === 'read-back' ? 1 : 0;
    result.peakRssMiB = (await peakRssMiB(process.pid)) ?? Number.NaN;
  } finally {
    server.kill();
    await s3.send(new DeleteObjectCommand({ Bucket: staging, Key: 'large/1' })).catch(() => undefined);
    await s3.send(new DeleteObjectCommand({ Bucket: archive, Key: 'A182/2025/LX/Y/large/data/original/001-video.mp4' })).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}

export function formatLargeFile(r: Record<string, number>): string[] {
  const rate = (seconds: number) => `${fixed(r.sizeMiB! / seconds, 0)} MiB/s`;
  return [
    `large file, ${fixed(r.sizeMiB!, 0)} MiB:`,
    `  baseline, plain read-and-hash from disk (SHA-256 + SM3): ${fixed(r.readAndHashSeconds!, 1)} s = ${rate(r.readAndHashSeconds!)}`,
    `  fetch over HTTP, hash and stage in parts: ${fixed(r.fetchAndStageSeconds!, 1)} s = ${rate(r.fetchAndStageSeconds!)}`,
    `  deposit write-once (multipart) and verify by reading back: ${fixed(r.depositAndVerifySeconds!, 1)} s = ${rate(r.depositAndVerifySeconds!)} (read-back: ${r.verifiedByReadBack ? 'yes' : 'no'})`,
    `  peak RSS of the process doing it: ${fixed(r.peakRssMiB!, 0)} MiB`,
  ];
}
