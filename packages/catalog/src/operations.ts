import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './db.ts';
import type { IngestStatus } from '@oa-archive/contracts';
import { INGEST_SUMMARY_COLUMNS, ingestSummaryFromRow, type IngestSummary } from './catalog.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiPrincipal {
  id: number;
  name: string;
  role: Role;
}

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Creates a token; the raw value is returned once and only its hash is kept. */
export async function createApiToken(db: Queryable, name: string, role: Role): Promise<{ token: string; principal: ApiPrincipal }> {
  const token = `oat_${randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<{ id: string }>('INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3) RETURNING id', [name, role, hashOf(token)]);
  return { token, principal: { id: Number(rows[0]!.id), name, role } };
}

export async function authenticateToken(db: Queryable, token: string): Promise<ApiPrincipal | undefined> {
  const { rows } = await db.query<{ id: string; name: string; role: Role }>(
    `UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, name, role`,
    [hashOf(token)],
  );
  return rows[0] ? { id: Number(rows[0].id), name: rows[0].name, role: rows[0].role } : undefined;
}

export async function revokeApiToken(db: Queryable, name: string): Promise<number> {
  const { rowCount } = await db.query('UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL', [name]);
  return rowCount ?? 0;
}

// The ingest search (title, 文号, issuer, text; filters) is search.ts.

/**
 * Per department: documents finalized and filed in the window, median and p95 delay from
 * finalization to filing, and those still waiting (in review, failed, in progress).
 */
export async function timelinessByDepartment(db: Queryable, window: { from?: Date; to?: Date }) {
  const { rows } = await db.query(
    `SELECT department_code AS department,
            count(*)::int AS finalized,
            count(*) FILTER (WHERE status = 'FILED')::int AS filed,
            count(*) FILTER (WHERE status = 'REVIEW')::int AS in_review,
            count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
            count(*) FILTER (WHERE status IN ('RECEIVED', 'IN_PROGRESS'))::int AS in_progress,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - finalized_at)) FILTER (WHERE status = 'FILED') AS median_seconds,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - finalized_at)) FILTER (WHERE status = 'FILED') AS p95_seconds
       FROM ingests
      WHERE ($1::timestamptz IS NULL OR finalized_at >= $1) AND ($2::timestamptz IS NULL OR finalized_at < $2)
      GROUP BY department_code ORDER BY department_code`,
    [window.from ?? null, window.to ?? null],
  );
  return rows.map((r) => ({
    department: r.department as string,
    finalized: r.finalized as number,
    filed: r.filed as number,
    inReview: r.in_review as number,
    failed: r.failed as number,
    inProgress: r.in_progress as number,
    medianDelaySeconds: r.median_seconds === null ? null : Number(r.median_seconds),
    p95DelaySeconds: r.p95_seconds === null ? null : Number(r.p95_seconds),
  }));
}

/** Per stage over the last `hours`: runs that succeeded and failed, and their p50/p95 durations. */
export async function stageStatistics(db: Queryable, hours: number) {
  const { rows } = await db.query(
    `SELECT stage,
            count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
            count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)) AS p95
       FROM stage_runs WHERE finished_at >= now() - make_interval(hours => $1)
      GROUP BY stage`,
    [hours],
  );
  return rows.map((r) => ({ stage: r.stage as string, succeeded: r.succeeded as number, failed: r.failed as number, p50Seconds: Number(r.p50 ?? 0), p95Seconds: Number(r.p95 ?? 0) }));
}

/** Documents finished per hour over the last `hours`, for the throughput chart. */
export async function outcomesPerHour(db: Queryable, hours: number) {
  const { rows } = await db.query(
    `SELECT date_trunc('hour', updated_at) AS hour, status, count(*)::int AS n
       FROM ingests WHERE updated_at >= now() - make_interval(hours => $1) AND status IN ('FILED', 'EXCLUDED', 'QUARANTINED', 'REVIEW', 'FAILED')
      GROUP BY 1, 2 ORDER BY 1`,
    [hours],
  );
  return rows.map((r) => ({ hour: (r.hour as Date).toISOString(), status: r.status as string, count: r.n as number }));
}

/** FAILED ingests grouped by stage and error class, the first line an operator reads. */
export async function failureGroups(db: Queryable) {
  const { rows } = await db.query(
    `SELECT failed_stage AS stage, split_part(failure_reason, ':', 1) AS error, count(*)::int AS n, min(failure_reason) AS example
       FROM ingests WHERE status = 'FAILED' GROUP BY 1, 2 ORDER BY n DESC`,
  );
  return rows.map((r) => ({ stage: r.stage as string, errorClass: r.error as string, count: r.n as number, example: r.example as string }));
}

/** One thing the reconciler (or a worker's `failed` handler) did about an ingest, from the audit trail. */
export interface RecoveryRecord {
  seq: number;
  at: string;
  ingestId: string | null;
  documentId: string | null;
  actor: string;
  action: string;
  stage: string | null;
  reason: string;
  jobState: string | null;
  status: IngestStatus | null;
}

/** The most recent recovery actions, newest first: every one is an audit event carrying `payload.recovery`. */
export async function recentRecoveries(db: Queryable, limit = 100): Promise<RecoveryRecord[]> {
  const { rows } = await db.query(
    `SELECT a.seq, a.at, a.ingest_id, i.document_id, a.actor, a.payload, i.status
       FROM audit_events a LEFT JOIN ingests i USING (ingest_id)
      WHERE a.type IN ('ingest.recovered', 'ingest.failed') AND a.payload ? 'recovery'
      ORDER BY a.seq DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => {
    const recovery = r.payload.recovery as { action: string; reason: string; jobState?: string };
    return {
      seq: Number(r.seq),
      at: (r.at as Date).toISOString(),
      ingestId: r.ingest_id,
      documentId: r.document_id,
      actor: r.actor,
      action: recovery.action,
      stage: (r.payload.stage ?? r.payload.failure?.stage ?? null) as string | null,
      reason: recovery.reason,
      jobState: recovery.jobState ?? null,
      status: r.status,
    };
  });
}

