import type pg from 'pg';
import type { DocumentFinalizedEvent, IngestStatus, Stage } from '@oa-archive/contracts';
import { appendAuditEvent, type NewAuditEvent } from './audit.ts';
import { inTransaction, type Queryable } from './db.ts';
import {
  applyTransition,
  columnsFor,
  IllegalTransitionError,
  isActive,
  recordTransition,
  stageOf,
  transitionFrom,
  UnknownIngestRecordError,
  type Failure,
  type IngestEvent,
  type LockedRow,
  type TransitionRequest,
  type TransitionResult,
} from './ingestState.ts';

/** The catalog's view of one ingest. */
export interface IngestRecord {
  ingestId: string;
  source: string;
  documentId: string;
  version: number;
  eventId: string;
  title: string;
  documentType: string;
  departmentCode: string;
  securityLevel: string;
  finalizedAt: Date;
  event: DocumentFinalizedEvent;
  status: IngestStatus;
  currentStage: Stage | null;
  failedStage: Stage | null;
  failureReason: string | null;
  failureRetryable: boolean | null;
  receivedAt: Date;
  enqueuedAt: Date | null;
  completedAt: Date | null;
  /** Times the reconciler put the ingest back at its current stage since it last moved on. */
  recoveries: number;
  updatedAt: Date;
}

export interface ComponentRecord {
  ingestId: string;
  ordinal: number;
  role: string;
  fileName: string;
  declaredMediaType: string | null;
  declaredSize: number | null;
  declaredSha256: string | null;
  sourceUrl: string;
  stagingKey: string | null;
  size: number | null;
  sha256: string | null;
  sm3: string | null;
  archiveBucket: string | null;
  archiveKey: string | null;
}

/** An outcome a stage reached, recorded with the stage's run. */
export interface StageOutcome {
  status: 'FILED' | 'EXCLUDED' | 'QUARANTINED' | 'REVIEW';
  /** What the audit event says about it (rule ids, explanation, where it was deposited …). */
  payload: Record<string, unknown>;
}

const OUTCOME_EVENTS: Record<StageOutcome['status'], IngestEvent> = { FILED: 'file', EXCLUDED: 'exclude', QUARANTINED: 'quarantine', REVIEW: 'hold' };

/** What became of a stage run for the ingest's status. */
export interface StageRunEffect {
  transition?: TransitionResult;
  /** Why the run changed nothing: the ingest had left this stage (a stale or duplicated job). */
  stale?: string;
}

export interface StageRunRecord {
  stage: Stage;
  attempt: number;
  status: 'SUCCEEDED' | 'FAILED';
  startedAt: Date;
  finishedAt: Date;
  detail: Record<string, unknown>;
}

/** An ingest without the OA event it came with: what lists need. */
export type IngestSummary = Omit<IngestRecord, 'event'>;

export const INGEST_SUMMARY_COLUMNS = `ingest_id, source, document_id, version, event_id, title, document_type, department_code,
  security_level, finalized_at, status, current_stage, failed_stage, failure_reason, failure_retryable,
  received_at, enqueued_at, completed_at, recoveries, updated_at`;
const INGEST_COLUMNS = `${INGEST_SUMMARY_COLUMNS}, event`;

export function ingestSummaryFromRow(r: Record<string, unknown>): IngestSummary {
  return {
    ingestId: r.ingest_id as string,
    source: r.source as string,
    documentId: r.document_id as string,
    version: r.version as number,
    eventId: r.event_id as string,
    title: r.title as string,
    documentType: r.document_type as string,
    departmentCode: r.department_code as string,
    securityLevel: r.security_level as string,
    finalizedAt: r.finalized_at as Date,
    status: r.status as IngestStatus,
    currentStage: r.current_stage as Stage | null,
    failedStage: r.failed_stage as Stage | null,
    failureReason: r.failure_reason as string | null,
    failureRetryable: r.failure_retryable as boolean | null,
    receivedAt: r.received_at as Date,
    enqueuedAt: r.enqueued_at as Date | null,
    completedAt: r.completed_at as Date | null,
    recoveries: (r.recoveries as number | undefined) ?? 0,
    updatedAt: r.updated_at as Date,
  };
}

