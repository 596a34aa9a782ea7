import type pg from 'pg';
import { auditEventFromRow } from './audit.ts';
import { auditHash, GENESIS_HASH } from './auditChain.ts';
import { canonicalJson } from './canonicalJson.ts';
import type { Queryable } from './db.ts';

/**
 * Anchors of the audit chain: its head (sequence number, hash, time) copied, write-once, outside
 * PostgreSQL. Someone able to rewrite the audit table can recompute every later hash so the chain
 * checks out again; they cannot change an anchor already written, so the recomputed chain no longer
 * matches it at its sequence number. This module has the anchor's form and the catalog side; the
 * object-store side is the pipeline's.
 */
export interface AuditAnchor {
  seq: number;
  hash: string;
  /** When the anchored event was appended (its `at`), not when the anchor was written. */
  at: string;
}

/** Under the archive bucket; one object per anchored sequence number, sorted by it. */
export const AUDIT_ANCHOR_PREFIX = 'audit-anchors/';
const KIND = 'oa-archive.audit-anchor';

// Only one process anchors at a time; any constant distinct from the others works (727_001 migrate, 727_002 append).
const ANCHOR_LOCK = 727_003;

export class AuditAnchorError extends Error {
  override readonly name = 'AuditAnchorError';
}

export function anchorKeyOf(seq: number): string {
  return `${AUDIT_ANCHOR_PREFIX}${String(seq).padStart(20, '0')}.json`;
}

/** Deterministic bytes: anchoring the same head twice writes the same object, so write-once accepts it. */
export function anchorBody(anchor: AuditAnchor): Buffer {
  return Buffer.from(canonicalJson({ kind: KIND, seq: anchor.seq, hash: anchor.hash, at: anchor.at }) + '\n');
}

export function parseAnchor(key: string, text: string): AuditAnchor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuditAnchorError(`anchor ${key} is not JSON`);
  }
  const v = value as Partial<AuditAnchor> & { kind?: unknown };
  if (v.kind !== KIND || !Number.isSafeInteger(v.seq) || (v.seq as number) < 1 || typeof v.hash !== 'string' || !/^[0-9a-f]{64}$/.test(v.hash) || typeof v.at !== 'string') {
    throw new AuditAnchorError(`anchor ${key} is not an audit anchor (kind, seq, hash, at)`);
  }
  if (anchorKeyOf(v.seq!) !== key) throw new AuditAnchorError(`anchor ${key} names sequence number ${v.seq}, which belongs under ${anchorKeyOf(v.seq!)}`);
  return { seq: v.seq!, hash: v.hash, at: v.at };
}

/** The chain's last event, or undefined while the chain is empty. */
export async function auditHeadOf(db: Queryable): Promise<AuditAnchor | undefined> {
  const { rows } = await db.query<{ seq: string; hash: string; at: Date }>('SELECT seq, hash, at FROM audit_events ORDER BY seq DESC LIMIT 1');
  const row = rows[0];
  return row ? { seq: Number(row.seq), hash: row.hash, at: row.at.toISOString() } : undefined;
}

/**
 * Runs `fn` while holding the anchoring lock, or returns `{ ran: false }` at once when another process
 * holds it: with several replicas on a timer, one anchors and the others skip that round.
 */
export async function withAnchorLock<T>(pool: pg.Pool, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [ANCHOR_LOCK]);
    if (!rows[0]?.locked) return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ANCHOR_LOCK]);
    }
  } finally {
    client.release();
  }
}

type AuditRow = Parameters<typeof auditEventFromRow>[0];

export interface AnchorMismatch {
  seq: number;
  reason: string;
}

/**
 * Recomputes the chain from the genesis, from the events' content alone (ignoring the stored
 * hashes), and compares it with each anchor at the anchor's sequence number.
 */
export async function checkAuditAnchors(db: Queryable, anchors: readonly AuditAnchor[], batchSize = 5000): Promise<AnchorMismatch[]> {
  const wanted = new Map<number, AuditAnchor[]>();
  for (const anchor of anchors) wanted.set(anchor.seq, [...(wanted.get(anchor.seq) ?? []), anchor]);
  const mismatches: AnchorMismatch[] = [];
  const lastWanted = Math.max(0, ...wanted.keys());
  let prev = { seq: 0, hash: GENESIS_HASH };
  let gap = false;
  while (!gap && prev.seq < lastWanted) {
    const { rows } = await db.query<AuditRow>(
      'SELECT seq, at, ingest_id, type, actor, payload, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
      [prev.seq, batchSize],
    );
    if (rows.length === 0) break;
    for (const event of rows.map(auditEventFromRow)) {
      if (event.seq !== prev.seq + 1) {
        gap = true;
        break;
      }
      prev = { seq: event.seq, hash: auditHash(prev.hash, event) };
      for (const anchor of wanted.get(event.seq) ?? []) {
        if (anchor.hash !== prev.hash) {
          mismatches.push({ seq: anchor.seq, reason: `anchor ${anchor.seq} (${anchor.at}) holds hash ${anchor.hash}, the recomputed chain gives ${prev.hash}: events up to ${anchor.seq} were changed after they were anchored` });
        }
      }
      wanted.delete(event.seq);
    }
  }
  for (const [seq] of wanted) {
    mismatches.push({ seq, reason: `anchor ${seq} was written, but the chain's unbroken run of events ends at ${prev.seq}: events were removed` });
  }
  return mismatches.sort((a, b) => a.seq - b.seq);
}
