/** Something is wrong with one object in the store; the message names it. */
export class ObjectStoreError extends Error {
  readonly bucket: string;
  readonly key: string;
  /** Whether writing again may help. */
  readonly retryable: boolean;
  constructor(bucket: string, key: string, message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.bucket = bucket;
    this.key = key;
    this.retryable = retryable;
  }
}

/** An archive object exists with other content than the one being deposited: never overwritten. */
export class WriteOnceViolationError extends ObjectStoreError {
  override readonly name = 'WriteOnceViolationError';
  constructor(bucket: string, key: string, detail: string) {
    super(bucket, key, `refusing to overwrite s3://${bucket}/${key}: ${detail}`, false);
  }
}

/** What the store holds after writing does not match what was sent; writing again may help. */
export class DepositVerificationError extends ObjectStoreError {
  override readonly name = 'DepositVerificationError';
  constructor(bucket: string, key: string, detail: string) {
    super(bucket, key, `s3://${bucket}/${key} failed verification after writing: ${detail}`, true);
  }
}

/** The store does not hold an archive object under the Object Lock asked for, even after setting it. */
export class ObjectLockNotAppliedError extends ObjectStoreError {
  override readonly name = 'ObjectLockNotAppliedError';
  constructor(bucket: string, key: string, detail: string) {
    super(bucket, key, `s3://${bucket}/${key} is not locked as required: ${detail}`, false);
  }
}

/**
 * The store did not encrypt an object as configured (S3_SSE): it refused the headers, or answered
 * without reporting the encryption (a store that ignores them). Writing again will not help.
 */
export class EncryptionNotAppliedError extends ObjectStoreError {
  override readonly name = 'EncryptionNotAppliedError';
  constructor(bucket: string, key: string, detail: string, options?: ErrorOptions) {
    super(bucket, key, `s3://${bucket}/${key} is not encrypted at rest as configured: ${detail}`, false, options);
  }
}

/** A byte range that starts past the object's end (HTTP 416); `size` is what the object holds. */
export class RangeNotSatisfiableError extends ObjectStoreError {
  override readonly name = 'RangeNotSatisfiableError';
  readonly size: number;
  constructor(bucket: string, key: string, range: string, size: number) {
    super(bucket, key, `s3://${bucket}/${key} holds ${size} bytes, so ${range} asks for none of them`, false);
    this.size = size;
  }
}
