import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

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

/**
 * A pass-through stream that counts what flows through it and computes SHA-256 and SM3 in the
 * same pass, so a file is digested while it is copied and never held in memory. Fails the stream
 * once `maxBytes` is passed.
 */
export class DigestingStream extends Transform {
  readonly #sha256 = createHash('sha256');
  readonly #sm3 = createHash('sm3');
  #bytes = 0;
  readonly #maxBytes: number;

  constructor(options: { maxBytes?: number } = {}) {
    super();
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) {
      done(new SizeLimitExceededError(this.#maxBytes));
      return;
    }
    this.#sha256.update(chunk);
    this.#sm3.update(chunk);
    done(null, chunk);
  }

  /** Valid once the stream has ended. */
  result(): Fixity {
    return { size: this.#bytes, sha256: this.#sha256.copy().digest('hex'), sm3: this.#sm3.copy().digest('hex') };
  }
}

export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export function base64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}
