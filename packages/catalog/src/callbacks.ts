import type pg from 'pg';
import type { IngestStatus } from '@oa-archive/contracts';
import { appendAuditEvent } from './audit.ts';
import { inTransaction, type Queryable } from './db.ts';
import type { IngestReceipt } from './receipts.ts';

/**
 * Callback deliveries: each receipt of a source that has a callback target, POSTed to the OA. Planned
 * from the receipt outbox (one row per receipt and target), claimed by any worker with FOR UPDATE SKIP
 * LOCKED and held by a lease while the POST is under way, retried until the last attempt, then
 * dead-lettered (kept, with its last error, until an operator re-drives it). Receipts of one ingest
 * are delivered in order: a later one waits while an earlier one is pending (a dead one does not hold
 * the rest back). At-least-once: a worker that dies mid-POST leaves the row to be sent again after its
 * lease; the OA dedupes on the receipt id.
 */

export type CallbackState = 'pending' | 'delivered' | 'dead';
export const CALLBACK_STATES: readonly CallbackState[] = ['pending', 'delivered', 'dead'];

export interface CallbackDelivery {
  id: number;
  receiptId: string;
  ingestId: string;
  seq: number;
  source: string;
  url: string;
  state: CallbackState;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  claimedBy: string | null;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  deadAt: Date | null;
  redrives: number;
  createdAt: Date;
  /** From the receipt: what the OA is told, about which document. */
  documentId: string;
  outcome: IngestStatus;
}

/** A delivery claimed for one attempt, with the receipt to send. */
export interface ClaimedCallback {
  id: number;
  receiptId: string;
  ingestId: string;
  source: string;
  /** This attempt's number, 1-based; also the claim's token (a stale claim cannot record over a newer one). */
  attempt: number;
  receipt: IngestReceipt;
}

const DELIVERY_COLUMNS = `d.*, o.document_id, o.outcome`;

function deliveryFromRow(r: Record<string, unknown>): CallbackDelivery {
  return {
    id: Number(r.id),
    receiptId: r.receipt_id as string,
    ingestId: r.ingest_id as string,
    seq: r.seq as number,
    source: r.source as string,
    url: r.url as string,
    state: r.state as CallbackState,
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as Date,
    leaseUntil: r.lease_until as Date | null,
    claimedBy: r.claimed_by as string | null,
    lastAttemptAt: r.last_attempt_at as Date | null,
    lastStatus: r.last_status as number | null,
    lastError: r.last_error as string | null,
    deliveredAt: r.delivered_at as Date | null,
    deadAt: r.dead_at as Date | null,
    redrives: r.redrives as number,
    createdAt: r.created_at as Date,
    documentId: r.document_id as string,
    outcome: r.outcome as IngestStatus,
  };
}

/**
 * Plans the deliveries of receipts not planned yet: a row for each receipt whose source has a target
 * (`targets`: source → URL), in the order the receipts were written, and marks the receipts planned.
 * Safe with many workers: a receipt gets one row per target whoever plans it. A receipt the Kafka relay
 * holds locked (publishing it, perhaps into an outage) is planned all the same and only marked on a
 * later pass, so callbacks never wait for Kafka. Returns how many deliveries were planned and how
 * many receipts were looked at.
 */
export async function planCallbackDeliveries(db: Queryable, targets: Readonly<Record<string, string>>, limit = 500): Promise<{ planned: number; receipts: number }> {
  const sources = Object.keys(targets);
  const { rows } = await db.query<{ planned: string; receipts: string }>(
    `WITH candidates AS (
       SELECT o.ingest_id, o.seq, o.receipt_id, i.source
         FROM receipt_outbox o JOIN ingests i ON i.ingest_id = o.ingest_id
        WHERE o.callbacks_planned_at IS NULL
        ORDER BY o.created_at, o.ingest_id, o.seq
        LIMIT $3),
     planned AS (
       INSERT INTO callback_deliveries (receipt_id, ingest_id, seq, source, url)
       SELECT c.receipt_id, c.ingest_id, c.seq, c.source, t.url
         FROM candidates c JOIN unnest($1::text[], $2::text[]) AS t (source, url) ON t.source = c.source
        ORDER BY c.ingest_id, c.seq
       ON CONFLICT (receipt_id, source) DO NOTHING
       RETURNING 1),
     free AS (
       SELECT o.ingest_id, o.seq FROM receipt_outbox o JOIN candidates c ON c.ingest_id = o.ingest_id AND c.seq = o.seq
          FOR NO KEY UPDATE OF o SKIP LOCKED),
     marked AS (
       UPDATE receipt_outbox o SET callbacks_planned_at = now() FROM free f
        WHERE o.ingest_id = f.ingest_id AND o.seq = f.seq
       RETURNING 1)
     SELECT (SELECT count(*) FROM planned) AS planned, (SELECT count(*) FROM candidates) AS receipts`,
    [sources, sources.map((s) => targets[s]!), limit],
  );
  return { planned: Number(rows[0]!.planned), receipts: Number(rows[0]!.receipts) };
}

