import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encryptionOf, encryptionProblem } from './encryption.ts';
import { rangeParameter, type ByteRange } from './byteRange.ts';
import { DepositVerificationError, EncryptionNotAppliedError, RangeNotSatisfiableError, WriteOnceViolationError } from './errors.ts';
import { DigestingStream, base64ToHex, hexToBase64, type Fixity } from './hashing.ts';
import { isNotFound, isPreconditionFailed, isRangeNotSatisfiable } from './client.ts';
import { ensureObjectLock, type ObjectLock } from './objectLock.ts';
import { uploadStream } from './partUpload.ts';

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
/** Two parts go up at once while the next fills: about three parts of memory per upload. */
const PART_SIZE = 8 * 1024 * 1024;

export interface ObjectStoreOptions {
  /** Bodies above this go up in parts. */
  multipartThreshold?: number;
  /**
   * Whether the store refuses a conditional PUT (`If-None-Match: *`) on a key that exists. `enforced`
   * (AWS S3, S3Proxy, Ceph RGW on an unversioned bucket): a deposit writes at once and looks at what is
   * there only when refused, one request fewer per object. `ignored` (the default, safe with any store):
   * it looks first. A deposit with Object Lock always looks first: its bucket is versioned, and RGW 16.2
   * ignores the condition on versioned buckets.
   */
  conditionalPut?: 'enforced' | 'ignored';
}

export class ObjectStore {
  readonly s3: S3Client;
  readonly #multipartThreshold: number;
  readonly #conditionalPut: 'enforced' | 'ignored';

  constructor(s3: S3Client, options: ObjectStoreOptions = {}) {
    this.s3 = s3;
    this.#multipartThreshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
    this.#conditionalPut = options.conditionalPut ?? 'ignored';
  }

  /**
   * Streams a body of unknown length into the store while hashing it. Used for staging: the stream is
   * consumed once, the digest comes from our own pass over the bytes.
   */
  async putStream(args: { bucket: string; key: string; body: Readable; contentType?: string; maxBytes?: number; metadata?: Record<string, string>; sizeHint?: number }): Promise<StoredObject> {
    // The size, where known beforehand, lets a large body's SM3 run beside the upload (DigestingStream).
    const digest = new DigestingStream({ ...(args.maxBytes === undefined ? {} : { maxBytes: args.maxBytes }), ...(args.sizeHint === undefined ? {} : { sizeHint: args.sizeHint }) });
    await Promise.all([
      pipeline(args.body, digest),
      uploadStream(this.s3, { Bucket: args.bucket, Key: args.key, ContentType: args.contentType ?? 'application/octet-stream', ...(args.metadata ? { Metadata: args.metadata } : {}), body: digest, partBytes: PART_SIZE }),
    ]);
    return { bucket: args.bucket, key: args.key, ...digest.result() };
  }

