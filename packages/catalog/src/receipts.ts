import { ingestReceiptEvent, type IngestReceiptData, type IngestStatus, type Stage } from '@oa-archive/contracts';
import type { Queryable } from './db.ts';

/**
 * The receipt outbox: one receipt per outcome an ingest reaches, written in the transaction that
 * records the outcome, so the OA is told exactly what the catalog says. A relay publishes pending
 * receipts and marks them sent; a crash between the two sends one again with the same receipt id,
 * which consumers dedupe on.
 */

/** Stable per ingest and outcome sequence: the same receipt keeps its id however often it is sent. */
export const receiptIdOf = (ingestId: string, seq: number) => `${ingestId}-r${seq}`;

export type IngestReceipt = ReturnType<typeof ingestReceiptEvent>;

export interface PendingReceipt {
  ingestId: string;
  seq: number;
  receiptId: string;
  /** The Kafka key: the OA's document id, so one document's receipts stay in order on one partition. */
  documentId: string;
  outcome: IngestStatus;
  receipt: IngestReceipt;
  attempts: number;
  /** Another receipt of the ingest waits behind this one (claimable once this one is sent). */
  later?: boolean;
}

/** Builds the receipt for the ingest's current status from the transaction's view and queues it. */
export async function writeReceipt(tx: Queryable, ingestId: string): Promise<{ seq: number; receiptId: string }> {
  const { rows: ingests } = await tx.query(
    `SELECT ingest_id, document_id, version, status, failed_stage, failure_reason, completed_at FROM ingests WHERE ingest_id = $1`,
    [ingestId],
  );
  const ingest = ingests[0]!;
  const { rows: components } = await tx.query(
    `SELECT role, file_name, archive_bucket, archive_key, size, sha256 FROM components WHERE ingest_id = $1 AND archive_key IS NOT NULL ORDER BY ordinal`,
    [ingestId],
  );
  const { rows: decisions } = await tx.query(`SELECT outcome, rule_ids, schedule_version, explanation, reference_code FROM classifications WHERE ingest_id = $1`, [ingestId]);
  const classification = decisions[0];
  const status = ingest.status as IngestStatus;
  const { rows: last } = await tx.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM receipt_outbox WHERE ingest_id = $1', [ingestId]);
  const seq = (last[0]?.seq ?? 0) + 1;
  const receiptId = receiptIdOf(ingestId, seq);
  const data: IngestReceiptData = {
    ingestId,
    documentId: ingest.document_id,
    version: ingest.version,
    outcome: status,
    ...(ingest.failure_reason ? { reason: ingest.failure_reason } : classification && status !== 'FILED' ? { reason: classification.explanation } : {}),
    ...(status === 'FAILED' && ingest.failed_stage ? { failedStage: ingest.failed_stage as Stage } : {}),
    ...(classification?.reference_code && status === 'FILED' ? { referenceCode: classification.reference_code } : {}),
    ...(classification
      ? { classification: { outcome: classification.outcome, ruleIds: classification.rule_ids, scheduleVersion: classification.schedule_version, explanation: classification.explanation } }
      : {}),
    objects: components.map((c) => ({ role: c.role, fileName: c.file_name, bucket: c.archive_bucket, key: c.archive_key, size: Number(c.size), sha256: c.sha256 })),
    decidedAt: ((ingest.completed_at as Date | null) ?? new Date()).toISOString(),
  };
  const receipt = ingestReceiptEvent({ id: receiptId, source: 'oa-archive', time: new Date().toISOString(), data });
  await tx.query(
    `INSERT INTO receipt_outbox (ingest_id, seq, receipt_id, outcome, document_id, receipt) VALUES ($1, $2, $3, $4, $5, $6)`,
    [ingestId, seq, receiptId, status, ingest.document_id, receipt],
  );
  return { seq, receiptId };
}

/**
 * Locks up to `limit` pending receipts for sending, skipping those another relay holds, and only the
 * oldest pending receipt of each ingest, so one ingest's receipts leave in order. Hold the transaction
 * open while publishing, then `markReceiptsSent` in it. The lock is NO KEY UPDATE: it keeps other relays
 * off, but not the callback planner, whose deliveries reference the receipt (a foreign key's share lock),
 * so callbacks never wait on a publish hanging in a Kafka outage.
 */
