import type { IngestStatus } from '@oa-archive/contracts';
import type { Queryable } from './db.ts';

/**
 * The facts the filing deadline (归档时间节点) is judged on, per ingest: when the OA finalized it, its
 * department and category, whether and when it was filed. The judging is pure (packages/classify,
 * filing.ts); this only reads.
 */

export interface FilingFact {
  ingestId: string;
  source: string;
  documentId: string;
  version: number;
  title: string;
  departmentCode: string;
  /** The category the classification gave; null before classification. */
  category: string | null;
  finalizedAt: Date;
  status: IngestStatus;
  /** When the outcome was reached (for FILED: when it was filed). */
  completedAt: Date | null;
}

/** Statuses of an ingest that still owes its filing: not filed, and not settled otherwise (excluded, quarantined). */
export const OPEN_FILING_STATUSES: readonly IngestStatus[] = ['RECEIVED', 'IN_PROGRESS', 'REVIEW', 'FAILED'];

/**
 * Ingests finalized in [from, to) (either end open), or, with `open`, every ingest still owing its
 * filing whatever its date (what can be overdue now). At most `limit`, oldest finalization first.
 */
export async function filingFacts(db: Queryable, options: { from?: Date; to?: Date; open?: boolean; limit?: number } = {}): Promise<FilingFact[]> {
  const { rows } = await db.query(
    `SELECT i.ingest_id, i.source, i.document_id, i.version, i.title, i.department_code, c.category, i.finalized_at, i.status, i.completed_at
       FROM ingests i LEFT JOIN classifications c ON c.ingest_id = i.ingest_id
      WHERE ($1::timestamptz IS NULL OR i.finalized_at >= $1) AND ($2::timestamptz IS NULL OR i.finalized_at < $2)
        AND (NOT $3 OR i.status = ANY($4::text[]))
      ORDER BY i.finalized_at, i.ingest_id LIMIT $5`,
    [options.from ?? null, options.to ?? null, options.open ?? false, OPEN_FILING_STATUSES, options.limit ?? 100_000],
  );
  return rows.map((r) => ({
    ingestId: r.ingest_id as string,
    source: r.source as string,
    documentId: r.document_id as string,
    version: r.version as number,
    title: r.title as string,
    departmentCode: r.department_code as string,
    category: (r.category as string | null) ?? null,
    finalizedAt: r.finalized_at as Date,
    status: r.status as IngestStatus,
    completedAt: (r.completed_at as Date | null) ?? null,
  }));
}
