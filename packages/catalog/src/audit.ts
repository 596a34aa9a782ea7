import { auditHash, GENESIS_HASH, verifyChainSegment, type ChainBreak, type ChainedAuditEvent } from './auditChain.ts';
import type { Queryable } from './db.ts';

// Serialises appends so the chain never forks; held only for the rest of the caller's transaction.
const AUDIT_LOCK = 727_002;

export interface NewAuditEvent {
  ingestId: string | null;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
}

/**
 * Appends one event to the chain. Must run inside a transaction (the lock is transaction-scoped),
 * ideally the same one that makes the change the event describes, so both land or neither does. Every
 * appending transaction waits for the lock until the holder commits: append as late in the
 * transaction as the change allows, so the lock is held for as few round trips as possible.
 */
export async function appendAuditEvent(tx: Queryable, event: NewAuditEvent): Promise<ChainedAuditEvent> {
  return (await appendAuditEvents(tx, [event]))[0]!;
}

/** Appends events in order, chained one to the next, with one read of the head and one INSERT. */
export async function appendAuditEvents(tx: Queryable, events: readonly NewAuditEvent[]): Promise<ChainedAuditEvent[]> {
  if (events.length === 0) return [];
  // Lock and read the head in one round trip, the read seeing what the previous holder committed (migration 012).
  const { rows } = await tx.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head($1)', [AUDIT_LOCK]);
  let prev = rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : { seq: 0, hash: GENESIS_HASH };
  const chained: ChainedAuditEvent[] = [];
  for (const event of events) {
    // Millisecond precision: the stored timestamptz gives back exactly what was hashed.
    const next = { seq: prev.seq + 1, at: new Date().toISOString(), ...event, prevHash: prev.hash, hash: '' };
    next.hash = auditHash(prev.hash, next);
    chained.push(next);
    prev = next;
  }
  const values = chained.flatMap((c) => [c.seq, c.at, c.ingestId, c.type, c.actor, c.payload, c.prevHash, c.hash]);
  await tx.query(
    `INSERT INTO audit_events (seq, at, ingest_id, type, actor, payload, prev_hash, hash)
     VALUES ${chained.map((_c, i) => `(${Array.from({ length: 8 }, (_x, k) => `$${i * 8 + k + 1}`).join(', ')})`).join(', ')}`,
    values,
  );
  return chained;
}

interface AuditRow {
  seq: string;
  at: Date;
  ingest_id: string | null;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export function auditEventFromRow(row: AuditRow): ChainedAuditEvent {
  return {
    seq: Number(row.seq),
    at: row.at.toISOString(),
    ingestId: row.ingest_id,
    type: row.type,
    actor: row.actor,
    payload: row.payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** `events` counts the events verified intact (before the break, if any). */
export type ChainVerification = { ok: true; events: number; head: string } | { ok: false; events: number; break: ChainBreak };

/** Recomputes the whole chain from the genesis, in batches, and reports the first break. */
export async function verifyAuditChain(db: Queryable, batchSize = 5000): Promise<ChainVerification> {
  let last = { seq: 0, hash: GENESIS_HASH };
  let count = 0;
  for (;;) {
    const { rows } = await db.query<AuditRow>(
      'SELECT seq, at, ingest_id, type, actor, payload, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
      [last.seq, batchSize],
    );
    if (rows.length === 0) return { ok: true, events: count, head: last.hash };
    const segment = verifyChainSegment(rows.map(auditEventFromRow), last);
    if (!segment.ok) return { ok: false, events: segment.break.seq - 1, break: segment.break };
    count += rows.length;
    last = segment.last;
  }
}

export async function auditEventsOf(db: Queryable, ingestId: string): Promise<ChainedAuditEvent[]> {
  const { rows } = await db.query<AuditRow>(
    'SELECT seq, at, ingest_id, type, actor, payload, prev_hash, hash FROM audit_events WHERE ingest_id = $1 ORDER BY seq',
    [ingestId],
  );
  return rows.map(auditEventFromRow);
}