export async function claimPendingReceipts(tx: Queryable, options: { limit: number; ingestId?: string }): Promise<PendingReceipt[]> {
  const { rows } = await tx.query(
    `SELECT o.ingest_id, o.seq, o.receipt_id, o.document_id, o.outcome, o.receipt, o.attempts,
            EXISTS (SELECT 1 FROM receipt_outbox l WHERE l.ingest_id = o.ingest_id AND l.seq > o.seq AND l.sent_at IS NULL) AS later
       FROM receipt_outbox o
      WHERE o.sent_at IS NULL
        AND ($2::text IS NULL OR o.ingest_id = $2)
        AND NOT EXISTS (SELECT 1 FROM receipt_outbox e WHERE e.ingest_id = o.ingest_id AND e.seq < o.seq AND e.sent_at IS NULL)
      ORDER BY o.created_at, o.ingest_id, o.seq
      LIMIT $1
      FOR NO KEY UPDATE SKIP LOCKED`,
    [options.limit, options.ingestId ?? null],
  );
  return rows.map((r) => ({ ingestId: r.ingest_id, seq: r.seq, receiptId: r.receipt_id, documentId: r.document_id, outcome: r.outcome, receipt: r.receipt, attempts: r.attempts, later: r.later }));
}

export async function markReceiptsSent(tx: Queryable, receipts: readonly Pick<PendingReceipt, 'ingestId' | 'seq'>[]): Promise<void> {
  if (receipts.length === 0) return;
  await tx.query(
    `UPDATE receipt_outbox o SET sent_at = now(), attempts = o.attempts + 1, last_error = NULL
       FROM unnest($1::text[], $2::int[]) AS s(ingest_id, seq) WHERE o.ingest_id = s.ingest_id AND o.seq = s.seq`,
    [receipts.map((r) => r.ingestId), receipts.map((r) => r.seq)],
  );
}

/** A publish that failed: counted and its error kept, so the console can show why receipts wait. */
export async function markReceiptsFailed(db: Queryable, receipts: readonly Pick<PendingReceipt, 'ingestId' | 'seq'>[], error: string): Promise<void> {
  if (receipts.length === 0) return;
  await db.query(
    `UPDATE receipt_outbox o SET attempts = o.attempts + 1, last_error = $3
       FROM unnest($1::text[], $2::int[]) AS s(ingest_id, seq) WHERE o.ingest_id = s.ingest_id AND o.seq = s.seq AND o.sent_at IS NULL`,
    [receipts.map((r) => r.ingestId), receipts.map((r) => r.seq), error.slice(0, 1000)],
  );
}

/** Receipts of one ingest, oldest first, whether sent or not. */
export async function receiptsOf(db: Queryable, ingestId: string): Promise<(PendingReceipt & { sentAt: Date | null; lastError: string | null })[]> {
  const { rows } = await db.query(`SELECT * FROM receipt_outbox WHERE ingest_id = $1 ORDER BY seq`, [ingestId]);
  return rows.map((r) => ({ ingestId: r.ingest_id, seq: r.seq, receiptId: r.receipt_id, documentId: r.document_id, outcome: r.outcome, receipt: r.receipt, attempts: r.attempts, sentAt: r.sent_at, lastError: r.last_error }));
}

/** How many receipts wait to be sent, and since when: a Kafka outage shows here. */
export async function receiptBacklog(db: Queryable): Promise<{ pending: number; oldest: Date | null; lastError: string | null }> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n, min(created_at) AS oldest,
            (SELECT last_error FROM receipt_outbox WHERE sent_at IS NULL AND last_error IS NOT NULL ORDER BY created_at LIMIT 1) AS last_error
       FROM receipt_outbox WHERE sent_at IS NULL`,
  );
  return { pending: rows[0].n, oldest: rows[0].oldest, lastError: rows[0].last_error };
}
