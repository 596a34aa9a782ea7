import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { paceDelayMs } from './plan.ts';

/** Keeps the bytes read through it, over its lifetime, within a rate: one per audit pass, shared by its streams. */
export class RateLimiter {
  readonly #maxBytesPerSecond: number;
  readonly #startedAt = Date.now();
  #bytes = 0;

  constructor(maxBytesPerSecond: number) {
    this.#maxBytesPerSecond = maxBytesPerSecond;
  }

  async take(bytes: number): Promise<void> {
    this.#bytes += bytes;
    const delay = paceDelayMs(this.#bytes, Date.now() - this.#startedAt, this.#maxBytesPerSecond);
    if (delay > 0) await sleep(delay);
  }

  /** A pass-through stream that holds each chunk back until the rate allows it. */
  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done: TransformCallback) => {
        this.take(chunk.length).then(() => done(null, chunk), done);
      },
    });
  }
}

/** The bytes being copied are not the ones recorded: the copy must not complete. */
export class SourceDigestMismatchError extends Error {
  override readonly name = 'SourceDigestMismatchError';
  constructor(what: string, detail: string) {
    super(`${what} does not match the catalog (${detail}): not copied; audit the AIP (archive fixity --ingest …)`);
  }
}

/**
 * A pass-through stream that fails at its end unless the bytes had the expected size and SHA-256, so
 * an upload fed from it never completes with other bytes (a multipart upload is aborted, a single PUT
 * is also refused by the store's own checksum check).
 */
export function expectDigest(what: string, expected: { size: number; sha256: string }): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      size += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      const sha256 = hash.digest('hex');
      if (size !== expected.size) done(new SourceDigestMismatchError(what, `${size} bytes, ${expected.size} recorded`));
      else if (sha256 !== expected.sha256) done(new SourceDigestMismatchError(what, `SHA-256 ${sha256}, ${expected.sha256} recorded`));
      else done();
    },
  });
}

/**
 * `source` through expectDigest. The mismatch is kept on the stream (`failure`) as well as emitted:
 * the uploader may have stopped listening by then (the store refused the body first), and the caller
 * must learn why the copy did not complete either way.
 */
export function verified(source: Readable, what: string, expected: { size: number; sha256: string }): Transform & { failure?: Error } {
  const check: Transform & { failure?: Error } = expectDigest(what, expected);
  source.on('error', (error) => check.destroy(error));
  check.on('error', (error) => {
    check.failure = error;
  });
  return source.pipe(check);
}

/**
 * Runs an upload fed by `verified` streams and fails with the source's mismatch where there was one,
 * whatever the uploader reported (a store that checks checksums refuses the body on its own).
 */
export async function copyVerified<T>(upload: (open: (source: () => Promise<Readable>, what: string, expected: { size: number; sha256: string }) => Promise<Readable>) => Promise<T>): Promise<T> {
  let stream: (Transform & { failure?: Error }) | undefined;
  const open = async (source: () => Promise<Readable>, what: string, expected: { size: number; sha256: string }) => (stream = verified(await source(), what, expected));
  let result: T;
  try {
    result = await upload(open);
  } catch (error) {
    throw stream?.failure ?? error;
  }
  if (stream?.failure) throw stream.failure;
  return result;
}
