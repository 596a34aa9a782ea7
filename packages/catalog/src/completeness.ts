import type { IngestStatus } from '@oa-archive/contracts';
import type { Queryable } from './db.ts';

/**
 * What the archive holds of a source's documents, for the completeness check (应归尽归): per listed
 * (document, version) its ingest and gateway submission if any, and the source's ingests of a period.
 */

export interface ReceivedDocument {
  documentId: string;
  version: number;
  /** The ingest's status; null when intake has not recorded it (yet). */
  status: IngestStatus | null;
  ingestId: string | null;
  /** When the gateway accepted it (push, middle table, package); null for an event the OA published itself. */
  acceptedAt: Date | null;
  channel: string | null;
  receivedAt: Date | null;
  completedAt: Date | null;
}

/** The archive's record of each (document, version) asked about; those it knows nothing of are left out. */
export async function receivedDocuments(db: Queryable, source: string, keys: { documentId: string; version: number }[]): Promise<ReceivedDocument[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query(
    `SELECT k.document_id, k.version, i.status, coalesce(i.ingest_id, s.ingest_id) AS ingest_id, s.accepted_at, s.channel, i.received_at, i.completed_at
       FROM unnest($2::text[], $3::int[]) AS k (document_id, version)
       LEFT JOIN ingests i ON i.source = $1 AND i.document_id = k.document_id AND i.version = k.version
       LEFT JOIN gateway_submissions s ON s.source = $1 AND s.document_id = k.document_id AND s.version = k.version
      WHERE i.ingest_id IS NOT NULL OR s.ingest_id IS NOT NULL`,
    [source, keys.map((k) => k.documentId), keys.map((k) => k.version)],
  );
  return rows.map((r) => ({
    documentId: r.document_id as string,
    version: r.version as number,
    status: (r.status as IngestStatus | null) ?? null,
    ingestId: (r.ingest_id as string | null) ?? null,
    acceptedAt: (r.accepted_at as Date | null) ?? null,
    channel: (r.channel as string | null) ?? null,
    receivedAt: (r.received_at as Date | null) ?? null,
    completedAt: (r.completed_at as Date | null) ?? null,
  }));
}

/** The source's ingests whose document was finalized in [since, until): to find what the OA did not list. */
export async function ingestsFinalizedIn(db: Queryable, source: string, window: { since: Date; until: Date }): Promise<{ documentId: string; version: number; status: IngestStatus; ingestId: string; finalizedAt: Date }[]> {
  const { rows } = await db.query(
    `SELECT document_id, version, status, ingest_id, finalized_at FROM ingests
      WHERE source = $1 AND finalized_at >= $2 AND finalized_at < $3 ORDER BY finalized_at, document_id, version`,
    [source, window.since, window.until],
  );
  return rows.map((r) => ({ documentId: r.document_id as string, version: r.version as number, status: r.status as IngestStatus, ingestId: r.ingest_id as string, finalizedAt: r.finalized_at as Date }));
}
