import { ACTIVE_STATUSES, applyTransition, inTransaction, isActive, type Catalog, type TransitionResult } from '@oa-archive/catalog';
import type { IngestStatus, Stage } from '@oa-archive/contracts';
import type { Logger } from '@oa-archive/observability';
import type { PipelineMetrics } from '../metrics.ts';
import { receiptJobKeyOf, type JobState, type StageQueues } from '../queues.ts';
import { decideRecovery, type RecoveryDecision } from './decide.ts';
import type { RecoverySettings } from './settings.ts';

// One reconciler pass at a time across all processes; any constant shared by them works.
const RECONCILE_LOCK = 727_003;

export interface RecoveryDeps {
  catalog: Catalog;
  queues: StageQueues;
  logger?: Logger;
  metrics?: PipelineMetrics;
}

/** What the reconciler did about one ingest; also in the audit trail (payload.recovery). */
export interface RecoveryAction {
  ingestId: string;
  stage: Stage;
  action: 'requeued' | 'overdue' | 'failed';
  reason: string;
  jobState: JobState;
}

export interface ReconcileReport {
  ran: boolean;
  /** Why the pass did not run (another process holds the reconciler lock). */
  skipped?: string;
  /** Ingests on their way whose status had not changed within the grace period. */
  checked: number;
  actions: RecoveryAction[];
}

const ACTION_NAMES = { requeue: 'requeued', overdue: 'overdue', fail: 'failed' } as const;
/** Pages of `batchSize` ingests one pass looks at, at most. */
const MAX_PAGES_PER_PASS = 20;

/**
 * One reconciler pass: every ingest still on its way whose status has not changed within the grace
 * period is checked against its stage job in Redis. A job lost (Redis lost its data, or intake's first
 * enqueue never landed), failed without the ingest being marked, or finished without the ingest moving
 * on is put back at the ingest's stage under the deterministic job id; one running past its deadline is
 * counted; after `maxRecoveries` the ingest is FAILED with the reason. Each action is a transition with
 * its audit event. Safe to run from several processes: a pass holds an advisory lock, and each ingest
 * is handled under its row lock (skipped while a worker holds it).
 */
export async function reconcileJobs(deps: RecoveryDeps, settings: RecoverySettings, actor = 'reconciler'): Promise<ReconcileReport> {
  const client = await deps.catalog.pool.connect();
  let healthy = false;
  try {
    const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [RECONCILE_LOCK]);
    if (!rows[0]?.got) {
      healthy = true;
      return { ran: false, skipped: 'another reconciler pass is running', checked: 0, actions: [] };
    }
    try {
      const actions: RecoveryAction[] = [];
      let checked = 0;
      // Keyset pages, oldest change first, so a long queue of healthy ingests does not hide a stranded one.
      // Microseconds kept as text: a JS Date would round them and page over the same rows again.
      let after: { at: string; id: string } | undefined;
      for (let page = 0; page < MAX_PAGES_PER_PASS; page++) {
        const { rows: candidates } = await client.query<{ ingest_id: string; at: string }>(
          `SELECT ingest_id, updated_at::text AS at FROM ingests
            WHERE status IN (${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')}) AND updated_at < now() - make_interval(secs => $1)
              AND ($2::timestamptz IS NULL OR (updated_at, ingest_id) > ($2, $3))
            ORDER BY updated_at, ingest_id LIMIT $4`,
          [settings.graceMs / 1000, after?.at ?? null, after?.id ?? null, settings.batchSize],
        );
        for (const { ingest_id } of candidates) {
          try {
            const action = await reconcileIngest(deps, ingest_id, settings, { actor, skipLocked: true, minIdleMs: settings.graceMs });
            if (action) actions.push(action);
          } catch (error) {
            // One ingest that cannot be handled now (Redis or the catalog failing) must not stop the pass.
            deps.logger?.error({ err: error, ingestId: ingest_id }, 'reconciler could not check this ingest; next pass tries again');
          }
        }
        checked += candidates.length;
        const last = candidates.at(-1);
        if (!last || candidates.length < settings.batchSize) break;
        after = { at: last.at, id: last.ingest_id };
      }
      if (actions.length > 0) deps.logger?.warn({ checked, actions: actions.length }, 'reconciler recovered ingests');
      healthy = true;
      return { ran: true, checked, actions };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [RECONCILE_LOCK]);
    }
  } finally {
    // A connection whose unlock may not have run is closed, which releases the lock with the session.
    client.release(!healthy);
  }
}

