import type { ComponentRecord, IngestRecord } from '@oa-archive/catalog';
import { isNotFound, SizeLimitExceededError } from '@oa-archive/storage';
import { stagingKeyOf } from '../archiveLayout.ts';
import type { PipelineDeps } from '../context.ts';
import { ComponentTooLargeError, StagedObjectMissingError } from '../errors.ts';

/** A component now in staging, for the catalog (recorded by the fetch stage with the others). */
export interface StagedComponent {
  ordinal: number;
  stagingKey: string;
  size: number;
  sha256: string;
  sm3?: string | undefined;
}

/**
 * A component the gateway staged from a package drop: `s3://bucket/key` in the archive's own store,
 * already checked against the source's allowedS3Prefixes (fetch.ts). Streamed into the ingest's
 * staging key and hashed on the way, as an OA's HTTP file is: from here on nothing tells them apart.
 * No HTTP request is made, so no token travels and no host outside the store is contacted.
 */
export async function fetchStagedObject(args: { ingest: IngestRecord; component: ComponentRecord; url: URL; deps: PipelineDeps }): Promise<{ entry: Record<string, unknown>; staged: StagedComponent }> {
  const { ingest, component, url, deps } = args;
  const { store, settings } = deps;
  const bucket = url.hostname;
  const key = decodeURIComponent(url.pathname.slice(1));
  const limit = settings.fetch.maxBytes;
  const started = performance.now();
  const head = await store.head(bucket, key);
  if (!head) throw new StagedObjectMissingError(url.href);
  if (head.size > limit) throw new ComponentTooLargeError(component.fileName, limit);
  const stagingKey = stagingKeyOf(ingest.ingestId, component.ordinal);
  let stored;
  try {
    stored = await store.putStream({ bucket: settings.stagingBucket, key: stagingKey, body: await store.getStream(bucket, key), contentType: component.declaredMediaType ?? undefined, maxBytes: limit });
  } catch (error) {
    if (error instanceof SizeLimitExceededError) throw new ComponentTooLargeError(component.fileName, limit);
    if (isNotFound(error)) throw new StagedObjectMissingError(url.href);
    throw error;
  }
  const staged = { ordinal: component.ordinal, stagingKey, size: stored.size, sha256: stored.sha256, sm3: stored.sm3 };
  const entry = {
    ordinal: component.ordinal,
    size: stored.size,
    sha256: stored.sha256,
    sm3: stored.sm3,
    from: 'package',
    ...(component.declaredSha256 ? { declaredSha256Matches: component.declaredSha256 === stored.sha256 } : {}),
    ms: Math.round(performance.now() - started),
  };
  return { entry, staged };
}
