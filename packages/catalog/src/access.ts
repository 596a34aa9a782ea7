import type { Queryable } from './db.ts';
import type { Role } from './operations.ts';

/** 限制利用 as recorded: DA/T 46 权限管理 · 控制标识, and the least role that may use the content. */
export interface AccessRestrictionRecord {
  securityLevel: string;
  controlMark: '控制';
  minimumRole: Role;
  scheduleVersion: string;
  basis: string;
  recordedAt: Date;
}

/** Records (or with undefined, removes) the document's access restriction as the schedule now decides it. */
export async function recordAccessRestriction(db: Queryable, ingestId: string, restriction: Omit<AccessRestrictionRecord, 'recordedAt'> | undefined): Promise<void> {
  if (!restriction) {
    await db.query('DELETE FROM access_restrictions WHERE ingest_id = $1', [ingestId]);
    return;
  }
  await db.query(
    `INSERT INTO access_restrictions (ingest_id, security_level, control_mark, minimum_role, schedule_version, basis) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (ingest_id) DO UPDATE SET security_level = $2, control_mark = $3, minimum_role = $4, schedule_version = $5, basis = $6, recorded_at = now()`,
    [ingestId, restriction.securityLevel, restriction.controlMark, restriction.minimumRole, restriction.scheduleVersion, restriction.basis],
  );
}

export async function accessRestrictionRecordOf(db: Queryable, ingestId: string): Promise<AccessRestrictionRecord | null> {
  const { rows } = await db.query('SELECT * FROM access_restrictions WHERE ingest_id = $1', [ingestId]);
  const r = rows[0];
  return r
    ? { securityLevel: r.security_level, controlMark: r.control_mark, minimumRole: r.minimum_role, scheduleVersion: r.schedule_version, basis: r.basis, recordedAt: r.recorded_at }
    : null;
}

/** What an ingest waits for (a service that is down), as the console and the status API show it. */
export interface WaitingRecord {
  for: 'virus-scanner';
  since: Date;
  reason: string;
}

/** Marks the ingest as waiting; `since` stays the first time, so the wait's length (and backoff) grows. */
export async function markWaiting(db: Queryable, ingestId: string, waiting: { for: WaitingRecord['for']; reason: string }): Promise<WaitingRecord> {
  const { rows } = await db.query(
    `UPDATE ingests SET waiting_for = $2, waiting_since = CASE WHEN waiting_for = $2 THEN waiting_since ELSE now() END, waiting_reason = $3
      WHERE ingest_id = $1 RETURNING waiting_since`,
    [ingestId, waiting.for, waiting.reason],
  );
  if (!rows[0]) throw new Error(`ingest ${ingestId} is not in the catalog; nothing can wait for it`);
  return { for: waiting.for, since: rows[0].waiting_since, reason: waiting.reason };
}

export async function clearWaiting(db: Queryable, ingestId: string): Promise<void> {
  await db.query('UPDATE ingests SET waiting_for = NULL, waiting_since = NULL, waiting_reason = NULL WHERE ingest_id = $1 AND waiting_for IS NOT NULL', [ingestId]);
}

export async function waitingOf(db: Queryable, ingestId: string): Promise<WaitingRecord | null> {
  const { rows } = await db.query('SELECT waiting_for, waiting_since, waiting_reason FROM ingests WHERE ingest_id = $1 AND waiting_for IS NOT NULL', [ingestId]);
  const r = rows[0];
  return r ? { for: r.waiting_for, since: r.waiting_since, reason: r.waiting_reason } : null;
}
