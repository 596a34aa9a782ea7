import type pg from 'pg';
import { appendAuditEvent, type NewAuditEvent } from './audit.ts';
import { inTransaction, type Queryable } from './db.ts';
// A destroyed item's objects are gone on purpose: it is neither enrolled, audited nor replicated.
import { DESTROYED_AIP_SQL } from './disposition.ts';
import { recordPreservationEvent, type AipFile, type PreservationEventRecord } from './preservation.ts';

/** A FILED AIP under custody: where it lies, when it is next audited, whether its second copy is made. */
export interface CustodyRecord {
  ingestId: string;
  bucket: string;
  prefix: string;
  files: AipFile[];
  nextAuditAt: Date;
  lastAuditAt: Date | null;
  lastAuditOutcome: 'intact' | 'failed' | null;
  replicationState: 'pending' | 'replicated' | 'failed';
  replicationReason: string | null;
  replicationAttempts: number;
  replicaBucket: string | null;
}

/** What one audit found wrong with one object of one copy. */
export interface FixityFinding {
  path: string;
  key: string;
  problem: 'missing' | 'size' | 'sha256' | 'sm3' | 'manifest' | 'unreadable' | 'unexpected';
  detail: string;
}

/** What an audit did about a finding, with the good copy at hand. */
export interface FixityRepair {
  copy: 'primary' | 'replica';
  path: string;
  action: 'restored' | 'needs-operator';
  detail: string;
}

export interface CopyAudit {
  copy: 'primary' | 'replica';
  bucket: string;
  objectsChecked: number;
  bytesRead: number;
  findings: FixityFinding[];
}

/** Which AIPs an audit takes: those due (the schedule), or by hand all, those filed since a time, or named ones. */
export type AuditSelection = { kind: 'due' } | { kind: 'all' } | { kind: 'since'; since: Date } | { kind: 'ingests'; ingestIds: string[] };

interface CustodyRow {
  ingest_id: string;
  bucket: string;
  prefix: string;
  files: AipFile[];
  next_audit_at: Date;
  last_audit_at: Date | null;
  last_audit_outcome: 'intact' | 'failed' | null;
  replication_state: CustodyRecord['replicationState'];
  replication_reason: string | null;
  replication_attempts: number;
  replica_bucket: string | null;
}

const COLUMNS = `c.ingest_id, c.bucket, a.prefix, a.files, c.next_audit_at, c.last_audit_at, c.last_audit_outcome,
  c.replication_state, c.replication_reason, c.replication_attempts, c.replica_bucket`;

const fromRow = (r: CustodyRow): CustodyRecord => ({
  ingestId: r.ingest_id,
  bucket: r.bucket,
  prefix: r.prefix,
  files: r.files,
  nextAuditAt: r.next_audit_at,
  lastAuditAt: r.last_audit_at,
  lastAuditOutcome: r.last_audit_outcome,
  replicationState: r.replication_state,
  replicationReason: r.replication_reason,
  replicationAttempts: r.replication_attempts,
  replicaBucket: r.replica_bucket,
});

/**
 * FILED AIPs not yet under custody, with the bucket their objects were deposited in (the deposit
 * records it on each original). The caller decides when each is first due.
 */
export async function aipsAwaitingCustody(db: Queryable, limit = 1000): Promise<{ ingestId: string; bucket: string }[]> {
  const { rows } = await db.query<{ ingest_id: string; bucket: string }>(
    `SELECT a.ingest_id, b.bucket FROM aips a
       JOIN ingests i ON i.ingest_id = a.ingest_id AND i.status = 'FILED'
       JOIN LATERAL (SELECT archive_bucket AS bucket FROM components WHERE ingest_id = a.ingest_id AND archive_bucket IS NOT NULL LIMIT 1) b ON true
      WHERE NOT EXISTS (SELECT 1 FROM aip_custody c WHERE c.ingest_id = a.ingest_id) AND NOT ${DESTROYED_AIP_SQL('a.ingest_id')}
      ORDER BY a.ingest_id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ ingestId: r.ingest_id, bucket: r.bucket }));
}

/** Puts AIPs under custody; one already enrolled keeps its schedule. Returns how many were new. */
export async function enrolInCustody(db: Queryable, entries: { ingestId: string; bucket: string; firstAuditAt: Date }[]): Promise<number> {
  if (entries.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO aip_custody (ingest_id, bucket, next_audit_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT (ingest_id) DO NOTHING`,
    [entries.map((e) => e.ingestId), entries.map((e) => e.bucket), entries.map((e) => e.firstAuditAt)],
  );
  return rowCount ?? 0;
}

/**
 * Takes one AIP to audit and holds it for `leaseMs`, skipping those another process holds, so any
 * number of workers (and the CLI) can audit side by side and none audits an AIP twice at once.
 * `due` takes AIPs whose audit date has come; the other selections take any AIP not yet audited
 * since `startedAt` (a hand-run audit of a set, one AIP after another).
 */
