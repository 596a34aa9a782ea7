import type { Catalog } from '@oa-archive/catalog';
import { ingestIdOf, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { uniqueName, waitFor } from '@oa-archive/testing';
import type { WorkerProcess } from '../src/index.ts';

/** What intake does with an event: record the ingest and queue its first stage. Returns the ingest id. */
export async function enqueueIngest(catalog: Catalog, worker: WorkerProcess, event: DocumentFinalizedEvent): Promise<string> {
  const ingestId = ingestIdOf({ source: event.source, documentId: event.data.documentId, version: event.data.version });
  await catalog.recordIngest(ingestId, event);
  await worker.deps.queues.enqueue('fetch', { ingestId, eventId: event.id });
  return ingestId;
}

/** Waits until the ingest has its outcome (REVIEW included) and notify has run, so its receipt is out. */
export function settledIngest(catalog: Catalog, ingestId: string, timeoutMs: number) {
  return waitFor(
    async () => {
      const ingest = await catalog.getIngest(ingestId);
      const runs = await catalog.stageRuns(ingestId);
      return ingest && ['FILED', 'FAILED', 'QUARANTINED', 'EXCLUDED', 'REVIEW'].includes(ingest.status) && runs.some((r) => r.stage === 'notify') ? ingest : undefined;
    },
    { what: `ingest ${ingestId} to settle`, timeoutMs },
  );
}

/**
 * The settings a worker test starts from: its own catalog, queue prefix, receipts topic and buckets, one
 * OA source (`oa-test`) at the given origins, three quick attempts per stage, no ops port. `overrides` adds or replaces settings (a bucket the test reads, a schedule, a callback).
 */
export function workerTestEnv(databaseUrl: string, source: { origins: string[]; token: string; callback?: { url: string; secret: string } }, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: uniqueName('test'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('test-receipts'),
    S3_ARCHIVE_BUCKET: uniqueName('test-archive'),
    S3_STAGING_BUCKET: uniqueName('test-staging'),
    S3_QUARANTINE_BUCKET: uniqueName('test-quarantine'),
    OA_SOURCES: JSON.stringify({ 'oa-test': { allowedOrigins: source.origins.map((o) => new URL(o).origin), token: source.token, ...(source.callback ? { callback: source.callback } : {}) } }),
    STAGE_ATTEMPTS: '3',
    STAGE_BACKOFF_MS: '50',
    WORKER_OPS_PORT: '-1',
    ...overrides,
  };
}