  /**
   * Writes a small body whose SHA-256 is known (a tag file) in one PUT, with the digest for a store
   * that checks it. Staging only: it overwrites; archive objects go through `depositOnce`.
   */
  async putBuffer(args: { bucket: string; key: string; content: Buffer; sha256: string; contentType?: string }): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: args.bucket,
        Key: args.key,
        Body: args.content,
        ContentLength: args.content.length,
        ContentType: args.contentType ?? 'application/octet-stream',
        ChecksumSHA256: hexToBase64(args.sha256),
      }),
    );
  }

  async getStream(bucket: string, key: string): Promise<Readable> {
    return (await this.open(bucket, key)).body;
  }

  /**
   * An object's bytes, or one range of them, with what an HTTP response needs: the length sent and,
   * for a range, which bytes of how many (`bytes 0-1023/52428800`).
   * @throws RangeNotSatisfiableError when the range starts past the object's end.
   */
  async open(bucket: string, key: string, range?: ByteRange): Promise<{ body: Readable; contentLength: number; contentRange?: string }> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: rangeParameter(range) } : {}) }));
      return { body: response.Body as Readable, contentLength: response.ContentLength ?? 0, ...(range && response.ContentRange ? { contentRange: response.ContentRange } : {}) };
    } catch (error) {
      if (!range || !isRangeNotSatisfiable(error)) throw error;
      throw new RangeNotSatisfiableError(bucket, key, rangeParameter(range), (await this.head(bucket, key))?.size ?? 0);
    }
  }

  /** Hashes an object by reading it back from the store. */
  async digestOf(bucket: string, key: string): Promise<Fixity> {
    const digest = new DigestingStream();
    // Only the digest matters: the bytes go nowhere.
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    await pipeline(await this.getStream(bucket, key), digest, discard);
    return digest.result();
  }

  /** SHA-256 alone of an object read back: what verifying a write needs (SM3 costs several times more). */
  async #sha256Of(bucket: string, key: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(
      await this.getStream(bucket, key),
      new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          hash.update(chunk);
          done();
        },
      }),
    );
    return hash.digest('hex');
  }

  async head(bucket: string, key: string): Promise<{ size: number; sha256?: string; versionId?: string; serverSideEncryption?: string; kmsKeyId?: string } | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      const full = head.ChecksumSHA256 && head.ChecksumType !== 'COMPOSITE' && !head.ChecksumSHA256.includes('-');
      return {
        size: head.ContentLength ?? 0,
        ...(full ? { sha256: base64ToHex(head.ChecksumSHA256!) } : {}),
        ...(head.VersionId && head.VersionId !== 'null' ? { versionId: head.VersionId } : {}),
        ...(head.ServerSideEncryption ? { serverSideEncryption: head.ServerSideEncryption } : {}),
        ...(head.SSEKMSKeyId ? { kmsKeyId: head.SSEKMSKeyId } : {}),
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
   * Conditional PUT (If-None-Match) guards the race where the store honours it; an existence check
   * first guards stores that ignore it (see `conditionalPut`; Ceph RGW 16.2 on versioned buckets, so on
   * every Object Lock bucket). Every write is verified after the fact: a single PUT carries the
   * SHA-256, and a store that checked it answers with it (S3, S3Proxy: a wrong one is refused); where
   * the answer lacks it the object is looked at, and read back if the store keeps no full-object
   * SHA-256. Its Object Lock is verified too, and set afterwards where the store dropped it (see
   * `ensureObjectLock`).
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
    if (args.lock || this.#conditionalPut === 'ignored') {
      const existing = await this.head(args.bucket, args.key);
      if (existing) return this.#accept(args, existing, 'already-present');
    }

    let written: { size: number; sha256?: string; versionId?: string } | undefined;
    try {
      if (args.size <= this.#multipartThreshold) {
        const put = await this.s3.send(
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
        // The store verified our digest before answering with it: nothing more to ask.
        if (put.ChecksumSHA256 && base64ToHex(put.ChecksumSHA256) === args.sha256) {
          written = { size: args.size, sha256: args.sha256, ...(put.VersionId && put.VersionId !== 'null' ? { versionId: put.VersionId } : {}) };
        }
      } else {
        // A full-object SHA-256 cannot ride on a multipart upload (part checksums are composite):
        // our own digest is recorded in metadata and checked by reading back.
        const uploaded = await uploadStream(this.s3, {
          Bucket: args.bucket,
          Key: args.key,
          ContentType: args.contentType ?? 'application/octet-stream',
          Metadata: { ...args.metadata, sha256: args.sha256 },
          ...lock,
          body: await args.open(),
          partBytes: PART_SIZE,
          ifNoneMatch: true,
        });
        if (uploaded.versionId && uploaded.versionId !== 'null') written = { size: args.size, versionId: uploaded.versionId };
      }
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      const raced = await this.head(args.bucket, args.key);
      if (!raced) throw error;
      return this.#accept(args, raced, 'already-present');
    }
    written ??= await this.head(args.bucket, args.key);
    if (!written) throw new DepositVerificationError(args.bucket, args.key, 'object not found after writing');
    return this.#accept(args, written, 'written', DepositVerificationError);
  }

  /** Confirms that the stored bytes are the expected ones, then that they are locked as asked. */
  async #accept(
    args: { bucket: string; key: string; size: number; sha256: string; lock?: ObjectLock },
    found: { size: number; sha256?: string; versionId?: string; serverSideEncryption?: string; kmsKeyId?: string },
    outcome: DepositResult['outcome'],
    ErrorClass: typeof WriteOnceViolationError | typeof DepositVerificationError = WriteOnceViolationError,
  ): Promise<DepositResult> {
    const confirmed = await this.#confirmSame(args, found, ErrorClass);
    // A write is checked as the store answers it (enforceEncryption); an object found already there is
    // checked here, so a retry never accepts what an earlier write left unencrypted.
    if (outcome === 'already-present') {
      const problem = encryptionProblem(encryptionOf(this.s3), { ...(found.serverSideEncryption ? { ServerSideEncryption: found.serverSideEncryption } : {}), ...(found.kmsKeyId ? { SSEKMSKeyId: found.kmsKeyId } : {}) });
      if (problem) throw new EncryptionNotAppliedError(args.bucket, args.key, `already there, but ${problem}`);
    }
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
      actual = await this.#sha256Of(bucket, key);
      verifiedBy = 'read-back';
    }
    if (actual !== expected.sha256) {
      throw new ErrorClass(bucket, key, `stored SHA-256 ${actual} differs from expected ${expected.sha256}`);
    }
    return { bucket, key, size: expected.size, sha256: expected.sha256, verifiedBy };
  }
}
