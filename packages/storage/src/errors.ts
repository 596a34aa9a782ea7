/** An archive object exists with other content than the one being deposited: never overwritten. */
export class WriteOnceViolationError extends Error {
  override readonly name = 'WriteOnceViolationError';
  readonly retryable = false;
  readonly bucket: string;
  readonly key: string;
  constructor(bucket: string, key: string, detail: string) {
    super(`refusing to overwrite s3://${bucket}/${key}: ${detail}`);
    this.bucket = bucket;
    this.key = key;
  }
}

/** What the store holds after writing does not match what was sent; writing again may help. */
export class DepositVerificationError extends Error {
  override readonly name = 'DepositVerificationError';
  readonly retryable = true;
  readonly bucket: string;
  readonly key: string;
  constructor(bucket: string, key: string, detail: string) {
    super(`s3://${bucket}/${key} failed verification after writing: ${detail}`);
    this.bucket = bucket;
    this.key = key;
  }
}
