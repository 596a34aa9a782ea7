import { accessRestrictionRecordOf, classificationOf, gatewaySubmissionOf, validationReportOf, waitingOf, type Catalog } from '@oa-archive/catalog';
import { FINAL_STATUSES, ingestIdOf, type IngestStatus } from '@oa-archive/contracts';

/**
 * What became of one version of a document, as the OA may ask: read-only, from the catalog. Before
 * intake has recorded it the answer is ACCEPTED (published by the gateway, on its way).
 */

export interface FourPropertiesItem {
  code: string;
  property: string;
  name: string;
  result: string;
  detail: string;
}

export interface DocumentStatus {
  source: string;
  documentId: string;
  version: number;
  ingestId: string;
  status: 'ACCEPTED' | IngestStatus;
  /** True once the outcome is final (FILED, EXCLUDED, QUARANTINED, FAILED); REVIEW waits for a person. */
  final: boolean;
  accepted: { at: string; channel: string; eventId: string } | null;
  /** 档号, for a filed document. */
  referenceCode: string | null;
  reasons: string[];
  classification: { outcome: string; category: string | null; retention: string | null; ruleIds: string[]; scheduleVersion: string; explanation: string } | null;
  fourProperties: { passed: boolean; items: FourPropertiesItem[] } | null;
  failure: { stage: string | null; reason: string | null; retryable: boolean | null } | null;
  /**
   * 限制利用 (e.g. 内部): filed, DA/T 46 权限管理 · 控制标识 控制; only `minimumRole` and above may use the
   * content (this API serves metadata only). Null for an unrestricted document.
   */
  access: { restricted: true; controlMark: string; securityLevel: string; minimumRole: string; basis: string } | null;
  /** What the document waits for before it can go on (the virus scanner when clamd is down); never filed meanwhile. */
  waiting: { for: string; since: string; reason: string } | null;
  updatedAt: string | null;
}

export async function documentStatus(catalog: Catalog, key: { source: string; documentId: string; version: number }): Promise<DocumentStatus | undefined> {
  const ingestId = ingestIdOf(key);
  const [submission, ingest] = await Promise.all([gatewaySubmissionOf(catalog.pool, key), catalog.getIngest(ingestId)]);
  if (!submission && !ingest) return undefined;
  const accepted = submission ? { at: submission.acceptedAt.toISOString(), channel: submission.channel, eventId: submission.eventId } : null;
  if (!ingest) {
    return { ...key, ingestId, status: 'ACCEPTED', final: false, accepted, referenceCode: null, reasons: [], classification: null, fourProperties: null, failure: null, access: null, waiting: null, updatedAt: accepted?.at ?? null };
  }
  const [classification, validation, restriction, waiting] = await Promise.all([
    classificationOf(catalog.pool, ingestId),
    validationReportOf(catalog.pool, ingestId),
    accessRestrictionRecordOf(catalog.pool, ingestId),
    waitingOf(catalog.pool, ingestId),
  ]);
  const items = ((validation?.report.items as FourPropertiesItem[] | undefined) ?? []).map(({ code, property, name, result, detail }) => ({ code, property, name, result, detail }));
  const reasons: string[] = [];
  if (ingest.failureReason) reasons.push(ingest.failureReason);
  if (classification && ingest.status !== 'FILED') reasons.push(classification.explanation);
  for (const item of items.filter((i) => i.result === 'fail')) reasons.push(`${item.code} ${item.name}：${item.detail}`);
  return {
    ...key,
    ingestId,
    status: ingest.status,
    final: FINAL_STATUSES.includes(ingest.status),
    accepted,
    referenceCode: classification?.referenceCode ?? null,
    reasons,
    classification: classification
      ? { outcome: classification.outcome, category: classification.category, retention: classification.retention, ruleIds: classification.ruleIds, scheduleVersion: classification.scheduleVersion, explanation: classification.explanation }
      : null,
    fourProperties: validation ? { passed: validation.passed, items } : null,
    failure: ingest.status === 'FAILED' ? { stage: ingest.failedStage, reason: ingest.failureReason, retryable: ingest.failureRetryable } : null,
    access: restriction ? { restricted: true, controlMark: restriction.controlMark, securityLevel: restriction.securityLevel, minimumRole: restriction.minimumRole, basis: restriction.basis } : null,
    waiting: waiting ? { for: waiting.for, since: waiting.since.toISOString(), reason: waiting.reason } : null,
    updatedAt: ingest.updatedAt.toISOString(),
  };
}
