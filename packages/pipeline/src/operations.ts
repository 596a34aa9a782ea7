import {
  applyTransition,
  classificationOf,
  documentVersionsOf,
  IllegalTransitionError,
  inTransaction,
  lockIngest,
  predictReferenceCode,
  recordClassificationIn,
  stageOf,
  type Catalog,
  type ClassificationDecisionInput,
  type ClassificationRecord,
  type IngestRecord,
  type ItemClass,
  type PredictedReferenceCode,
} from '@oa-archive/catalog';
import { formatReferenceCode, type Retention, type RetentionSchedule } from '@oa-archive/classify';
import { STAGES, type Stage } from '@oa-archive/contracts';
import { JobActiveError, receiptJobKeyOf, type StageQueues } from './queues.ts';

/** A request the operator or admin cannot have: the message says why, in their terms. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
}

/** Finished jobs from `stage` on are cleared before anything is committed, so a refusal leaves nothing half-done. */
async function clearFinishedJobs(queues: StageQueues, ingestId: string, stage: Stage): Promise<void> {
  try {
    await queues.clearFinishedFrom(stage, ingestId);
  } catch (error) {
    if (error instanceof JobActiveError) throw new OperationError(error.message);
    throw error;
  }
}

export interface ReplayRequest {
  /** `failed`: from the stage that failed; `start`: from fetch. */
  from: 'failed' | 'start';
  actor: string;
  reason?: string;
}

/**
 * Runs a FAILED ingest again, from the stage that failed (no later than classify when a later version
 * of the document has arrived meanwhile) or from the start. Safe to repeat: every
 * stage is idempotent, the 档号 is kept (or voided and reissued, recorded, if classification now puts
 * the document elsewhere), the AIP is built once and deposited write-once, so a replay never yields a
 * second AIP or a second number. The request is the transition's audit event, naming who asked.
 */
export async function replayIngest(deps: { catalog: Catalog; queues: StageQueues }, ingestId: string, request: ReplayRequest): Promise<{ ingestId: string; stage: Stage }> {
  const ingest = await deps.catalog.getIngest(ingestId);
  if (!ingest) throw new OperationError(`no ingest ${ingestId}`);
  if (ingest.status !== 'FAILED') throw new OperationError(`ingest ${ingestId} is ${ingest.status}, not FAILED; only failed ingests are replayed`);
  let stage: Stage = request.from === 'start' ? 'fetch' : (ingest.failedStage ?? 'fetch');
  // A version a later one has overtaken goes back through classify, where the version rules settle it
  // (superseded), rather than be filed beside the later one under a 档号 of its own.
  const overtaken = (await documentVersionsOf(deps.catalog.pool, ingestId)).some((v) => v.version > ingest.version && v.status !== 'FAILED');
  if (overtaken && STAGES.indexOf(stage) > STAGES.indexOf('classify')) stage = 'classify';
  await clearFinishedJobs(deps.queues, ingestId, stage);
  try {
    await deps.catalog.transition(ingestId, { event: 'replay', actor: request.actor, stage, ...(request.reason ? { payload: { reason: request.reason } } : {}) });
  } catch (error) {
    if (error instanceof IllegalTransitionError) throw new OperationError(`ingest ${ingestId} is ${error.from} now, not FAILED: someone else acted on it first`);
    throw error;
  }
  // Committed: if this enqueue is lost, the reconciler puts the ingest back at its stage.
  await deps.queues.enqueue(stage, { ingestId, eventId: ingest.eventId });
  return { ingestId, stage };
}

export interface BulkReplayFilter {
  stage?: Stage;
  errorClass?: string;
  source?: string;
  since?: Date;
  until?: Date;
}

/**
 * Replays every failed ingest matching the filter, at most `perSecond` a second so a bulk replay does
 * not flood the pipeline; `dryRun` only lists them. Reports progress as it goes.
 */
