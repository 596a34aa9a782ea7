import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DepositVerificationError, WriteOnceViolationError } from './errors.ts';
import { DigestingStream, base64ToHex, hexToBase64, type Fixity } from './hashing.ts';
import { isNotFound, isPreconditionFailed } from './client.ts';
import { ensureObjectLock, type ObjectLock } from './objectLock.ts';

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  sha256: string;
  /** Present where the bytes passed through us (staging); a deposit verifies by SHA-256. */
  sm3?: string;
}

export interface DepositResult extends StoredObject {
  /** `already-present`: an earlier run wrote the same bytes (a retried or replayed ingest). */
  outcome: 'written' | 'already-present';
  verifiedBy: 'store-checksum' | 'read-back';
}

/** Above this, bodies go up in parts so memory stays flat whatever the file size. */
const DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024;
const PART_SIZE = 16 * 1024 * 1024;

export class ObjectStore {
  readonly s3: S3Client;
  readonly #multipartThreshold: number;

  constructor(s3: S3Client, options: { multipartThreshold?: number } = {}) {
    this.s3 = s3;
    this.#multipartThreshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  }

  /**
   * Streams a body of unknown length into the store while hashing it. Used for staging: the stream is
   * consumed once, the digest comes from our own pass over the bytes.
   */
  async putStream(args: { bucket: string; key: string; body: Readable; contentType?: string; maxBytes?: number; metadata?: Record<string, string> }): Promise<StoredObject> {
    const digest = new DigestingStream(args.maxBytes === undefined ? {} : { maxBytes: args.maxBytes });
    const upload = new Upload({
      client: this.s3,
      params: {
        Bucket: args.bucket,
        Key: args.key,
        Body: digest,
        ContentType: args.contentType ?? 'application/octet-stream',
        Metadata: args.metadata,
      },
      partSize: PART_SIZE,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await Promise.all([pipeline(args.body, digest), upload.done()]);
    return { bucket: args.bucket, key: args.key, ...digest.result() };
  }

  async getStream(bucket: string, key: string): Promise<Readable> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return response.Body as Readable;
  }

  /** Hashes an object by reading it back from the store. */
  async digestOf(bucket: string, key: string): Promise<Fixity> {
    const digest = new DigestingStream();
    // Only the digest matters: the bytes go nowhere.
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    await pipeline(await this.getStream(bucket, key), digest, discard);
    return digest.result();
  }

  async head(bucket: string, key: string): Promise<{ size: number; sha256?: string; versionId?: string } | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      const full = head.ChecksumSHA256 && head.ChecksumType !== 'COMPOSITE' && !head.ChecksumSHA256.includes('-');
      return {
        size: head.ContentLength ?? 0,
        ...(full ? { sha256: base64ToHex(head.ChecksumSHA256!) } : {}),
        ...(head.VersionId && head.VersionId !== 'null' ? { versionId: head.VersionId } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Writes an archive object once. The expected size and SHA-256 are known beforehand (computed when
   * the bytes were staged); `open` gives a fresh stream of them. An object already there with the same
   * digest is accepted as ours; with another digest it is a write-once violation, never overwritten.
   * Conditional PUT (If-None-Match) guards the race where the store honours it; the existence check
   * guards stores that ignore it (Ceph RGW 16.2 does on versioned buckets, so on every Object Lock
   * bucket). Every write is verified after the fact, and so is its Object Lock, which is set afterwards
   * where the store dropped it (see `ensureObjectLock`).
   */
  async depositOnce(args: {
    bucket: string;
    key: string;
    size: number;
    sha256: string;
    contentType?: string;
    metadata?: Record<string, string>;
    lock?: ObjectLock;
    open: () => Promise<Readable>;
  }): Promise<DepositResult> {
    const lock = args.lock
      ? {
          ...(args.lock.retainUntil ? { ObjectLockMode: args.lock.mode, ObjectLockRetainUntilDate: args.lock.retainUntil } : {}),
          ...(args.lock.legalHold ? { ObjectLockLegalHoldStatus: 'ON' as const } : {}),
        }
      : {};
    const existing = await this.head(args.bucket, args.key);
    if (existing) return this.#accept(args, existing, 'already-present');

    try {
      if (args.size <= this.#multipartThreshold) {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: args.bucket,
            Key: args.key,
            Body: await args.open(),
            ContentLength: args.size,
            ContentType: args.contentType ?? 'application/octet-stream',
            ChecksumSHA256: hexToBase64(args.sha256),
            Metadata: { ...args.metadata, sha256: args.sha256 },
            IfNoneMatch: '*',
            ...lock,
          }),
        );
      } else {
        // A full-object SHA-256 cannot ride on a multipart upload (part checksums are composite):
        // our own digest is recorded in metadata and checked by reading back.
        await new Upload({
          client: this.s3,
          params: {
            Bucket: args.bucket,
            Key: args.key,
            Body: await args.open(),
            ContentType: args.contentType ?? 'application/octet-stream',
            Metadata: { ...args.metadata, sha256: args.sha256 },
            IfNoneMatch: '*',
            ...lock,
          },
          partSize: PART_SIZE,
          queueSize: 2,
          leavePartsOnError: false,
        }).done();
      }
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      const raced = await this.head(args.bucket, args.key);
      if (!raced) throw error;
      return this.#accept(args, raced, 'already-present');
    }
    const written = await this.head(args.bucket, args.key);
    if (!written) throw new DepositVerificationError(args.bucket, args.key, 'object not found after writing');
    return this.#accept(args, written, 'written', DepositVerificationError);
  }

  /** Confirms that the stored bytes are the expected ones, then that they are locked as asked. */
  async #accept(
    args: { bucket: string; key: string; size: number; sha256: string; lock?: ObjectLock },
    found: { size: number; sha256?: string; versionId?: string },
    outcome: DepositResult['outcome'],
    ErrorClass: typeof WriteOnceViolationError | typeof DepositVerificationError = WriteOnceViolationError,
  ): Promise<DepositResult> {
    const confirmed = await this.#confirmSame(args, found, ErrorClass);
    if (args.lock) await ensureObjectLock(this.s3, args.bucket, args.key, args.lock, found.versionId);
    return { ...confirmed, outcome };
  }

  async #confirmSame(
    expected: { bucket: string; key: string; size: number; sha256: string },
    found: { size: number; sha256?: string },
    ErrorClass: typeof WriteOnceViolationError | typeof DepositVerificationError = WriteOnceViolationError,
  ): Promise<StoredObject & { verifiedBy: DepositResult['verifiedBy'] }> {
    const { bucket, key } = expected;
    if (found.size !== expected.size) {
      throw new ErrorClass(bucket, key, `stored size ${found.size} differs from expected ${expected.size}`);
    }
    let actual = found.sha256;
    let verifiedBy: DepositResult['verifiedBy'] = 'store-checksum';
    if (!actual) {
      actual = (await this.digestOf(bucket, key)).sha256;
      verifiedBy = 'read-back';
    }
    if (actual !== expected.sha256) {
      throw new ErrorClass(bucket, key, `stored SHA-256 ${actual} differs from expected ${expected.sha256}`);
    }
    return { bucket, key, size: expected.size, sha256: expected.sha256, verifiedBy };
  }
}