/**
 * Claims up to `limit` due deliveries of the given sources for one attempt each: the oldest pending
 * receipt of each ingest only, none another worker holds. The attempt is counted and the row leased
 * for `leaseMs` (longer than a POST may take) in the same short statement.
 */
export async function claimCallbackDeliveries(db: Queryable, options: { sources: readonly string[]; limit: number; leaseMs: number; worker: string }): Promise<ClaimedCallback[]> {
  if (options.sources.length === 0) return [];
  const { rows } = await db.query(
    `WITH due AS (
       SELECT d.id FROM callback_deliveries d
        WHERE d.state = 'pending' AND d.source = ANY($1::text[]) AND d.next_attempt_at <= now()
          AND (d.lease_until IS NULL OR d.lease_until < now())
          AND NOT EXISTS (SELECT 1 FROM callback_deliveries e
                           WHERE e.ingest_id = d.ingest_id AND e.source = d.source AND e.seq < d.seq AND e.state = 'pending')
        ORDER BY d.next_attempt_at, d.id
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
     UPDATE callback_deliveries d
        SET attempts = d.attempts + 1, lease_until = now() + make_interval(secs => $3::double precision / 1000),
            claimed_by = $4, last_attempt_at = now()
       FROM due WHERE d.id = due.id
     RETURNING d.id, d.receipt_id, d.ingest_id, d.source, d.attempts,
               (SELECT o.receipt FROM receipt_outbox o WHERE o.receipt_id = d.receipt_id) AS receipt`,
    [options.sources, options.limit, options.leaseMs, options.worker],
  );
  return rows.map((r) => ({ id: Number(r.id), receiptId: r.receipt_id, ingestId: r.ingest_id, source: r.source, attempt: r.attempts, receipt: r.receipt }));
}

/** What one attempt came to. */
export type CallbackAttemptResult =
  | { delivered: true; url: string; status: number }
  /** `retryInMs`: when to try again; absent after the last attempt (the delivery is dead-lettered). */
  | { delivered: false; url: string; status: number | null; error: string; retryInMs?: number };

/**
 * Records an attempt of a claimed delivery. Refused (returns false) when the claim is stale: the lease
 * lapsed and another worker has claimed the row since, or it was settled otherwise. A dead letter is
 * audited in the same transaction.
 */
export async function recordCallbackAttempt(pool: pg.Pool, claim: Pick<ClaimedCallback, 'id' | 'attempt'>, result: CallbackAttemptResult): Promise<boolean> {
  const mine = `id = $1 AND attempts = $2 AND state = 'pending'`;
  if (result.delivered) {
    const { rowCount } = await pool.query(
      `UPDATE callback_deliveries SET state = 'delivered', delivered_at = now(), lease_until = NULL, url = $3, last_status = $4, last_error = NULL WHERE ${mine}`,
      [claim.id, claim.attempt, result.url, result.status],
    );
    return rowCount === 1;
  }
  const error = result.error.slice(0, 1000);
  if (result.retryInMs !== undefined) {
    const { rowCount } = await pool.query(
      `UPDATE callback_deliveries SET next_attempt_at = now() + make_interval(secs => $6::double precision / 1000), lease_until = NULL,
              url = $3, last_status = $4, last_error = $5 WHERE ${mine}`,
      [claim.id, claim.attempt, result.url, result.status, error, result.retryInMs],
    );
    return rowCount === 1;
  }
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query(
      `UPDATE callback_deliveries SET state = 'dead', dead_at = now(), lease_until = NULL, url = $3, last_status = $4, last_error = $5
        WHERE ${mine} RETURNING id, receipt_id, ingest_id, source, attempts`,
      [claim.id, claim.attempt, result.url, result.status, error],
    );
    const row = rows[0];
    if (!row) return false;
    await appendAuditEvent(tx, {
      ingestId: row.ingest_id,
      type: 'callback.dead-lettered',
      actor: 'worker:callbacks',
      payload: { deliveryId: Number(row.id), receiptId: row.receipt_id, source: row.source, url: result.url, attempts: row.attempts, lastStatus: result.status, lastError: error },
    });
    return true;
  });
}

