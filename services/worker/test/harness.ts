import type { Catalog } from '@oa-archive/catalog';
import { ingestIdOf, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { waitFor } from '@oa-archive/testing';
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
