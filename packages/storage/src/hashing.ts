import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { OffloadedSm3 } from './sm3Thread.ts';

export class SizeLimitExceededError extends Error {
  override readonly name = 'SizeLimitExceededError';
  readonly retryable = false;
  readonly limit: number;
  constructor(limit: number) {
    super(`more than ${limit} bytes: over the configured size limit`);
    this.limit = limit;
  }
}

/** Digests of a byte stream: SHA-256 and SM3 (GB/T 32905), as archival practice records both. */
export interface Fixity {
  size: number;
  sha256: string;
  sm3: string;
}

/** From this size on (known beforehand), SM3 runs on a helper thread beside the stream's own. */
export const OFFLOAD_SM3_FROM_BYTES = 16 * 1024 * 1024;

/**
 * A pass-through stream that counts what flows through it and computes SHA-256 and SM3 in the
 * same pass, so a file is digested while it is copied and never held in memory. Fails the stream
 * once `maxBytes` is passed. Given a `sizeHint` of OFFLOAD_SM3_FROM_BYTES or more, SM3 is computed on
 * a helper thread (sm3Thread.ts), so a large file moves at SHA-256's pace, not SM3's.
 */
export class DigestingStream extends Transform {
  readonly #sha256 = createHash('sha256');
  readonly #sm3: Hash | undefined;
  readonly #offloaded: OffloadedSm3 | undefined;
  #sm3Digest: string | undefined;
  #bytes = 0;
  readonly #maxBytes: number;

  constructor(options: { maxBytes?: number; sizeHint?: number } = {}) {
    super();
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if ((options.sizeHint ?? 0) >= OFFLOAD_SM3_FROM_BYTES) this.#offloaded = new OffloadedSm3();
    else this.#sm3 = createHash('sm3');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) {
      done(new SizeLimitExceededError(this.#maxBytes));
      return;
    }
    this.#sha256.update(chunk);
    if (this.#offloaded) return this.#offloaded.update(chunk, (error) => (error ? done(error) : done(null, chunk)));
    this.#sm3!.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (!this.#offloaded) return done();
    this.#offloaded.digest().then(
      (digest) => {
        this.#sm3Digest = digest;
        done();
      },
      (error: Error) => done(error),
    );
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    if (error && this.#offloaded) this.#offloaded.forget();
    done(error);
  }

  /** Valid once the stream has ended. */
  result(): Fixity {
    return { size: this.#bytes, sha256: this.#sha256.copy().digest('hex'), sm3: this.#sm3Digest ?? this.#sm3!.copy().digest('hex') };
  }
}

export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export function base64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}