function ingestFromRow(r: Record<string, unknown>): IngestRecord {
  return { ...ingestSummaryFromRow(r), event: r.event as DocumentFinalizedEvent };
}

const toNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function componentFromRow(r: Record<string, unknown>): ComponentRecord {
  return {
    ingestId: r.ingest_id as string,
    ordinal: r.ordinal as number,
    role: r.role as string,
    fileName: r.file_name as string,
    declaredMediaType: r.declared_media_type as string | null,
    declaredSize: toNumber(r.declared_size),
    declaredSha256: r.declared_sha256 as string | null,
    sourceUrl: r.source_url as string,
    stagingKey: r.staging_key as string | null,
    size: toNumber(r.size),
    sha256: r.sha256 as string | null,
    sm3: r.sm3 as string | null,
    archiveBucket: r.archive_bucket as string | null,
    archiveKey: r.archive_key as string | null,
  };
}

/**
 * Locks the ingest's row for the rest of the transaction, reading where it stands (as lockIngest), and
 * records the stage run: one statement, one round trip. The lock comes first (the insert reads from
 * it), so two of these on one ingest queue for the row instead of deadlocking on the run's reference.
 */
async function lockAndRecordRun(tx: Queryable, ingestId: string, stage: Stage, run: Omit<StageRunRecord, 'stage'>): Promise<LockedRow> {
  const { rows } = await tx.query<LockedRow>(
    `WITH locked AS (SELECT ingest_id, status, current_stage, failed_stage, failure_reason, recoveries FROM ingests WHERE ingest_id = $1 FOR UPDATE),
          run AS (INSERT INTO stage_runs (ingest_id, stage, attempt, status, started_at, finished_at, detail) SELECT ingest_id, $2::text, $3::integer, $4::text, $5::timestamptz, $6::timestamptz, $7::jsonb FROM locked)
     SELECT status, current_stage, failed_stage, failure_reason, recoveries FROM locked`,
    [ingestId, stage, run.attempt, run.status, run.startedAt, run.finishedAt, run.detail],
  );
  if (!rows[0]) throw new UnknownIngestRecordError(ingestId);
  return rows[0];
}

/**
 * lockAndRecordRun and, in the same statement, the transition `request` when the run speaks for the
 * ingest (on its way, at `stage`) and the state machine allows the event from its status: the row
 * changes as applyTransition would change it, under the same status guard (migration 006). Returns
 * the row as locked, before the change, and the status it now has if it changed. The caller records
 * the transition (recordTransition), or finds out why not (stale, or not a transition: an error).
 */
async function lockRecordRunAndTransition(
  tx: Queryable,
  ingestId: string,
  stage: Stage,
  run: Omit<StageRunRecord, 'stage'>,
  request: TransitionRequest & { atStage: Stage },
): Promise<{ row: LockedRow; to?: IngestStatus }> {
  const set = columnsFor(request, { current_stage: stage }, 10);
  // `via` names the event for the status guard only when the row will change: it is read from the
  // locked row (so after the lock), and the UPDATE joins it (so before the row is updated).
  const { rows } = await tx.query<LockedRow & { to: IngestStatus | null; reset: string | null }>(
    `WITH locked AS (SELECT ingest_id, status, current_stage, failed_stage, failure_reason, recoveries FROM ingests WHERE ingest_id = $1 FOR UPDATE),
          run AS (INSERT INTO stage_runs (ingest_id, stage, attempt, status, started_at, finished_at, detail) SELECT ingest_id, $2::text, $3::integer, $4::text, $5::timestamptz, $6::timestamptz, $7::jsonb FROM locked),
          via AS MATERIALIZED (
            SELECT set_config('oa_archive.ingest_event', $8::text, true) AS event, $9::jsonb ->> l.status AS to_status FROM locked l
             WHERE $9::jsonb ? l.status AND COALESCE(l.current_stage, 'fetch') = $2::text),
          changed AS (UPDATE ingests SET status = via.to_status, ${set.sql}, updated_at = now() FROM via WHERE ingest_id = $1 RETURNING ingests.status)
     SELECT l.status, l.current_stage, l.failed_stage, l.failure_reason, l.recoveries, (SELECT c.status FROM changed c) AS to,
            (SELECT set_config('oa_archive.ingest_event', '', true) FROM changed) AS reset
       FROM locked l`,
    [ingestId, stage, run.attempt, run.status, run.startedAt, run.finishedAt, run.detail, request.event, transitionFrom(request.event), ...set.values],
  );
  const row = rows[0];
  if (!row) throw new UnknownIngestRecordError(ingestId);
  const { to, reset: _reset, ...locked } = row;
  return { row: locked, ...(to ? { to } : {}) };
}

