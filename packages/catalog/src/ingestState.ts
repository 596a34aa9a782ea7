import type { IngestStatus, Stage } from '@oa-archive/contracts';
import { appendAuditEvents, type NewAuditEvent } from './audit.ts';
import type { Queryable } from './db.ts';
import { writeReceipt } from './receipts.ts';

/**
 * The one state machine of an ingest's status. Every status change goes through `applyTransition`,
 * which checks it against `TRANSITIONS` under the row lock and writes its audit event (and, for an
 * outcome, the receipt to the outbox) in the caller's transaction. Nothing else writes `status`; the
 * database refuses a change that did not come through here (migration 006).
 *
 * Events:
 * - advance     a stage finished and the ingest moves on to the next (worker)
 * - recover     the reconciler put the ingest back at its current stage (its job was lost or is overdue)
 * - file, exclude, quarantine   an outcome reached by the pipeline (worker)
 * - hold        the ingest waits for a person (REVIEW) at the stage that could not decide (worker)
 * - fail        the last attempt failed, or the reconciler gave up (worker, reconciler)
 * - replay      a person runs a FAILED ingest again (audited operator action)
 * - settle, settle-exclude      a person settles a review: the pipeline continues, or the document is excluded
 * - supersede   a later version of the document arrived while this one waited for review: it is settled
 *               as superseded (EXCLUDED, with the version that superseded it) by the later one's classify
 */
export const INGEST_EVENTS = ['advance', 'recover', 'file', 'exclude', 'quarantine', 'hold', 'fail', 'replay', 'settle', 'settle-exclude', 'supersede'] as const;
export type IngestEvent = (typeof INGEST_EVENTS)[number];

/** (from status, event) → to status. A pair that is not here cannot happen. */
export const TRANSITIONS: Readonly<Record<IngestStatus, Readonly<Partial<Record<IngestEvent, IngestStatus>>>>> = {
  RECEIVED: { advance: 'IN_PROGRESS', recover: 'RECEIVED', fail: 'FAILED' },
  IN_PROGRESS: { advance: 'IN_PROGRESS', recover: 'IN_PROGRESS', file: 'FILED', exclude: 'EXCLUDED', quarantine: 'QUARANTINED', hold: 'REVIEW', fail: 'FAILED' },
  // Waits for a person: only a person's settlement moves it, or a later version that supersedes it.
  REVIEW: { settle: 'IN_PROGRESS', 'settle-exclude': 'EXCLUDED', supersede: 'EXCLUDED' },
  // Final, but a person may run it again.
  FAILED: { replay: 'IN_PROGRESS' },
  // Final outcomes: nothing changes them.
  FILED: {},
  EXCLUDED: {},
  QUARANTINED: {},
};

/** Statuses whose ingest is on its way through the stages, so a stage job should exist for it. */
export const ACTIVE_STATUSES: readonly IngestStatus[] = ['RECEIVED', 'IN_PROGRESS'];
/** Statuses answered to the OA with a receipt. REVIEW is one too: the OA learns that a person decides. */
export const RECEIPTED_STATUSES: readonly IngestStatus[] = ['REVIEW', 'FILED', 'EXCLUDED', 'QUARANTINED', 'FAILED'];
/** Events only a person's audited action may cause. */
export const OPERATOR_EVENTS: readonly IngestEvent[] = ['replay', 'settle', 'settle-exclude'];

export const isActive = (status: IngestStatus) => ACTIVE_STATUSES.includes(status);

/** The transition asked for is not in the table: the message names the status, the event and why. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  readonly ingestId: string;
  readonly from: IngestStatus;
  readonly event: IngestEvent;
  constructor(ingestId: string, from: IngestStatus, event: IngestEvent) {
    const allowed = Object.keys(TRANSITIONS[from]);
    const why =
      allowed.length === 0
        ? `${from} is a final outcome; nothing changes it`
        : `from ${from} only ${allowed.join(', ')} can happen${from === 'FAILED' ? ' (a person replays it)' : from === 'REVIEW' ? ' (a person settles it, or a later version supersedes it)' : ''}`;
    super(`ingest ${ingestId} is ${from}: "${event}" is not a transition of an ingest; ${why}`);
    this.ingestId = ingestId;
    this.from = from;
    this.event = event;
  }
}

/** The caller acted for a stage the ingest has left (a stale or duplicated job): nothing was changed. */
export class StaleTransitionError extends Error {
  override readonly name = 'StaleTransitionError';
  readonly ingestId: string;
  constructor(ingestId: string, expected: Stage, actual: Stage) {
    super(`ingest ${ingestId} is at ${actual}, not ${expected}: this is a stale job; nothing was changed`);
    this.ingestId = ingestId;
  }
}

