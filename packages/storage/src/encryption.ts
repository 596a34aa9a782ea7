import type { S3Client } from '@aws-sdk/client-s3';
import { EncryptionNotAppliedError } from './errors.ts';

/**
 * Server-side encryption asked of the store on every write. `AES256` is SSE-S3 (keys held by the
 * store), `aws:kms` is SSE-KMS with `kmsKeyId` (or the store's default key when absent).
 */
export type ServerSideEncryption = { mode: 'none' } | { mode: 'AES256' } | { mode: 'aws:kms'; kmsKeyId?: string };

/** Commands that create an object: each carries the encryption headers. */
const CREATES = new Set(['PutObjectCommand', 'CreateMultipartUploadCommand', 'CopyObjectCommand']);
/** Commands whose answer says how the object was stored; CompleteMultipartUpload finishes a create. */
const REPORTS = new Set([...CREATES, 'CompleteMultipartUploadCommand']);
/** How S3Proxy (NotImplemented) and RGW without crypt settings (InvalidRequest) refuse the headers. */
const REFUSALS = new Set(['NotImplemented', 'InvalidRequest', 'InvalidArgument']);

/** The encryption each client was set up with, for checks of objects found already there. */
const configured = new WeakMap<S3Client, ServerSideEncryption>();

/** The encryption `s3` asks for on every write (`none` unless set up by enforceEncryption). */
export function encryptionOf(s3: S3Client): ServerSideEncryption {
  return configured.get(s3) ?? { mode: 'none' };
}

/** The parameters a create command takes for `sse`. */
export function encryptionParams(sse: ServerSideEncryption): { ServerSideEncryption?: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string } {
  if (sse.mode === 'none') return {};
  if (sse.mode === 'aws:kms') return { ServerSideEncryption: 'aws:kms', ...(sse.kmsKeyId ? { SSEKMSKeyId: sse.kmsKeyId } : {}) };
  return { ServerSideEncryption: 'AES256' };
}

/**
 * What is wrong with the store's answer to a write that asked for `sse`, or undefined when it reports
 * the encryption asked for. A store that ignores the header answers without it: that is a problem too,
 * never taken as encrypted.
 */
export function encryptionProblem(sse: ServerSideEncryption, reported: { ServerSideEncryption?: string; SSEKMSKeyId?: string }): string | undefined {
  if (sse.mode === 'none') return undefined;
  if (!reported.ServerSideEncryption) return `the store did not report server-side encryption (asked for ${sse.mode}); it may ignore the header`;
  if (reported.ServerSideEncryption !== sse.mode) return `the store reports server-side encryption ${reported.ServerSideEncryption}, not ${sse.mode} as asked`;
  if (sse.mode === 'aws:kms' && sse.kmsKeyId && reported.SSEKMSKeyId && !reported.SSEKMSKeyId.endsWith(sse.kmsKeyId)) {
    return `the store encrypted with KMS key ${reported.SSEKMSKeyId}, not ${sse.kmsKeyId}`;
  }
  return undefined;
}

/**
 * Makes every object-creating command of `s3` ask for `sse`, and fails it with
 * EncryptionNotAppliedError when the store refuses the headers or answers without reporting the
 * encryption. Done on the client so no write path (deposit, staging, copies in the gateway, the
 * replica) can leave it out.
 */
export function enforceEncryption(s3: S3Client, sse: ServerSideEncryption): void {
  if (sse.mode === 'none') return;
  configured.set(s3, sse);
  const params = encryptionParams(sse);
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (!REPORTS.has(command)) return next(args);
      const input = args.input as { Bucket?: string; Key?: string } & Record<string, unknown>;
      if (CREATES.has(command)) Object.assign(input, params);
      const bucket = input.Bucket ?? '';
      const key = input.Key ?? '';
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (CREATES.has(command) && REFUSALS.has(name)) {
          throw new EncryptionNotAppliedError(bucket, key, `the store refused server-side encryption ${sse.mode} (${name}: ${(error as Error).message}); configure it on the store or set S3_SSE=none`, { cause: error });
        }
        throw error;
      }
      const problem = encryptionProblem(sse, result.output as { ServerSideEncryption?: string; SSEKMSKeyId?: string });
      if (problem) throw new EncryptionNotAppliedError(bucket, key, problem);
      return result;
    },
    { step: 'initialize', name: 'oaArchiveServerSideEncryption' },
  );
}