/** Why a run of `stage` no longer speaks for the ingest, if it does not. */
function staleReason(row: { status: IngestStatus; current_stage: Stage | null }, stage: Stage): string | undefined {
  if (!isActive(row.status)) return `the ingest is ${row.status}`;
  if (stageOf(row) !== stage) return `the ingest is at ${stageOf(row)}`;
  return undefined;
}

/** PostgreSQL-backed catalog of ingests, components and stage runs; every change is audited in the same transaction. */
export class Catalog {
  readonly pool: pg.Pool;
  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /**
   * Records a new ingest with its components, or finds the one this key already made.
   * `created: false` means the event is a duplicate (redelivery or resend).
   */
  async recordIngest(ingestId: string, event: DocumentFinalizedEvent): Promise<{ created: boolean; ingest: IngestRecord }> {
    return inTransaction(this.pool, async (tx) => {
      const d = event.data;
      const inserted = await tx.query(
        `INSERT INTO ingests (ingest_id, source, document_id, version, event_id, title, document_type, department_code,
           security_level, finalized_at, event, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'RECEIVED')
         ON CONFLICT (source, document_id, version) DO NOTHING
         RETURNING ${INGEST_COLUMNS}`,
        [ingestId, event.source, d.documentId, d.version, event.id, d.title, d.documentType, d.departmentCode,
          d.securityLevel, d.dates.finalized, event],
      );
      if (inserted.rows[0]) {
        // Every component in one statement, numbered from 1 in the event's order.
        const cs = d.components;
        await tx.query(
          `INSERT INTO components (ingest_id, ordinal, role, file_name, declared_media_type, declared_size, declared_sha256, source_url)
           SELECT $1, c.ordinal, c.role, c.file_name, c.media_type, c.size, c.sha256, c.url
             FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[]) WITH ORDINALITY AS c(role, file_name, media_type, size, sha256, url, ordinal)`,
          [ingestId, cs.map((c) => c.role), cs.map((c) => c.fileName), cs.map((c) => c.mediaType ?? null), cs.map((c) => c.size ?? null), cs.map((c) => c.sha256 ?? null), cs.map((c) => c.url)],
        );
        await appendAuditEvent(tx, {
          ingestId,
          type: 'ingest.received',
          actor: 'intake',
          payload: { eventId: event.id, source: event.source, documentId: d.documentId, version: d.version, components: d.components.length },
        });
        return { created: true, ingest: ingestFromRow(inserted.rows[0]) };
      }
      const existing = await tx.query(`SELECT ${INGEST_COLUMNS} FROM ingests WHERE source = $1 AND document_id = $2 AND version = $3`, [
        event.source,
        d.documentId,
        d.version,
      ]);
      return { created: false, ingest: ingestFromRow(existing.rows[0]!) };
    });
  }

  /** Notes that the ingest's first job is in the queue; a later duplicate event then has nothing to do. */
  async markEnqueued(ingestId: string): Promise<void> {
    await this.pool.query(
      `UPDATE ingests SET enqueued_at = COALESCE(enqueued_at, now()), updated_at = now() WHERE ingest_id = $1`,
      [ingestId],
    );
  }

  async getIngest(ingestId: string, db: Queryable = this.pool): Promise<IngestRecord | undefined> {
    const { rows } = await db.query(`SELECT ${INGEST_COLUMNS} FROM ingests WHERE ingest_id = $1`, [ingestId]);
    return rows[0] ? ingestFromRow(rows[0]) : undefined;
  }

  async listIngests(filter: { source?: string; status?: IngestStatus; limit?: number } = {}): Promise<IngestRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT ${INGEST_COLUMNS} FROM ingests
       WHERE ($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY received_at, ingest_id LIMIT $3`,
      [filter.source ?? null, filter.status ?? null, filter.limit ?? 1000],
    );
    return rows.map(ingestFromRow);
  }

  async countByStatus(source?: string): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM ingests WHERE ($1::text IS NULL OR source = $1) GROUP BY status`,
      [source ?? null],
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async listComponents(ingestId: string): Promise<ComponentRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM components WHERE ingest_id = $1 ORDER BY ordinal', [ingestId]);
    return rows.map(componentFromRow);
  }

