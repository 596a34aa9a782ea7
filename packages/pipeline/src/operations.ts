import { classificationOf, recordClassification, type Catalog, type IngestRecord } from '@oa-archive/catalog';
import { formatReferenceCode, type Retention, type RetentionSchedule } from '@oa-archive/classify';
import { STAGES, type Stage } from '@oa-archive/contracts';
import { jobIdOf, type StageQueues } from './queues.ts';

/** A request the operator or admin cannot have: the message says why, in their terms. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
}

const RECEIPT_KEYS = [undefined, 'failed', 'filed', 'excluded', 'review', 'quarantined'];

/**
 * Clears the finished jobs an earlier run left for this ingest from `stage` on, so the fresh run is
 * not mistaken for a duplicate (job ids are one per ingest and stage). An active job is left alone:
 * the ingest is still being worked on and must not be replayed.
 */
async function clearJobsFrom(queues: StageQueues, ingestId: string, stage: Stage): Promise<void> {
  for (const s of STAGES.slice(STAGES.indexOf(stage))) {
    for (const key of s === 'notify' ? RECEIPT_KEYS : [undefined]) {
      const job = await queues.queue(s).getJob(jobIdOf(ingestId, s, key));
      if (!job) continue;
      const state = await job.getState();
      if (state === 'active') throw new OperationError(`ingest ${ingestId} is being worked on at ${s}; wait for it to finish`);
      await job.remove();
    }
  }
}

export interface ReplayRequest {
  /** `failed`: from the stage that failed; `start`: from fetch. */
  from: 'failed' | 'start';
  actor: string;
  reason?: string;
}

/**
 * Runs a FAILED ingest again, from the stage that failed or from the start. Safe to repeat: every
 * stage is idempotent, the 档号 is kept, the AIP is built once and deposited write-once, so a replay
 * never yields a second AIP or a second number. The request is an audit event naming who asked.
 */
export async function replayIngest(deps: { catalog: Catalog; queues: StageQueues }, ingestId: string, request: ReplayRequest): Promise<{ ingestId: string; stage: Stage }> {
  const ingest = await deps.catalog.getIngest(ingestId);
  if (!ingest) throw new OperationError(`no ingest ${ingestId}`);
  if (ingest.status !== 'FAILED') throw new OperationError(`ingest ${ingestId} is ${ingest.status}, not FAILED; only failed ingests are replayed`);
  const stage: Stage = request.from === 'start' ? 'fetch' : (ingest.failedStage ?? 'fetch');
  await clearJobsFrom(deps.queues, ingestId, stage);
  await deps.catalog.recordResumption(ingestId, { stage, actor: request.actor, kind: 'replay-requested', ...(request.reason ? { reason: request.reason } : {}) });
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

export type ReviewDecision =
  | { action: 'file'; category: string; retention: Retention; organisationCode?: string; note?: string }
  | { action: 'exclude'; note: string }
  | { action: 'quarantine'; note: string };

/**
 * A person settles a document waiting in REVIEW after classification: files it (category and
 * retention from the schedule; the 档号 is taken then), excludes it, or quarantines it. The pipeline
 * continues from where it waited; the decision is recorded with who made it.
 */
export async function settleReview(
  deps: { catalog: Catalog; queues: StageQueues; schedule: RetentionSchedule },
  ingestId: string,
  decision: ReviewDecision,
  actor: string,
): Promise<{ outcome: string; referenceCode: string | null; next: Stage }> {
  const { catalog, queues, schedule } = deps;
  const ingest = await catalog.getIngest(ingestId);
  if (!ingest) throw new OperationError(`no ingest ${ingestId}`);
  if (ingest.status !== 'REVIEW') throw new OperationError(`ingest ${ingestId} is ${ingest.status}, not waiting for review`);
  const earlier = await classificationOf(catalog.pool, ingestId);
  if (earlier?.outcome !== 'REVIEW') {
    throw new OperationError(`ingest ${ingestId} waits after ${earlier?.outcome ?? 'no'} classification (a conversion or a four-properties check failed); fix the cause and replay it, or exclude or quarantine it`);
  }
  const who = `人工鉴定（${actor}）`;
  const base = { ruleIds: [`manual:${actor}`], scheduleVersion: schedule.version };
  let next: Stage;
  let record;
  if (decision.action === 'file') {
    const categories = new Set([schedule.categories.default, ...Object.values(schedule.categories.byMediaKind)]);
    if (!categories.has(decision.category)) throw new OperationError(`category ${decision.category} is not in the schedule (${[...categories].join(', ')})`);
    const org = decision.organisationCode ?? schedule.agency.organisations[ingest.departmentCode];
    if (org === undefined) throw new OperationError(`department ${ingest.departmentCode} has no organisation code; give one`);
    const data = ingest.event.data;
    const year = Number((data.dates.signed ?? data.dates.finalized).slice(0, 4));
    record = await recordClassification(
      catalog.pool,
      ingestId,
      { ...base, outcome: 'FILE', category: decision.category, retention: decision.retention, organisationCode: org, year, explanation: `${who}归档，保管期限${decision.retention}${decision.note ? `：${decision.note}` : ''}` },
      {
        itemClass: { fonds: schedule.agency.fonds, category: decision.category, year, retention: decision.retention, org },
        format: (item) => formatReferenceCode(schedule.referenceCode.template, { fonds: schedule.agency.fonds, category: decision.category, year, retention: decision.retention, org, item }, schedule.referenceCode.itemDigits),
      },
      `person:${actor}`,
    );
    next = 'convert';
  } else {
    const outcome = decision.action === 'exclude' ? 'EXCLUDE' : 'QUARANTINE';
    record = await recordClassification(
      catalog.pool,
      ingestId,
      { ...base, outcome, category: null, retention: null, organisationCode: null, year: null, explanation: `${who}${decision.action === 'exclude' ? '不归档' : '隔离'}：${decision.note}` },
      undefined,
      `person:${actor}`,
    );
    next = decision.action === 'exclude' ? 'notify' : 'deposit';
  }
  await catalog.recordResumption(ingestId, { stage: next, actor, kind: 'review-settled', reason: decision.action });
  if (decision.action === 'exclude') await catalog.recordOutcome(ingestId, 'EXCLUDED', { ruleIds: record.ruleIds, explanation: record.explanation });
  await clearJobsFrom(queues, ingestId, next);
  await queues.enqueue(next, { ingestId, eventId: ingest.eventId }, decision.action === 'exclude' ? 'excluded' : undefined);
  return { outcome: record.outcome, referenceCode: record.referenceCode, next };
}
