import type { Stage } from '@oa-archive/contracts';
import type { JobState } from '../queues.ts';
import type { RecoverySettings } from './settings.ts';

/** BullMQ's reason for a job whose worker vanished while running it more often than maxStalledCount allows. */
export const STALLED_REASON = 'job stalled more than allowable limit';
/** An active job is overdue this long after its stage's deadline (the runner should have abandoned it by then). */
export const OVERDUE_MARGIN_MS = 60_000;

/** What the catalog and Redis say about an ingest still on its way. */
export interface RecoveryFacts {
  stage: Stage;
  job: { state: JobState; failedReason?: string | undefined; activeForMs?: number | undefined };
  recoveries: number;
  /** Since the ingest's status last changed. */
  idleMs: number;
}

export type RecoveryDecision =
  | { action: 'none'; why: string }
  /** Put the ingest back at its stage: a fresh job under the deterministic id. */
  | { action: 'requeue'; reason: string }
  /** Its job runs past the deadline: counted, so that after maxRecoveries the ingest is FAILED. */
  | { action: 'overdue'; reason: string }
  | { action: 'fail'; reason: string; retryable: boolean };

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Pure: what to do about one ingest whose status has not changed for a while. */
export function decideRecovery(facts: RecoveryFacts, settings: Pick<RecoverySettings, 'deadlines' | 'maxRecoveries'>): RecoveryDecision {
  const { stage, job } = facts;
  const deadline = settings.deadlines[stage];
  const bounded = (reason: string, action: 'requeue' | 'overdue'): RecoveryDecision =>
    facts.recoveries >= settings.maxRecoveries
      ? { action: 'fail', reason: `${reason}; given up after ${facts.recoveries} recoveries at ${stage}`, retryable: true }
      : { action, reason };
  switch (job.state) {
    case 'waiting':
    case 'delayed':
    case 'prioritized':
    case 'waiting-children':
      return { action: 'none', why: `its ${stage} job is ${job.state}` };
    case 'active':
      if ((job.activeForMs ?? 0) <= deadline + OVERDUE_MARGIN_MS || facts.idleMs <= deadline) return { action: 'none', why: `its ${stage} job is running` };
      return bounded(`its ${stage} job has run ${seconds(job.activeForMs ?? 0)}, past the stage's deadline of ${seconds(deadline)}`, 'overdue');
    case 'failed':
      if (job.failedReason === STALLED_REASON) return bounded(`the worker running its ${stage} job died more often than allowed (${STALLED_REASON})`, 'requeue');
      // The runner fails the ingest before the job; here it could not (the catalog was down): record what the job says.
      return { action: 'fail', reason: `${stage} job failed without the ingest being marked: ${job.failedReason ?? 'no reason recorded'}`, retryable: true };
    case 'completed':
      return bounded(`its ${stage} job completed but the ingest did not move on`, 'requeue');
    case 'missing':
    case 'unknown':
      return bounded(`its ${stage} job is ${job.state === 'missing' ? 'missing from' : 'in no list of'} Redis (lost, or never queued)`, 'requeue');
  }
}