  async recordFetched(ingestId: string, ordinal: number, fetched: { stagingKey: string; size: number; sha256: string; sm3?: string | undefined }): Promise<void> {
    await this.pool.query(
      `UPDATE components SET staging_key = $3, size = $4, sha256 = $5, sm3 = $6, fetched_at = now() WHERE ingest_id = $1 AND ordinal = $2`,
      [ingestId, ordinal, fetched.stagingKey, fetched.size, fetched.sha256, fetched.sm3 ?? null],
    );
  }

  /** Several components staged, in one statement. */
  async recordFetchedMany(ingestId: string, fetched: readonly { ordinal: number; stagingKey: string; size: number; sha256: string; sm3?: string | undefined }[]): Promise<void> {
    if (fetched.length === 0) return;
    await this.pool.query(
      `UPDATE components c SET staging_key = f.staging_key, size = f.size, sha256 = f.sha256, sm3 = f.sm3, fetched_at = now()
         FROM unnest($2::int[], $3::text[], $4::bigint[], $5::text[], $6::text[]) AS f(ordinal, staging_key, size, sha256, sm3)
        WHERE c.ingest_id = $1 AND c.ordinal = f.ordinal`,
      [ingestId, fetched.map((f) => f.ordinal), fetched.map((f) => f.stagingKey), fetched.map((f) => f.size), fetched.map((f) => f.sha256), fetched.map((f) => f.sm3 ?? null)],
    );
  }

  /** Where several components were deposited, in one statement. */
  async recordDepositedMany(ingestId: string, deposited: readonly { ordinal: number; bucket: string; key: string }[]): Promise<void> {
    if (deposited.length === 0) return;
    await this.pool.query(
      `UPDATE components c SET archive_bucket = d.bucket, archive_key = d.key, deposited_at = COALESCE(c.deposited_at, now())
         FROM unnest($2::int[], $3::text[], $4::text[]) AS d(ordinal, bucket, key)
        WHERE c.ingest_id = $1 AND c.ordinal = d.ordinal`,
      [ingestId, deposited.map((d) => d.ordinal), deposited.map((d) => d.bucket), deposited.map((d) => d.key)],
    );
  }

  async recordDeposited(ingestId: string, ordinal: number, deposited: { bucket: string; key: string }): Promise<void> {
    await this.pool.query(
      `UPDATE components SET archive_bucket = $3, archive_key = $4, deposited_at = COALESCE(deposited_at, now())
       WHERE ingest_id = $1 AND ordinal = $2`,
      [ingestId, ordinal, deposited.bucket, deposited.key],
    );
  }

  /**
   * A succeeded stage run with its audit event and, in the same transaction, what it means for the
   * ingest: it moves on to `next`, or reaches `outcome` (with its receipt in the outbox). A run for a
   * stage the ingest has left is recorded as stale and changes nothing. Notify changes nothing either:
   * it only delivers receipts.
   */
  async completeStage(ingestId: string, stage: Stage, run: Omit<StageRunRecord, 'stage' | 'status'>, route: { next?: Stage; outcome?: StageOutcome }): Promise<StageRunEffect> {
    return inTransaction(this.pool, async (tx) => {
      const actor = `worker:${stage}`;
      const runPayload = { stage, attempt: run.attempt, ...(route.next && !route.outcome ? { next: route.next } : {}), ...run.detail };
      if (stage === 'notify' || (!route.outcome && !route.next)) {
        const row = await lockAndRecordRun(tx, ingestId, stage, { ...run, status: 'SUCCEEDED' });
        const stale = stage === 'notify' ? undefined : staleReason(row, stage);
        await appendAuditEvent(tx, { ingestId, type: 'stage.completed', actor, payload: { ...runPayload, ...(stale ? { stale } : {}) } });
        return stale ? { stale } : {};
      }
      const completed = { ingestId, type: 'stage.completed', actor, payload: runPayload };
      // An outcome's event follows the run's; on to the next stage, the run's event is the transition's: "done, on to next".
      const [request, preceding]: [TransitionRequest & { atStage: Stage }, NewAuditEvent[]] = route.outcome
        ? [{ event: OUTCOME_EVENTS[route.outcome.status], actor, atStage: stage, payload: route.outcome.payload }, [completed]]
        : [{ event: 'advance', actor, atStage: stage, stage: route.next!, payload: runPayload }, []];
      const { row, to } = await lockRecordRunAndTransition(tx, ingestId, stage, { ...run, status: 'SUCCEEDED' }, request);
      const stale = staleReason(row, stage);
      if (stale) {
        await appendAuditEvent(tx, { ingestId, type: 'stage.completed', actor, payload: { ...runPayload, stale } });
        return { stale };
      }
      // Unchanged though on its way at this stage: the event cannot happen from its status (all is rolled back).
      if (!to) throw new IllegalTransitionError(ingestId, row.status, request.event);
      return { transition: await recordTransition(tx, ingestId, request, row, to, preceding) };
    });
  }

