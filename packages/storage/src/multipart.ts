import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';

export interface AbortedUpload {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: Date;
}

/**
 * Aborts the multipart uploads in `bucket` initiated more than `olderThanMs` ago. A worker killed
 * mid-upload leaves its parts in the store, invisible to listings of objects and kept (and billed)
 * until someone aborts the upload. Choose an age longer than any upload may take: an upload still
 * running when aborted fails, and its stage is retried. Run when a worker starts.
 */
export async function abortStaleMultipartUploads(
  s3: S3Client,
  bucket: string,
  options: { olderThanMs: number; now?: Date; prefix?: string; pageSize?: number },
): Promise<AbortedUpload[]> {
  const cutoff = (options.now ?? new Date()).getTime() - options.olderThanMs;
  const aborted: AbortedUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        ...(options.prefix ? { Prefix: options.prefix } : {}),
        ...(options.pageSize ? { MaxUploads: options.pageSize } : {}),
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
      }),
    );
    for (const upload of page.Uploads ?? []) {
      // Without a start time there is no telling how old it is: left alone.
      if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated.getTime() > cutoff) continue;
      try {
        await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }));
      } catch (error) {
        // Completed or aborted by someone else since the listing: nothing left to clean.
        if ((error as { name?: string }).name === 'NoSuchUpload') continue;
        throw error;
      }
      aborted.push({ bucket, key: upload.Key, uploadId: upload.UploadId, initiated: upload.Initiated });
    }
    if (!page.IsTruncated) return aborted;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
    // A store that says "truncated" but gives no marker would loop for ever.
    if (!keyMarker && !uploadIdMarker) return aborted;
  }
}
