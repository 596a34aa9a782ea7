import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, rm } from 'node:fs/promises';
import { Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestingStream, type Fixity } from '@oa-archive/storage';
import type { AipFile } from '@oa-archive/catalog';
import type { PipelineDeps } from './context.ts';
import { StageError } from './errors.ts';

/*
 * Staged bytes as a stage reads them: from this host's cache (LocalCache) when an earlier stage here
 * had them, otherwise from the staging bucket, and kept in the cache for the stages after. Staging
 * stays the record; the cache only saves requests.
 */

/** A staged object and what it must hold. */
export interface StagedObject {
  key: string;
  sha256: string;
  size: number;
}

/** The bytes read from a cached copy are not the ones its name promises: the copy is dropped and staging used. */
export class CachedCopyMismatchError extends Error {
  override readonly name = 'CachedCopyMismatchError';
  constructor(sha256: string, found: string) {
    super(`the local cached copy named ${sha256} holds bytes with SHA-256 ${found}`);
  }
}

/**
 * Passes bytes on, holding back the last chunk until the whole stream proved to be `sha256` and
 * `size`: a reader (an upload with a declared length) never receives all of the bytes unless they are
 * the right ones, so a damaged cached copy cannot be written anywhere whole.
 */
class VerifiedStream extends Transform {
  readonly #hash = createHash('sha256');
  readonly #expected: { sha256: string; size: number };
  #held: Buffer | undefined;
  #bytes = 0;

  constructor(expected: { sha256: string; size: number }) {
    super();
    this.#expected = expected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    const previous = this.#held;
    this.#held = chunk;
    done(null, previous);
  }

  override _flush(done: TransformCallback): void {
    const found = this.#hash.digest('hex');
    if (found !== this.#expected.sha256 || this.#bytes !== this.#expected.size) return done(new CachedCopyMismatchError(this.#expected.sha256, found));
    done(null, this.#held);
  }
}

/**
 * A stream of a staged object's bytes: this host's cached copy (verified as it is read, see
 * VerifiedStream) or the staging bucket's.
 */
export async function openStaged(deps: Pick<PipelineDeps, 'store' | 'settings' | 'cache'>, object: StagedObject): Promise<Readable> {
  const handle = await deps.cache?.open(object.sha256, object.size);
  if (!handle) return deps.store.getStream(deps.settings.stagingBucket, object.key);
  const verified = new VerifiedStream(object);
  // A copy found damaged is dropped, so the retry that follows reads staging.
  verified.once('error', (error) => {
    if (error instanceof CachedCopyMismatchError) void deps.cache!.drop(object.sha256);
  });
  const source = handle.createReadStream();
  source.once('error', (error) => verified.destroy(error));
  return source.pipe(verified);
}

/**
 * The bytes of one file of an AIP record: a tag file's text kept in the catalog, checked against its
 * digest before anything is written, or a staged object (openStaged).
 */
export async function openAipFile(deps: Pick<PipelineDeps, 'store' | 'settings' | 'cache'>, file: AipFile): Promise<Readable> {
  if (file.content !== undefined) {
    const bytes = Buffer.from(file.content, 'utf8');
    const found = createHash('sha256').update(bytes).digest('hex');
    if (found !== file.sha256) throw new StageError(`the catalog's text of ${file.path} has SHA-256 ${found}, not ${file.sha256}; replay from package`, { retryable: false });
    return Readable.from([bytes]);
  }
  if (!file.stagingKey) throw new StageError(`${file.path} has neither text in the catalog nor a staged copy; replay from package`, { retryable: false });
  return openStaged(deps, { key: file.stagingKey, sha256: file.sha256, size: file.size });
}

/**
 * Puts a staged object's bytes into `file` (a path in the stage's scratch directory, for tools that
 * need one) and returns the fixity of what is there, computed as it is read: a link to this host's
 * cached copy when it has one that still matches, otherwise a download from staging, which is then
 * kept in the cache. The caller compares the fixity with the catalog's.
 */
export async function localCopy(deps: Pick<PipelineDeps, 'store' | 'settings' | 'cache'>, object: StagedObject, file: string): Promise<Fixity> {
  const { cache } = deps;
  const cached = await cache?.pathOf(object.sha256, object.size);
  if (cached) {
    try {
      // A link, not a copy: the file stays readable whatever the cache drops meanwhile.
      await link(cached, file);
      const fixity = await digestOfFile(file);
      if (fixity.sha256 === object.sha256) return fixity;
      await cache!.drop(object.sha256);
      await rm(file, { force: true });
    } catch (error) {
      // Dropped between the look and the link: read staging instead.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const digest = new DigestingStream();
  await pipeline(await deps.store.getStream(deps.settings.stagingBucket, object.key), digest, createWriteStream(file));
  const fixity = digest.result();
  // Named by what it holds, whatever the catalog expected: a mismatch is the caller's to judge.
  await cache?.addFile(file, fixity.sha256, fixity.size);
  return fixity;
}

async function digestOfFile(file: string): Promise<Fixity> {
  const digest = new DigestingStream();
  await pipeline(createReadStream(file), digest, new Writable({ write: (_chunk, _encoding, done) => done() }));
  return digest.result();
}
