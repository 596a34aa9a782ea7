import type pg from 'pg';
import { auditEventFromRow } from './audit.ts';
import { auditHash, GENESIS_HASH, verifyChainSegment, type ChainedAuditEvent } from './auditChain.ts';
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

/**
 * An anchor that also carries the chain's events since the anchor before it (`from` + 1 .. `seq`):
 * the store then holds the whole trail, segment by segment, write-once, and a catalog rebuilt from
 * the store replays it (docs/custody.md, "Rebuilding the catalog"). Anchors written before this
 * carry no events.
 */
export interface AuditSegmentAnchor extends AuditAnchor {
  from: number;
  events: ChainedAuditEvent[];
}

export type StoredAuditAnchor = AuditAnchor | AuditSegmentAnchor;

export const carriesSegment = (anchor: StoredAuditAnchor): anchor is AuditSegmentAnchor => 'events' in anchor;

/** At most this many events in one anchor object: a longer run since the last anchor is anchored in steps. */
export const ANCHOR_SEGMENT_MAX_EVENTS = 5000;

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
export function anchorBody(anchor: StoredAuditAnchor): Buffer {
  const segment = carriesSegment(anchor) ? { from: anchor.from, events: anchor.events } : {};
  return Buffer.from(canonicalJson({ kind: KIND, seq: anchor.seq, hash: anchor.hash, at: anchor.at, ...segment }) + '\n');
}

export function parseAnchor(key: string, text: string): StoredAuditAnchor {
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
  const anchor = { seq: v.seq!, hash: v.hash, at: v.at };
  const s = value as { from?: unknown; events?: unknown };
  if (s.events === undefined && s.from === undefined) return anchor;
  return { ...anchor, ...parseSegment(key, anchor, s.from, s.events) };
}

/** The events an anchor carries must be the chain from `from` + 1 up to the anchored head, each hash recomputed. */
function parseSegment(key: string, anchor: AuditAnchor, from: unknown, events: unknown): { from: number; events: ChainedAuditEvent[] } {
  if (!Number.isSafeInteger(from) || (from as number) < 0 || (from as number) >= anchor.seq || !Array.isArray(events)) {
    throw new AuditAnchorError(`anchor ${key} carries a malformed segment (from, events)`);
  }
  const list = events as ChainedAuditEvent[];
  const first = list[0];
  if (list.length !== anchor.seq - (from as number) || !first || first.seq !== (from as number) + 1) {
    throw new AuditAnchorError(`anchor ${key} should carry events ${(from as number) + 1}..${anchor.seq}, it carries ${list.length}`);
  }
  // The first event's prev_hash is taken on trust here; the rebuild checks it against the chain before it.
  const checked = verifyChainSegment(list, { seq: from as number, hash: first.prevHash });
  if (!checked.ok) throw new AuditAnchorError(`anchor ${key}: its events do not chain at event ${checked.break.seq}: ${checked.break.reason}`);
  if (checked.last.hash !== anchor.hash) throw new AuditAnchorError(`anchor ${key}: its events end in hash ${checked.last.hash}, the anchor holds ${anchor.hash}`);
  return { from: from as number, events: list };
}

/** The chain's events after `from` up to `to`, for an anchor's segment. */
export async function auditSegmentOf(db: Queryable, from: number, to: number): Promise<ChainedAuditEvent[]> {
  const { rows } = await db.query<AuditRow>(
    'SELECT seq, at, ingest_id, type, actor, payload, prev_hash, hash FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq',
    [from, to],
  );
  return rows.map(auditEventFromRow);
}

/** The latest anchor the catalog knows of below `seq` (where the next segment starts), 0 when none. */
export async function anchoredBefore(db: Queryable, seq: number): Promise<number> {
  const { rows } = await db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM audit_anchors WHERE seq < $1', [seq]);
  return rows[0]?.seq ? Number(rows[0].seq) : 0;
}

/**
 * Where anchoring stands: the chain's last event, the last anchored one, and when the catalog last
 * recorded an anchor (any process's). What decides whether an anchor is due.
 */
export async function anchoringStateOf(db: Queryable): Promise<{ headSeq: number; anchoredSeq: number; lastAnchoredAt: Date | undefined }> {
  const { rows } = await db.query<{ head: string | null; anchored: string | null; last: Date | null }>(
    'SELECT (SELECT max(seq) FROM audit_events) AS head, (SELECT max(seq) FROM audit_anchors) AS anchored, (SELECT max(recorded_at) FROM audit_anchors) AS last',
  );
  const row = rows[0]!;
  return { headSeq: Number(row.head ?? 0), anchoredSeq: Number(row.anchored ?? 0), lastAnchoredAt: row.last ?? undefined };
}

/** Notes an anchor that is in the store (written now, found there, or read back by a rebuild). */
export async function recordAnchor(db: Queryable, anchor: StoredAuditAnchor): Promise<void> {
  await db.query('INSERT INTO audit_anchors (seq, hash, at, from_seq) VALUES ($1, $2, $3, $4) ON CONFLICT (seq) DO NOTHING', [
    anchor.seq,
    anchor.hash,
    anchor.at,
    carriesSegment(anchor) ? anchor.from : null,
  ]);
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