/** A document waiting for a person: where it waits, why (what the stage that held it said) and its 档号 if it holds one. */
export interface ReviewItem extends IngestSummary {
  waitsAt: string;
  why: string;
  /** The `why` as a message code and parameters (packages/messages), when the stage recorded one: render it at the edge. */
  whyMessage: { code: string; params: Record<string, string | number> } | null;
  referenceCode: string | null;
  classification: string | null;
}

export async function reviewQueue(db: Queryable, limit = 500): Promise<ReviewItem[]> {
  const columns = INGEST_SUMMARY_COLUMNS.split(',').map((c) => `i.${c.trim()}`).join(', ');
  const { rows } = await db.query(
    `SELECT ${columns}, c.reference_code, c.outcome AS classification, c.explanation,
            (SELECT a.payload->>'explanation' FROM audit_events a WHERE a.ingest_id = i.ingest_id AND a.type = 'ingest.review' ORDER BY a.seq DESC LIMIT 1) AS why,
            (SELECT jsonb_build_object('code', a.payload->>'code', 'params', coalesce(a.payload->'params', '{}'::jsonb)) FROM audit_events a
              WHERE a.ingest_id = i.ingest_id AND a.type = 'ingest.review' AND a.payload ? 'code' ORDER BY a.seq DESC LIMIT 1) AS why_message
       FROM ingests i LEFT JOIN classifications c USING (ingest_id)
      WHERE i.status = 'REVIEW' ORDER BY i.updated_at, i.ingest_id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    ...ingestSummaryFromRow(r),
    waitsAt: (r.current_stage as string | null) ?? 'classify',
    why: (r.why as string | null) ?? (r.explanation as string | null) ?? '',
    whyMessage: (r.why_message as ReviewItem['whyMessage']) ?? null,
    referenceCode: r.reference_code as string | null,
    classification: r.classification as string | null,
  }));
}