/**
 * Checks one ingest and, if it needs it, acts under its row lock: the reconciler's per-ingest step, also used by a
 * worker's `failed` handler for the job it just saw fail (`stage` then says which job; nothing is done
 * if the ingest has moved elsewhere). Returns what was done, if anything.
 */
export async function reconcileIngest(
  deps: RecoveryDeps,
  ingestId: string,
  settings: RecoverySettings,
  options: { actor: string; skipLocked?: boolean; minIdleMs?: number; stage?: Stage },
): Promise<RecoveryAction | undefined> {
  type Row = { status: IngestStatus; current_stage: Stage | null; recoveries: number; event_id: string; idle_ms: number };
  const columns = `status, current_stage, recoveries, event_id, extract(epoch FROM now() - updated_at) * 1000 AS idle_ms`;
  /** What the row and its job call for; `undefined` when nothing is to be done. */
  const judge = async (row: Row | undefined) => {
    if (!row || !isActive(row.status)) return undefined;
    const idleMs = Number(row.idle_ms);
    if (options.minIdleMs !== undefined && idleMs < options.minIdleMs) return undefined;
    const stage = row.current_stage ?? 'fetch';
    if (options.stage && options.stage !== stage) return undefined;
    const { job, state } = await deps.queues.jobOf(stage, ingestId);
    const decision: RecoveryDecision = decideRecovery(
      { stage, job: { state, failedReason: job?.failedReason, activeForMs: state === 'active' && job?.processedOn ? Date.now() - job.processedOn : undefined }, recoveries: row.recoveries, idleMs },
      settings,
    );
    return decision.action === 'none' ? undefined : { stage, job, state, decision };
  };
  // Most ingests looked at are healthy: judge them without taking their row lock.
  const unlocked = (await deps.catalog.pool.query<Row>(`SELECT ${columns} FROM ingests WHERE ingest_id = $1`, [ingestId])).rows[0];
  if (!(await judge(unlocked))) return undefined;

  const outcome = await inTransaction(deps.catalog.pool, async (tx) => {
    const { rows } = await tx.query<Row>(`SELECT ${columns} FROM ingests WHERE ingest_id = $1 FOR UPDATE ${options.skipLocked ? 'SKIP LOCKED' : ''}`, [ingestId]);
    const row = rows[0];
    // Judged again under the lock: a worker may have moved it on meanwhile.
    const judged = await judge(row);
    if (!row || !judged) return undefined;
    const { stage, job, state, decision } = judged;
    const action: RecoveryAction = { ingestId, stage, action: ACTION_NAMES[decision.action], reason: decision.reason, jobState: state };
    const recovery = { action: action.action, reason: decision.reason, jobState: state };
    let transition: TransitionResult;
    if (decision.action === 'fail') {
      transition = await applyTransition(tx, ingestId, {
        event: 'fail',
        actor: options.actor,
        atStage: stage,
        failure: { stage, reason: `RecoveryError: ${decision.reason}`, retryable: decision.retryable, attempts: job?.attemptsMade ?? 0 },
        payload: { recovery },
      });
    } else {
      transition = await applyTransition(tx, ingestId, { event: 'recover', actor: options.actor, atStage: stage, payload: { reason: decision.reason, recovery } });
      if (decision.action === 'requeue') {
        // A finished job keeps its id taken; only then is the fresh one not a duplicate. Inside the
        // transaction: if Redis refuses, nothing is recorded and the next pass tries again.
        if (job && state !== 'missing') await job.remove();
        await deps.queues.enqueue(stage, { ingestId, eventId: row.event_id });
      }
    }
    return { action, transition, eventId: row.event_id };
  });
  if (!outcome) return undefined;
  deps.metrics?.recoveries.inc({ action: outcome.action.action });
  deps.logger?.warn({ ...outcome.action }, `ingest ${outcome.action.action} by ${options.actor}: ${outcome.action.reason}`);
  // The FAILED receipt is in the outbox already; its notify job only makes it leave sooner.
  if (outcome.transition.receipt) await deps.queues.enqueue('notify', { ingestId, eventId: outcome.eventId }, receiptJobKeyOf(outcome.transition.receipt.seq));
  return outcome.action;
}
