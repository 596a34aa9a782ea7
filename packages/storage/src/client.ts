import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { enforceEncryption, type ServerSideEncryption } from './encryption.ts';

export interface S3Settings {
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** See the S3_SDK_CHECKSUMS setting: `when_required` for stores without aws-chunked trailer support. */
  sdkChecksums: 'when_required' | 'when_supported';
  /**
   * Whether the SDK checks a GET against the checksum the store recorded (default: as sdkChecksums).
   * Fixity audits turn it off (`when_required`): they digest every byte themselves, and a mismatch
   * must become a finding with both digests, not a stream that fails half-way.
   */
  responseChecksums?: 'when_required' | 'when_supported';
  /** Encryption at rest asked on every write and checked in every answer (S3_SSE); none when absent. */
  serverSideEncryption?: ServerSideEncryption;
}

/** Commands whose body the SigV4 signer would otherwise hash, once more, when it is a buffer. */
const UPLOADS = new Set(['PutObjectCommand', 'UploadPartCommand']);

export function createS3Client(settings: S3Settings): S3Client {
  const s3 = new S3Client({
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestChecksumCalculation: settings.sdkChecksums === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    responseChecksumValidation: (settings.responseChecksums ?? settings.sdkChecksums) === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
  });
  // Uploads are signed without hashing their body (UNSIGNED-PAYLOAD, as the SDK already does for
  // streams): every part of a multipart upload would cost another SHA-256 pass over its bytes, for
  // nothing our integrity rests on — archive writes carry x-amz-checksum-sha256, which the store
  // verifies (or are read back), and every staged byte is hashed again by whoever reads it.
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (UPLOADS.has(context.commandName ?? '') && request.headers) request.headers['x-amz-content-sha256'] ??= 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'oaArchiveUnsignedPayload' },
  );
  if (settings.serverSideEncryption) enforceEncryption(s3, settings.serverSideEncryption);
  return s3;
}

/** Creates the buckets that do not exist yet (local runs; production buckets are provisioned). */
export async function ensureBuckets(s3: S3Client, buckets: string[]): Promise<void> {
  for (const bucket of buckets) {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (createError) {
        // Two processes starting at once both find it missing; the one that loses the race is done too.
        if ((createError as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw createError;
      }
    }
  }
}

export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.name === 'NoSuchBucket' || e?.$metadata?.httpStatusCode === 404;
}

/** The store's answer to a byte range that starts past the object's end (HTTP 416, S3's InvalidRange). */
export function isRangeNotSatisfiable(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416;
}

export function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'PreconditionFailed' || e?.$metadata?.httpStatusCode === 412;
}
