import { documentVersionsOf, inTransaction, supersedeWaitingVersion, type DocumentVersion, type IngestRecord } from '@oa-archive/catalog';
import { supersededWhileWaiting, versionStep, type VersionFacts, type VersionStep } from '@oa-archive/classify';
import { receiptJobKeyOf } from '../queues.ts';
import type { PipelineDeps } from '../context.ts';
import { StageDeferredError } from '../errors.ts';

/** How long a version waits before looking again at an earlier version still on its way. */
export const VERSION_WAIT_MS = 5_000;

const factsOf = (v: DocumentVersion): VersionFacts => ({ ingestId: v.ingestId, version: v.version, status: v.status, securityLevel: v.securityLevel, classification: v.classification });

/**
 * Settles what the document's other versions require before this version is decided (the rules are
 * packages/classify's versions.ts): waits (the job is deferred) while the previous version is on its
 * way, settles a previous version waiting for review as superseded (with its receipt, queued), and
 * returns what the decision is judged against, or that a later version supersedes this one.
 */
export async function resolveVersions(ingest: IngestRecord, deps: PipelineDeps): Promise<Extract<VersionStep, { step: 'judge' | 'superseded' }>> {
  // Each supersession removes one waiting version; a person settling one meanwhile just means looking again.
  for (let round = 0; round < 10; round++) {
    const step = versionStep(ingest.version, (await documentVersionsOf(deps.catalog.pool, ingest.ingestId)).filter((v) => v.ingestId !== ingest.ingestId).map(factsOf));
    if (step.step === 'judge' || step.step === 'superseded') return step;
    if (step.step === 'wait') {
      throw new StageDeferredError(`version ${step.on.version} of document ${ingest.documentId} is still on its way (${step.on.status}); version ${ingest.version} is classified after it`, VERSION_WAIT_MS);
    }
    const waiting = step.waiting;
    const result = await inTransaction(deps.catalog.pool, (tx) =>
      supersedeWaitingVersion(tx, waiting.ingestId, { ingestId: ingest.ingestId, version: ingest.version }, decisionInput(supersededWhileWaiting(ingest.version, deps.schedule.version)), 'worker:classify'),
    );
    if (result?.receipt) {
      const other = await deps.catalog.getIngest(waiting.ingestId);
      // The receipt is in the outbox already; this only makes it leave now rather than at the relay's next pass.
      if (other) await deps.queues.enqueue('notify', { ingestId: other.ingestId, eventId: other.eventId }, receiptJobKeyOf(result.receipt.seq));
    }
  }
  throw new StageDeferredError(`the versions of document ${ingest.documentId} kept changing while version ${ingest.version} was classified`, VERSION_WAIT_MS);
}

/** A decision of the rules as the catalog records it. */
export function decisionInput(d: { outcome: 'FILE' | 'EXCLUDE' | 'REVIEW' | 'QUARANTINE'; category?: string; retention?: 'Y' | 'D30' | 'D10'; organisationCode?: string; year?: number; ruleIds: string[]; scheduleVersion: string; explanation: string }) {
  return {
    outcome: d.outcome,
    category: d.category ?? null,
    retention: d.retention ?? null,
    organisationCode: d.organisationCode ?? null,
    year: d.year ?? null,
    ruleIds: d.ruleIds,
    scheduleVersion: d.scheduleVersion,
    explanation: d.explanation,
  };
}
