import type { IngestStatus, Stage } from '@oa-archive/contracts';
import type { Queryable } from './db.ts';
import { recordClassificationIn, type ClassificationDecisionInput, type ClassificationRecord } from './decisions.ts';
import { applyTransition, lockIngest, type TransitionResult } from './ingestState.ts';

/**
 * The versions of one OA document (same source and document id): what the classify stage judges a new
 * version against, and what the console lists. A filed version's AIP is its own bag; later versions of
 * a filed document hold the same 档号 (`classification.versionOf` names the one each follows).
 */

export interface DocumentVersion {
  ingestId: string;
  version: number;
  status: IngestStatus;
  currentStage: Stage | null;
  securityLevel: string;
  receivedAt: Date;
  completedAt: Date | null;
  classification: Pick<ClassificationRecord, 'outcome' | 'category' | 'year' | 'retention' | 'organisationCode' | 'ruleIds' | 'explanation' | 'referenceCode' | 'itemNumber' | 'versionOf'> | null;
  /** Where its bag is (or will be) in the archive, once packaged. */
  aipPrefix: string | null;
}

/** Every version of the document `ingestId` belongs to (itself included), oldest version first. */
export async function documentVersionsOf(db: Queryable, ingestId: string): Promise<DocumentVersion[]> {
  const { rows } = await db.query(
    `SELECT v.ingest_id, v.version, v.status, v.current_stage, v.security_level, v.received_at, v.completed_at,
            c.outcome, c.category, c.year, c.retention, c.organisation_code, c.rule_ids, c.explanation, c.reference_code, c.item_number, c.version_of,
            a.prefix AS aip_prefix
       FROM ingests me
       JOIN ingests v ON v.source = me.source AND v.document_id = me.document_id
       LEFT JOIN classifications c ON c.ingest_id = v.ingest_id
       LEFT JOIN aips a ON a.ingest_id = v.ingest_id
      WHERE me.ingest_id = $1
      ORDER BY v.version`,
    [ingestId],
  );
  return rows.map((r) => ({
    ingestId: r.ingest_id,
    version: r.version,
    status: r.status,
    currentStage: r.current_stage,
    securityLevel: r.security_level,
    receivedAt: r.received_at,
    completedAt: r.completed_at,
    classification: r.outcome
      ? {
          outcome: r.outcome,
          category: r.category,
          year: r.year,
          retention: r.retention,
          organisationCode: r.organisation_code,
          ruleIds: r.rule_ids,
          explanation: r.explanation,
          referenceCode: r.reference_code,
          itemNumber: r.item_number,
          versionOf: r.version_of,
        }
      : null,
    aipPrefix: r.aip_prefix,
  }));
}

/**
 * Settles a version waiting in REVIEW as superseded by a later version: its decision (EXCLUDE, with
 * why; a 档号 it held is voided, or given back to its item) and the transition to EXCLUDED, with its
 * audit event and receipt, in the caller's transaction. Returns undefined, changing nothing, when the
 * version no longer waits (a person settled it first): the caller judges again.
 */
export async function supersedeWaitingVersion(
  tx: Queryable,
  ingestId: string,
  by: { ingestId: string; version: number },
  decision: ClassificationDecisionInput,
  actor: string,
): Promise<TransitionResult | undefined> {
  const row = await lockIngest(tx, ingestId);
  if (row.status !== 'REVIEW') return undefined;
  const why = `superseded by version ${by.version} (ingest ${by.ingestId}) while waiting for review`;
  const record = await recordClassificationIn(tx, ingestId, decision, undefined, actor, why);
  return applyTransition(tx, ingestId, { event: 'supersede', actor, payload: { supersededBy: by.ingestId, version: by.version, explanation: record.explanation, ruleIds: record.ruleIds } });
}