export async function replayBulk(
  deps: { catalog: Catalog; queues: StageQueues },
  filter: BulkReplayFilter,
  options: { from: 'failed' | 'start'; actor: string; dryRun: boolean; perSecond: number; onProgress?: (done: number, total: number, ingest: IngestRecord) => void },
): Promise<{ matched: IngestRecord[]; replayed: string[]; refused: { ingestId: string; reason: string }[] }> {
  const matched = await deps.catalog.findFailed(filter);
  const replayed: string[] = [];
  const refused: { ingestId: string; reason: string }[] = [];
  if (options.dryRun) return { matched, replayed, refused };
  const interval = 1000 / Math.max(options.perSecond, 0.001);
  for (const [index, ingest] of matched.entries()) {
    const started = Date.now();
    try {
      await replayIngest(deps, ingest.ingestId, { from: options.from, actor: options.actor, reason: `bulk replay (${JSON.stringify(filter)})` });
      replayed.push(ingest.ingestId);
    } catch (error) {
      refused.push({ ingestId: ingest.ingestId, reason: (error as Error).message });
    }
    options.onProgress?.(index + 1, matched.length, ingest);
    const wait = interval - (Date.now() - started);
    if (wait > 0 && index < matched.length - 1) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return { matched, replayed, refused };
}

/**
 * What a person decides about a document waiting in REVIEW:
 * - file: under this category and retention (a 档号 in that class: kept if it already holds one there,
 *   else the old one voided and a new one taken; a later version of a filed document filed in that
 *   version's class becomes a new version of the same item, under its 档号);
 * - retry: run the stage it waits at again, keeping its decision (the cause was fixed: a conversion
 *   policy, a tool); only after convert or validate;
 * - exclude, quarantine: with the reason (any 档号 it held is voided).
 */
export type ReviewDecision = (
  | { action: 'file'; category: string; retention: Retention; organisationCode?: string; note?: string }
  | { action: 'retry'; note?: string }
  | { action: 'exclude'; note: string }
  | { action: 'quarantine'; note: string }
) & { basis?: ReviewBasis };

/**
 * What a review decision rests on: the rule whose suggestion the person followed, or the person's own
 * note. Recorded with the settlement (the audit event of its transition); without one given, the
 * note is the basis when there is one.
 */
export type ReviewBasis = { kind: 'rule'; ruleId: string } | { kind: 'note'; note: string };

/** Where each kind of wait continues once a person files the document. */
const CONTINUE_AFTER: Partial<Record<Stage, Stage>> = { classify: 'convert', convert: 'convert', validate: 'validate' };

interface Settlement {
  /** Where the pipeline continues, or none for exclude (the outcome is reached at once). */
  next: Stage | undefined;
  classify?: { decision: ClassificationDecisionInput; numbering?: { itemClass: ItemClass; format: (item: number) => string } };
}

/** Checks the decision against the schedule and the place the document waits; says what settling means. */
function planSettlement(ingest: IngestRecord, waitsAt: Stage, earlier: ClassificationRecord | undefined, decision: ReviewDecision, schedule: RetentionSchedule, actor: string): Settlement {
  const who = `人工鉴定（${actor}）`;
  const base = { ruleIds: [`manual:${actor}`], scheduleVersion: schedule.version };
  const none = { category: null, retention: null, organisationCode: null, year: null };
  switch (decision.action) {
    case 'file': {
      const categories = new Set([schedule.categories.default, ...Object.values(schedule.categories.byMediaKind)]);
      if (!categories.has(decision.category)) throw new OperationError(`category ${decision.category} is not in the schedule (${[...categories].join(', ')})`);
      const org = decision.organisationCode ?? schedule.agency.organisations[ingest.departmentCode];
      if (org === undefined) throw new OperationError(`department ${ingest.departmentCode} has no organisation code; give one`);
      const data = ingest.event.data;
      const year = Number((data.dates.signed ?? data.dates.finalized).slice(0, 4));
      const parts = { fonds: schedule.agency.fonds, category: decision.category, year, retention: decision.retention, org };
      return {
        next: CONTINUE_AFTER[waitsAt] ?? 'convert',
        classify: {
          decision: { ...base, outcome: 'FILE', category: decision.category, retention: decision.retention, organisationCode: org, year, explanation: `${who}归档，保管期限${decision.retention}${decision.note ? `：${decision.note}` : ''}` },
          numbering: { itemClass: parts, format: (item) => formatReferenceCode(schedule.referenceCode.template, { ...parts, item }, schedule.referenceCode.itemDigits) },
        },
      };
    }
    case 'retry':
      if (waitsAt === 'classify' || earlier?.outcome !== 'FILE') {
        throw new OperationError(`ingest ${ingest.ingestId} waits after classification: say file (category and retention), exclude or quarantine`);
      }
      return { next: waitsAt };
    case 'exclude':
      return { next: undefined, classify: { decision: { ...base, ...none, outcome: 'EXCLUDE', explanation: `${who}不归档：${decision.note}` } } };
    case 'quarantine':
      return { next: 'deposit', classify: { decision: { ...base, ...none, outcome: 'QUARANTINE', explanation: `${who}隔离：${decision.note}` } } };
  }
}

/**
 * The 档号 filing this waiting document under `decision` would give it, were it settled now: checked
 * as settleReview checks it, numbered by the same formatter; read only, so provisional (another
 * filing in the class can take the next number first).
 */
export async function predictFiling(
  deps: { catalog: Catalog; schedule: RetentionSchedule },
  ingestId: string,
  decision: Extract<ReviewDecision, { action: 'file' }>,
): Promise<PredictedReferenceCode> {
  const ingest = await deps.catalog.getIngest(ingestId);
  if (!ingest) throw new OperationError(`no ingest ${ingestId}`);
  if (ingest.status !== 'REVIEW') throw new OperationError(`ingest ${ingestId} is ${ingest.status}, not waiting for review`);
  const plan = planSettlement(ingest, ingest.currentStage ?? 'classify', await classificationOf(deps.catalog.pool, ingestId), decision, deps.schedule, 'prediction');
  const { decision: filing, numbering } = plan.classify!;
  return predictReferenceCode(deps.catalog.pool, ingestId, filing, numbering!);
}

/**
 * A person settles a document waiting in REVIEW, wherever it waits: after classification (no rule
 * decided), after conversion (no preservation copy could be made) or after validation (a four-properties
 * check failed). Finished jobs are cleared first; then, in one transaction under the ingest's row lock,
 * the status is checked (a concurrent settlement that got there first wins, this one is refused), the
 * decision recorded (with any 档号 voided, reissued or kept) and the transition made with its audit
 * event and receipt. Only then is the next job queued (if that is lost, the reconciler requeues it).
 */
export async function settleReview(
  deps: { catalog: Catalog; queues: StageQueues; schedule: RetentionSchedule },
  ingestId: string,
  decision: ReviewDecision,
  actor: string,
): Promise<{ outcome: string; referenceCode: string | null; next: Stage; waitedAt: Stage }> {
  const { catalog, queues, schedule } = deps;
  const ingest = await catalog.getIngest(ingestId);
  if (!ingest) throw new OperationError(`no ingest ${ingestId}`);
  if (ingest.status !== 'REVIEW') throw new OperationError(`ingest ${ingestId} is ${ingest.status}, not waiting for review`);
  const waitsAt = ingest.currentStage ?? 'classify';
  const earlier = await classificationOf(catalog.pool, ingestId);
  const plan = planSettlement(ingest, waitsAt, earlier, decision, schedule, actor);
  if (plan.next) await clearFinishedJobs(queues, ingestId, plan.next);

  const { record, receipt } = await inTransaction(catalog.pool, async (tx) => {
    const row = await lockIngest(tx, ingestId);
    if (row.status !== 'REVIEW' || stageOf(row) !== waitsAt) throw new OperationError(`ingest ${ingestId} is ${row.status} now, not waiting for review: someone settled it first`);
    const why = `review settled by ${actor}: ${decision.action}${decision.note ? ` (${decision.note})` : ''}`;
    const record = plan.classify ? await recordClassificationIn(tx, ingestId, plan.classify.decision, plan.classify.numbering, `person:${actor}`, why) : earlier!;
    const basis: ReviewBasis | undefined = decision.basis ?? (decision.note ? { kind: 'note', note: decision.note } : undefined);
    const payload = { decision: decision.action, ...(decision.note ? { note: decision.note } : {}), ...(basis ? { basis } : {}), waitedAt: waitsAt, classification: record.outcome, referenceCode: record.referenceCode };
    const transition = plan.next
      ? await applyTransition(tx, ingestId, { event: 'settle', actor, stage: plan.next, payload })
      : await applyTransition(tx, ingestId, { event: 'settle-exclude', actor, payload });
    return { record, receipt: transition.receipt };
  });
  if (plan.next) await queues.enqueue(plan.next, { ingestId, eventId: ingest.eventId });
  else if (receipt) await queues.enqueue('notify', { ingestId, eventId: ingest.eventId }, receiptJobKeyOf(receipt.seq));
  return { outcome: record.outcome, referenceCode: record.referenceCode, next: plan.next ?? 'notify', waitedAt: waitsAt };
}
