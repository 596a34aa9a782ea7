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
  // The ingest, its deposited objects, its decision and its last receipt's number, in one statement.
  const { rows: ingests } = await tx.query(
    `SELECT i.ingest_id, i.document_id, i.version, i.status, i.failed_stage, i.failure_reason, i.completed_at,
            (SELECT COALESCE(json_agg(json_build_object('role', c.role, 'file_name', c.file_name, 'archive_bucket', c.archive_bucket, 'archive_key', c.archive_key, 'size', c.size, 'sha256', c.sha256) ORDER BY c.ordinal), '[]')
               FROM components c WHERE c.ingest_id = i.ingest_id AND c.archive_key IS NOT NULL) AS components,
            (SELECT json_build_object('outcome', d.outcome, 'rule_ids', d.rule_ids, 'schedule_version', d.schedule_version, 'explanation', d.explanation, 'reference_code', d.reference_code)
               FROM classifications d WHERE d.ingest_id = i.ingest_id) AS classification,
            (SELECT max(o.seq) FROM receipt_outbox o WHERE o.ingest_id = i.ingest_id) AS last_seq
       FROM ingests i WHERE i.ingest_id = $1`,
    [ingestId],
  );
  const ingest = ingests[0]!;
  const components = ingest.components as { role: string; file_name: string; archive_bucket: string; archive_key: string; size: number; sha256: string }[];
  const classification = ingest.classification as { outcome: string; rule_ids: string[]; schedule_version: string; explanation: string; reference_code: string | null } | null;
  const { rows: restrictions } = await tx.query(`SELECT security_level, control_mark, minimum_role, basis FROM access_restrictions WHERE ingest_id = $1`, [ingestId]);
  const restriction = restrictions[0];
  const status = ingest.status as IngestStatus;
  const seq = ((ingest.last_seq as number | null) ?? 0) + 1;
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
    ...(restriction ? { access: { controlMark: restriction.control_mark, securityLevel: restriction.security_level, minimumRole: restriction.minimum_role, basis: restriction.basis } } : {}),
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
