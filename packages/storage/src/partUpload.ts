import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CreateMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';

/** What the object is created with, as PutObject and CreateMultipartUpload both take it. */
export type ObjectParams = Pick<
  CreateMultipartUploadCommandInput,
  'Bucket' | 'Key' | 'ContentType' | 'Metadata' | 'ObjectLockMode' | 'ObjectLockRetainUntilDate' | 'ObjectLockLegalHoldStatus'
>;

/**
 * Uploads a stream of unknown length: in one PutObject if it fits in one part, else in parts of
 * `partBytes`, two in flight while a third fills. The three part buffers are allocated once and
 * reused for every part, so memory stays at three parts whatever the size and nothing is allocated
 * per part (no garbage to collect for a large file). `ifNoneMatch` asks the store to refuse the write
 * when the key exists (on PutObject, or on CompleteMultipartUpload). A failed multipart upload is
 * aborted, its parts not left behind.
 */
export async function uploadStream(s3: S3Client, params: ObjectParams & { body: Readable; partBytes: number; ifNoneMatch?: boolean }): Promise<{ versionId?: string }> {
  const { body, partBytes, ifNoneMatch, ...object } = params;
  const free: Buffer[] = [];
  const allocated: Buffer[] = [];
  const take = () => free.pop() ?? (allocated.push(Buffer.allocUnsafe(partBytes)), allocated.at(-1)!);
  let current = take();
  let filled = 0;
  let uploadId: string | undefined;
  const parts: { PartNumber: number; ETag: string }[] = [];
  let partNumber = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const sendPart = async (buffer: Buffer, length: number) => {
    uploadId ??= (await s3.send(new CreateMultipartUploadCommand(object))).UploadId!;
    const number = ++partNumber;
    const sending = (async () => {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: object.Bucket, Key: object.Key, UploadId: uploadId, PartNumber: number, Body: buffer.subarray(0, length), ContentLength: length }));
      parts.push({ PartNumber: number, ETag: ETag! });
      free.push(buffer);
    })().catch((error: unknown) => {
      failure ??= error;
    });
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    // Two parts on their way: wait for one before filling the next.
    while (inFlight.size >= 2) await Promise.race(inFlight);
    if (failure) throw failure;
  };

  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, partBytes - filled);
        chunk.copy(current, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === partBytes) {
          await sendPart(current, filled);
          current = take();
          filled = 0;
        }
      }
    }
    if (uploadId === undefined) {
      const put = await s3.send(
        new PutObjectCommand({ ...object, Body: current.subarray(0, filled), ContentLength: filled, ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}) }),
      );
      return put.VersionId ? { versionId: put.VersionId } : {};
    }
    if (filled > 0) await sendPart(current, filled);
    await Promise.all(inFlight);
    if (failure) throw failure;
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: object.Bucket,
        Key: object.Key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.sort((a, b) => a.PartNumber - b.PartNumber) },
        ...(ifNoneMatch ? { IfNoneMatch: '*' } : {}),
      }),
    );
    return done.VersionId ? { versionId: done.VersionId } : {};
  } catch (error) {
    // Nobody reads the rest: the stream stops, and whoever feeds it hears why.
    if (!body.destroyed) body.destroy(error as Error);
    await Promise.allSettled(inFlight);
    if (uploadId !== undefined) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: object.Bucket, Key: object.Key, UploadId: uploadId })).catch((abortError: unknown) => {
        throw new AggregateError([error, abortError], `upload of ${object.Key} failed, and so did aborting it (its parts stay until the stale-upload cleanup)`);
      });
    }
    throw error;
  }
}