export class UnknownIngestRecordError extends Error {
  override readonly name = 'UnknownIngestRecordError';
  constructor(ingestId: string) {
    super(`ingest ${ingestId} is not in the catalog`);
  }
}

/** Pure: where `event` takes an ingest in status `from`, or an IllegalTransitionError. */
export function nextStatus(ingestId: string, from: IngestStatus, event: IngestEvent): IngestStatus {
  const to = TRANSITIONS[from][event];
  if (to === undefined) throw new IllegalTransitionError(ingestId, from, event);
  return to;
}

/** Pure: can `event` happen to an ingest in status `from`? */
export const canTransition = (from: IngestStatus, event: IngestEvent) => TRANSITIONS[from][event] !== undefined;

/** The audit event type a transition is recorded under: outcomes by what they reached. */
export function auditTypeOf(event: IngestEvent, to: IngestStatus): string {
  if (event === 'advance') return 'stage.completed';
  if (event === 'recover') return 'ingest.recovered';
  if (event === 'replay') return 'ingest.replay-requested';
  if (event === 'settle') return 'ingest.review-settled';
  if (event === 'supersede') return 'ingest.superseded';
  return `ingest.${to.toLowerCase()}`;
}

export interface Failure {
  stage: Stage;
  reason: string;
  retryable: boolean;
  attempts: number;
}

export interface TransitionRequest {
  event: IngestEvent;
  actor: string;
  /** The stage the caller acts for (a job's stage): refused as stale if the ingest is at another one. */
  atStage?: Stage;
  /** advance: the next stage; replay and settle: where the ingest resumes; hold: where it waits. */
  stage?: Stage;
  /** fail: what failed. */
  failure?: Failure;
  /** More for the audit event (the stage run's detail, the reason, who decided what). */
  payload?: Record<string, unknown>;
}

export interface TransitionResult {
  ingestId: string;
  from: IngestStatus;
  to: IngestStatus;
  /** The receipt written to the outbox when the ingest reached an outcome. */
  receipt?: { seq: number; receiptId: string };
}

export interface LockedRow {
  status: IngestStatus;
  current_stage: Stage | null;
  failed_stage: Stage | null;
  failure_reason: string | null;
  recoveries: number;
}

/** Locks the ingest's row for the rest of the transaction and reads where it stands. */
export async function lockIngest(tx: Queryable, ingestId: string): Promise<LockedRow> {
  const { rows } = await tx.query<LockedRow>('SELECT status, current_stage, failed_stage, failure_reason, recoveries FROM ingests WHERE ingest_id = $1 FOR UPDATE', [ingestId]);
  if (!rows[0]) throw new UnknownIngestRecordError(ingestId);
  return rows[0];
}

/** A RECEIVED ingest has no stage yet: its first job is fetch. */
export const stageOf = (row: { current_stage: Stage | null }): Stage => row.current_stage ?? 'fetch';

/**
 * Applies one transition: locks the row, checks the event against the table (and the stage the caller
 * acts for), updates the row, appends the audit event and, when the ingest reaches an outcome, writes
 * its receipt to the outbox. Runs inside the caller's transaction, so all of it lands or none of it.
 * `locked`: the row as the caller locked it in this transaction (lockIngest), unchanged since;
 * `preceding`: audit events of the same change that come before the transition's own in the chain.
 */
export async function applyTransition(tx: Queryable, ingestId: string, request: TransitionRequest, locked?: LockedRow, preceding: readonly NewAuditEvent[] = []): Promise<TransitionResult> {
  const row = locked ?? (await lockIngest(tx, ingestId));
  const to = nextStatus(ingestId, row.status, request.event);
  if (request.atStage && isActive(row.status) && stageOf(row) !== request.atStage) throw new StaleTransitionError(ingestId, request.atStage, stageOf(row));
  const set = columnsFor(request, row);
  // One statement: name the event for the status guard trigger (`via`, evaluated before the row is
  // updated, as the UPDATE joins it), update, and reset it once the row came back updated.
  await tx.query(
    `WITH via AS MATERIALIZED (SELECT set_config('oa_archive.ingest_event', $${3 + set.values.length}, true) AS event),
          changed AS (UPDATE ingests SET status = $2, ${set.sql}, updated_at = now() FROM via WHERE ingest_id = $1 RETURNING 1)
     SELECT set_config('oa_archive.ingest_event', '', true) FROM changed`,
    [ingestId, to, ...set.values, request.event],
  );
  return recordTransition(tx, ingestId, request, row, to, preceding);
}