export async function claimAipForAudit(pool: pg.Pool, selection: AuditSelection, opts: { now: Date; startedAt: Date; leaseMs: number }): Promise<CustodyRecord | undefined> {
  const params: unknown[] = [opts.now, opts.leaseMs, opts.startedAt];
  let filter: string;
  switch (selection.kind) {
    case 'due':
      filter = 'c.next_audit_at <= $1 AND $3::timestamptz IS NOT NULL';
      break;
    case 'all':
      filter = '(c.last_audit_at IS NULL OR c.last_audit_at < $3)';
      break;
    case 'since':
      params.push(selection.since);
      filter = `(c.last_audit_at IS NULL OR c.last_audit_at < $3)
        AND EXISTS (SELECT 1 FROM ingests i WHERE i.ingest_id = c.ingest_id AND coalesce(i.completed_at, i.updated_at) >= $4)`;
      break;
    case 'ingests':
      params.push(selection.ingestIds);
      filter = '(c.last_audit_at IS NULL OR c.last_audit_at < $3) AND c.ingest_id = ANY($4)';
      break;
  }
  const { rows } = await pool.query<CustodyRow>(
    `WITH claimed AS (
       UPDATE aip_custody c SET audit_lease_until = $1::timestamptz + $2::float8 * interval '1 millisecond'
        WHERE c.ingest_id = (SELECT c.ingest_id FROM aip_custody c
                              WHERE ${filter} AND (c.audit_lease_until IS NULL OR c.audit_lease_until < $1) AND NOT ${DESTROYED_AIP_SQL('c.ingest_id')}
                              ORDER BY c.next_audit_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING c.*)
     SELECT ${COLUMNS} FROM claimed c JOIN aips a ON a.ingest_id = c.ingest_id`,
    params,
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Holds a claimed AIP longer (a large one read at a bounded rate). */
export async function extendAuditLease(db: Queryable, ingestId: string, until: Date): Promise<void> {
  await db.query('UPDATE aip_custody SET audit_lease_until = $2 WHERE ingest_id = $1', [ingestId, until]);
}

/**
 * Records one audit of an AIP in one transaction: a row per copy audited, its PREMIS fixity-check
 * event, the next audit date, and the audit-trail event (`aip.fixity-checked`, or `aip.fixity-failed`
 * when any object of any copy did not match, which is what callbacks to the OA are made from).
 */
export async function recordFixityAudit(
  pool: pg.Pool,
  audit: { ingestId: string; actor: string; at: Date; nextAuditAt: Date; copies: CopyAudit[]; repairs: FixityRepair[]; premis: PreservationEventRecord[]; auditEvent: Omit<NewAuditEvent, 'ingestId' | 'actor'> },
): Promise<void> {
  const failed = audit.copies.some((c) => c.findings.length > 0);
  await inTransaction(pool, async (tx) => {
    for (const copy of audit.copies) {
      const repairs = audit.repairs.filter((r) => r.copy === copy.copy);
      await tx.query(
        `INSERT INTO fixity_audits (ingest_id, audited_at, actor, copy, bucket, objects_checked, objects_failed, bytes_read, outcome, findings, repairs)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [audit.ingestId, audit.at, audit.actor, copy.copy, copy.bucket, copy.objectsChecked, new Set(copy.findings.map((f) => f.path)).size, copy.bytesRead, copy.findings.length ? 'failed' : 'intact', JSON.stringify(copy.findings), JSON.stringify(repairs)],
      );
    }
    for (const event of audit.premis) await recordPreservationEvent(tx, audit.ingestId, event);
    await tx.query(
      `UPDATE aip_custody SET last_audit_at = $2, last_audit_outcome = $3, next_audit_at = $4, audit_lease_until = NULL
        WHERE ingest_id = $1`,
      [audit.ingestId, audit.at, failed ? 'failed' : 'intact', audit.nextAuditAt],
    );
    await appendAuditEvent(tx, { ingestId: audit.ingestId, actor: audit.actor, ...audit.auditEvent });
  });
}

/** The audits of one AIP, newest first. */
export async function fixityAuditsOf(db: Queryable, ingestId: string): Promise<(CopyAudit & { id: number; auditedAt: Date; actor: string; outcome: 'intact' | 'failed'; objectsFailed: number; repairs: FixityRepair[] })[]> {
  const { rows } = await db.query('SELECT * FROM fixity_audits WHERE ingest_id = $1 ORDER BY id DESC', [ingestId]);
  return rows.map((r) => ({
    id: Number(r.id),
    auditedAt: r.audited_at,
    actor: r.actor,
    copy: r.copy,
    bucket: r.bucket,
    objectsChecked: r.objects_checked,
    objectsFailed: r.objects_failed,
    bytesRead: Number(r.bytes_read),
    outcome: r.outcome,
    findings: r.findings,
    repairs: r.repairs,
  }));
}

export async function custodyOf(db: Queryable, ingestId: string): Promise<CustodyRecord | undefined> {
  const { rows } = await db.query<CustodyRow>(`SELECT ${COLUMNS} FROM aip_custody c JOIN aips a ON a.ingest_id = c.ingest_id WHERE c.ingest_id = $1`, [ingestId]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** An AIP whose audit date passed this long ago without an audit is overdue: the audit rate is too low for the cycle, or no worker audits. */
export const FIXITY_OVERDUE_AFTER_MS = 24 * 3_600_000;

/** For the console and the metrics: what custody looks like now. */
export async function custodySummary(db: Queryable, now = new Date()) {
  const [counts, failed] = await Promise.all([
    db.query<{ enrolled: string; overdue: string; failed: string; pending: string; replicated: string; replication_failed: string }>(
      `SELECT count(*) AS enrolled,
              count(*) FILTER (WHERE next_audit_at < $1::timestamptz - $2::float8 * interval '1 millisecond') AS overdue,
              count(*) FILTER (WHERE last_audit_outcome = 'failed') AS failed,
              count(*) FILTER (WHERE replication_state = 'pending') AS pending,
              count(*) FILTER (WHERE replication_state = 'replicated') AS replicated,
              count(*) FILTER (WHERE replication_state = 'failed') AS replication_failed
         FROM aip_custody c WHERE NOT ${DESTROYED_AIP_SQL('c.ingest_id')}`,
      [now, FIXITY_OVERDUE_AFTER_MS],
    ),
    db.query<{ ingest_id: string; prefix: string; last_audit_at: Date; findings: FixityFinding[]; copy: string }>(
      `SELECT c.ingest_id, a.prefix, c.last_audit_at, f.findings, f.copy FROM aip_custody c
         JOIN aips a ON a.ingest_id = c.ingest_id
         JOIN LATERAL (SELECT findings, copy FROM fixity_audits WHERE ingest_id = c.ingest_id AND outcome = 'failed' ORDER BY id DESC LIMIT 1) f ON true
        WHERE c.last_audit_outcome = 'failed' AND NOT ${DESTROYED_AIP_SQL('c.ingest_id')} ORDER BY c.last_audit_at DESC LIMIT 50`,
    ),
  ]);
  const c = counts.rows[0]!;
  return {
    enrolled: Number(c.enrolled),
    overdue: Number(c.overdue),
    failed: Number(c.failed),
    replication: { pending: Number(c.pending), replicated: Number(c.replicated), failed: Number(c.replication_failed) },
    failedAips: failed.rows.map((r) => ({ ingestId: r.ingest_id, prefix: r.prefix, lastAuditAt: r.last_audit_at, copy: r.copy, findings: r.findings })),
  };
}

/** Takes one AIP whose second copy is still to be made (or failed and is due again), held for `leaseMs`. */
export async function claimAipForReplication(pool: pg.Pool, opts: { now: Date; leaseMs: number; ingestIds?: string[] }): Promise<CustodyRecord | undefined> {
  const { rows } = await pool.query<CustodyRow>(
    `WITH claimed AS (
       UPDATE aip_custody c SET replication_lease_until = $1::timestamptz + $2::float8 * interval '1 millisecond', replication_attempts = c.replication_attempts + 1
        WHERE c.ingest_id = (SELECT c.ingest_id FROM aip_custody c
                              WHERE c.replication_state <> 'replicated' AND c.replication_next_at <= $1
                                AND (c.replication_lease_until IS NULL OR c.replication_lease_until < $1)
                                AND ($3::text[] IS NULL OR c.ingest_id = ANY($3)) AND NOT ${DESTROYED_AIP_SQL('c.ingest_id')}
                              ORDER BY c.replication_next_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING c.*)
     SELECT ${COLUMNS} FROM claimed c JOIN aips a ON a.ingest_id = c.ingest_id`,
    [opts.now, opts.leaseMs, opts.ingestIds ?? null],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Records the end of one replication attempt, and its audit-trail event. */
export async function recordReplication(
  pool: pg.Pool,
  result: { ingestId: string; actor: string; replicaBucket: string; at: Date } & ({ state: 'replicated'; objects: number; written: number } | { state: 'failed'; reason: string; retryAt: Date }),
): Promise<void> {
  await inTransaction(pool, async (tx) => {
    if (result.state === 'replicated') {
      await tx.query(
        `UPDATE aip_custody SET replication_state = 'replicated', replication_reason = NULL, replica_bucket = $2, replicated_at = $3, replication_lease_until = NULL
          WHERE ingest_id = $1`,
        [result.ingestId, result.replicaBucket, result.at],
      );
      await appendAuditEvent(tx, { ingestId: result.ingestId, actor: result.actor, type: 'aip.replicated', payload: { replicaBucket: result.replicaBucket, objects: result.objects, written: result.written } });
    } else {
      await tx.query(
        `UPDATE aip_custody SET replication_state = 'failed', replication_reason = $2, replica_bucket = $3, replication_next_at = $4, replication_lease_until = NULL
          WHERE ingest_id = $1`,
        [result.ingestId, result.reason, result.replicaBucket, result.retryAt],
      );
      await appendAuditEvent(tx, { ingestId: result.ingestId, actor: result.actor, type: 'aip.replication-failed', payload: { replicaBucket: result.replicaBucket, reason: result.reason, retryAt: result.retryAt.toISOString() } });
    }
  });
}