export interface CallbackFilter {
  state?: CallbackState;
  source?: string;
  ingestId?: string;
  limit?: number;
}

/** Deliveries matching the filter, newest first (dead letters: most recently dead first). */
export async function listCallbackDeliveries(db: Queryable, filter: CallbackFilter = {}): Promise<CallbackDelivery[]> {
  const { rows } = await db.query(
    `SELECT ${DELIVERY_COLUMNS} FROM callback_deliveries d JOIN receipt_outbox o ON o.receipt_id = d.receipt_id
      WHERE ($1::text IS NULL OR d.state = $1) AND ($2::text IS NULL OR d.source = $2) AND ($3::text IS NULL OR d.ingest_id = $3)
      ORDER BY coalesce(d.dead_at, d.delivered_at, d.created_at) DESC, d.id DESC LIMIT $4`,
    [filter.state ?? null, filter.source ?? null, filter.ingestId ?? null, filter.limit ?? 500],
  );
  return rows.map(deliveryFromRow);
}

export async function callbackDeliveryOf(db: Queryable, id: number): Promise<CallbackDelivery | undefined> {
  const { rows } = await db.query(`SELECT ${DELIVERY_COLUMNS} FROM callback_deliveries d JOIN receipt_outbox o ON o.receipt_id = d.receipt_id WHERE d.id = $1`, [id]);
  return rows[0] ? deliveryFromRow(rows[0]) : undefined;
}

export interface CallbackSummaryRow {
  source: string;
  pending: number;
  delivered: number;
  dead: number;
  /** The oldest pending delivery's creation: how long the OA has been waiting. */
  oldestPending: Date | null;
  /** The last error of a pending delivery, if any: why deliveries wait. */
  lastError: string | null;
}

/** Per target: deliveries pending, delivered and dead-lettered. */
export async function callbackSummary(db: Queryable): Promise<CallbackSummaryRow[]> {
  const { rows } = await db.query(
    `SELECT source,
            count(*) FILTER (WHERE state = 'pending')::int AS pending,
            count(*) FILTER (WHERE state = 'delivered')::int AS delivered,
            count(*) FILTER (WHERE state = 'dead')::int AS dead,
            min(created_at) FILTER (WHERE state = 'pending') AS oldest_pending,
            (array_agg(last_error ORDER BY last_attempt_at DESC) FILTER (WHERE state = 'pending' AND last_error IS NOT NULL))[1] AS last_error
       FROM callback_deliveries GROUP BY source ORDER BY source`,
  );
  return rows.map((r) => ({ source: r.source, pending: r.pending, delivered: r.delivered, dead: r.dead, oldestPending: r.oldest_pending, lastError: r.last_error }));
}

/** Which dead letters to send again: named ones, or all (of one source). */
export type RedriveSelection = { ids: readonly number[] } | { all: true; source?: string };

/**
 * Sends dead letters back to be delivered: pending again, with a fresh round of attempts, due now.
 * Each re-drive is an audit event naming who asked, in the same transaction. Deliveries that are not
 * dead (delivered meanwhile, re-driven by someone else, unknown) are left alone and not returned.
 */
export async function redriveCallbackDeliveries(pool: pg.Pool, selection: RedriveSelection, actor: string, reason?: string): Promise<CallbackDelivery[]> {
  return inTransaction(pool, async (tx) => {
    const ids = 'ids' in selection ? [...selection.ids] : null;
    const source = 'all' in selection ? (selection.source ?? null) : null;
    const { rows } = await tx.query(
      `WITH redriven AS (
         UPDATE callback_deliveries d
            SET state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL, dead_at = NULL, redrives = d.redrives + 1
          WHERE d.state = 'dead' AND ($1::bigint[] IS NULL OR d.id = ANY($1)) AND ($2::text IS NULL OR d.source = $2)
          RETURNING d.*)
       SELECT ${DELIVERY_COLUMNS} FROM redriven d JOIN receipt_outbox o ON o.receipt_id = d.receipt_id ORDER BY d.id`,
      [ids, source],
    );
    const redriven = rows.map(deliveryFromRow);
    for (const d of redriven) {
      await appendAuditEvent(tx, {
        ingestId: d.ingestId,
        type: 'callback.redriven',
        actor,
        payload: { deliveryId: d.id, receiptId: d.receiptId, source: d.source, lastError: d.lastError, redrives: d.redrives, ...(reason ? { reason } : {}) },
      });
    }
    return redriven;
  });
}