  /**
   * A failed attempt with its audit event; after the last attempt (`final`) the ingest is FAILED in the
   * same transaction, unless it has left this stage or the stage is notify (a receipt that could not be
   * sent yet never changes the outcome it reports).
   */
  async recordAttemptFailed(ingestId: string, stage: Stage, run: Omit<StageRunRecord, 'stage' | 'status'>, final?: Failure): Promise<StageRunEffect> {
    return inTransaction(this.pool, async (tx) => {
      const row = await lockAndRecordRun(tx, ingestId, stage, { ...run, status: 'FAILED' });
      const failed = { ingestId, type: 'stage.attempt-failed', actor: `worker:${stage}`, payload: { stage, attempt: run.attempt, ...run.detail } };
      const stale = final && stage !== 'notify' ? staleReason(row, stage) : undefined;
      if (!final || stage === 'notify' || stale) {
        await appendAuditEvent(tx, failed);
        return stale ? { stale } : {};
      }
      return { transition: await applyTransition(tx, ingestId, { event: 'fail', actor: `worker:${stage}`, atStage: stage, failure: final }, row, [failed]) };
    });
  }

  /** The ingest is FAILED at `failure.stage` (refused unless it is on its way and at that stage). */
  async markFailed(ingestId: string, failure: Failure, actor = `worker:${failure.stage}`, payload?: Record<string, unknown>): Promise<TransitionResult> {
    return this.transition(ingestId, { event: 'fail', actor, atStage: failure.stage, failure, ...(payload ? { payload } : {}) });
  }

  /** Any transition of the state machine, in its own transaction. */
  async transition(ingestId: string, request: TransitionRequest): Promise<TransitionResult> {
    return inTransaction(this.pool, (tx) => applyTransition(tx, ingestId, request));
  }

  /** Failed ingests matching a filter, for replay (dry run or real). `errorClass` is the error's name. */
  async findFailed(filter: { stage?: Stage; errorClass?: string; source?: string; since?: Date; until?: Date; limit?: number }): Promise<IngestRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT ${INGEST_COLUMNS} FROM ingests
       WHERE status = 'FAILED'
         AND ($1::text IS NULL OR failed_stage = $1)
         AND ($2::text IS NULL OR failure_reason LIKE $2 || ':%')
         AND ($3::text IS NULL OR source = $3)
         AND ($4::timestamptz IS NULL OR updated_at >= $4)
         AND ($5::timestamptz IS NULL OR updated_at < $5)
       ORDER BY updated_at, ingest_id LIMIT $6`,
      [filter.stage ?? null, filter.errorClass ?? null, filter.source ?? null, filter.since ?? null, filter.until ?? null, filter.limit ?? 10_000],
    );
    return rows.map(ingestFromRow);
  }

  async stageRuns(ingestId: string): Promise<StageRunRecord[]> {
    const { rows } = await this.pool.query(
      'SELECT stage, attempt, status, started_at, finished_at, detail FROM stage_runs WHERE ingest_id = $1 ORDER BY id',
      [ingestId],
    );
    return rows.map((r) => ({
      stage: r.stage,
      attempt: r.attempt,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      detail: r.detail,
    }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
