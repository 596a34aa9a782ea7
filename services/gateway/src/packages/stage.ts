import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { PackageProblem } from '@oa-archive/catalog';
import { SizeLimitExceededError, type ObjectStore } from '@oa-archive/storage';
import type { PlannedFile } from './manifest.ts';
import { stagedKeyOf, stagedUrlOf, uploadKeyOf } from './layout.ts';

/**
 * One file of a package into the staging bucket, hashed as it streams: written under an upload key,
 * compared with what the metadata declared, and only if it agrees copied to its content address
 * (<prefix><source>/sha256/<digest>), the URL the event carries. A staged object is never overwritten
 * with other bytes, since its name is its digest, and the same file staged again is the same object.
 */

/** S3's limit for one CopyObject; a larger file would need a multipart copy. */
export const MAX_STAGED_FILE_BYTES = 5 * 1024 ** 3;

export interface StagedFile {
  url: string;
  size: number;
  sha256: string;
}

export type StageResult = { ok: true; staged: StagedFile } | { ok: false; problems: PackageProblem[] };

/** Passes bytes through while computing their MD5 (SHA-256 and size come from the store's own pass). */
class Md5Tap extends Transform {
  readonly #hash = createHash('md5');
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.#hash.update(chunk);
    done(null, chunk);
  }
  digest(): string {
    return this.#hash.digest('hex');
  }
}

export async function stageFile(args: { store: ObjectStore; bucket: string; prefix: string; source: string; token: string; file: PlannedFile; body: Readable }): Promise<StageResult> {
  const { store, bucket, prefix, source, file } = args;
  const label = `component ${file.ordinal} (${file.source.kind === 'path' ? file.source.path : `${file.fileName}, embedded`})`;
  const uploadKey = uploadKeyOf(prefix, source, args.token, file.ordinal);
  const md5 = new Md5Tap();
  const where = file.source.kind === 'path' ? { file: file.source.path } : {};
  let stored;
  try {
    // pipeline, not pipe: an error reading the package reaches the upload, which then fails.
    stored = await store.putStream({ bucket, key: uploadKey, body: pipeline(args.body, md5, () => undefined), maxBytes: MAX_STAGED_FILE_BYTES });
  } catch (error) {
    if (!(error instanceof SizeLimitExceededError)) throw error;
    return { ok: false, problems: [{ code: 'file-too-large', ...where, message: `${label} is larger than ${MAX_STAGED_FILE_BYTES} bytes, the most one file of a package may have` }] };
  }
  const actualMd5 = md5.digest();
  const problems: PackageProblem[] = [];
  const { size, sha256, md5: declaredMd5 } = file.declared;
  if (size !== null && size !== stored.size) problems.push({ code: 'size-mismatch', ...where, message: `${label}: declared ${size} bytes, read ${stored.size}` });
  if (sha256 !== null && sha256 !== stored.sha256) problems.push({ code: 'digest-mismatch', ...where, message: `${label}: declared SHA-256 ${sha256}, computed ${stored.sha256}` });
  if (declaredMd5 !== null && declaredMd5 !== actualMd5) problems.push({ code: 'digest-mismatch', ...where, message: `${label}: declared MD5 ${declaredMd5}, computed ${actualMd5}` });
  try {
    if (problems.length > 0) return { ok: false, problems };
    const key = stagedKeyOf(prefix, source, stored.sha256);
    const existing = await store.head(bucket, key);
    if (existing?.size !== stored.size) await store.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${uploadKey}` }));
    return { ok: true, staged: { url: stagedUrlOf(bucket, key), size: stored.size, sha256: stored.sha256 } };
  } finally {
    await store.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: uploadKey }));
  }
}
