import { createHash } from 'node:crypto';

/** What makes two events the same ingest: the OA system, its document id and the document version. */
export interface IngestKey {
  source: string;
  documentId: string;
  version: number;
}

/**
 * A stable id for an ingest, derived from its key alone so that a redelivered or replayed event maps
 * to the same catalog row and the same BullMQ job ids. Hex only: BullMQ job ids must not contain ':'.
 */
export function ingestIdOf(key: IngestKey): string {
  const canonical = JSON.stringify([key.source, key.documentId, key.version]);
  return 'ing_' + createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 32);
}

export function ingestKeyOf(event: { source: string; data: { documentId: string; version: number } }): IngestKey {
  return { source: event.source, documentId: event.data.documentId, version: event.data.version };
}