/**
 * What follows a transition once the row changed (applyTransition, or a statement that changed it
 * with the same checks, see `transitionFrom`): the receipt for an outcome, then the audit events.
 * `row` is the row as locked before the change.
 */
export async function recordTransition(tx: Queryable, ingestId: string, request: TransitionRequest, row: LockedRow, to: IngestStatus, preceding: readonly NewAuditEvent[] = []): Promise<TransitionResult> {
  const result: TransitionResult = { ingestId, from: row.status, to };
  // The receipt first: the audit append takes the chain's lock, held until the transaction ends.
  if (RECEIPTED_STATUSES.includes(to) && to !== row.status) result.receipt = await writeReceipt(tx, ingestId);
  await appendAuditEvents(tx, [...preceding, {
    ingestId,
    type: auditTypeOf(request.event, to),
    actor: request.actor,
    payload: {
      ...request.payload,
      event: request.event,
      from: row.status,
      to,
      ...auditDetailOf(request, row),
    },
  }]);
  return result;
}

/** What the audit event adds for each kind of transition. */
function auditDetailOf(request: TransitionRequest, row: LockedRow): Record<string, unknown> {
  switch (request.event) {
    case 'fail':
      return request.failure ? { ...request.failure } : {};
    case 'recover':
      return { stage: stageOf(row), recoveries: row.recoveries + 1 };
    case 'replay':
    case 'settle':
      return { fromStage: request.stage, previousStatus: row.status, previousFailure: row.failure_reason };
    case 'hold':
      return { stage: request.stage ?? request.atStage ?? stageOf(row) };
    default:
      // advance carries the stage run in its payload; outcomes name the stage that reached them.
      return request.atStage && request.event !== 'advance' ? { stage: request.atStage } : {};
  }
}

/**
 * Where `event` takes an ingest on its way (RECEIVED or IN_PROGRESS) from each status it can happen
 * in, for a statement that checks the locked row itself (`map ->> status`): the pairs of TRANSITIONS.
 */
export function transitionFrom(event: IngestEvent): Partial<Record<IngestStatus, IngestStatus>> {
  return Object.fromEntries(ACTIVE_STATUSES.filter((from) => canTransition(from, event)).map((from) => [from, TRANSITIONS[from][event]!]));
}

/**
 * The columns an event changes besides status, as SQL and its values; the values are parameters
 * `$first` on (after `$2` in applyTransition's statement).
 */
export function columnsFor(request: TransitionRequest, row: Pick<LockedRow, 'current_stage'>, first = 3): { sql: string; values: unknown[] } {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new TypeError(`transition "${request.event}" needs ${what}`);
    return value;
  };
  const [a, b, c] = [`$${first}`, `$${first + 1}`, `$${first + 2}`];
  switch (request.event) {
    case 'advance':
      return { sql: `current_stage = ${a}, recoveries = 0`, values: [need(request.stage, 'the next stage')] };
    case 'recover':
      return { sql: 'recoveries = recoveries + 1', values: [] };
    case 'file':
    case 'exclude':
    case 'quarantine':
    case 'settle-exclude':
    case 'supersede':
      return { sql: 'completed_at = now()', values: [] };
    case 'hold':
      return { sql: `current_stage = ${a}`, values: [request.stage ?? request.atStage ?? stageOf(row)] };
    case 'fail': {
      const failure = need(request.failure, 'the failure');
      return { sql: `failed_stage = ${a}, failure_reason = ${b}, failure_retryable = ${c}, current_stage = ${a}`, values: [failure.stage, failure.reason, failure.retryable] };
    }
    case 'replay':
    case 'settle':
      return {
        sql: `current_stage = ${a}, failed_stage = NULL, failure_reason = NULL, failure_retryable = NULL, completed_at = NULL, recoveries = 0`,
        values: [need(request.stage, 'the stage to resume at')],
      };
  }
}
