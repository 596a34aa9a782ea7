import { characterizationsOf, filedDuplicatesOf, metadataRecordOf, recordAccessRestriction, recordClassification } from '@oa-archive/catalog';
import { accessRestrictionOf, applyVersionRules, classify, formatReferenceCode, supersededByLater, type ComponentFacts, type MediaKind } from '@oa-archive/classify';
import type { StageHandler } from '../context.ts';
import { StageError } from '../errors.ts';
import { decisionInput, resolveVersions } from './versions.ts';

/**
 * Decides the document against the retention schedule and records the decision, with its 档号 for
 * FILE. Then routes it: FILE goes on to conversion; QUARANTINE straight to deposit (into the
 * quarantine bucket); EXCLUDE is answered with a receipt and not deposited; REVIEW waits for a person.
 * A new version of a document the archive holds is judged with its earlier versions (./versions.ts):
 * it may wait for one, supersede one waiting for review, be superseded, or become a new version of a
 * filed item under the same 档号.
 */
export const classifyStage: StageHandler = async ({ ingest, deps, log }) => {
  const { catalog, schedule } = deps;
  const pool = catalog.pool;
  const versions = await resolveVersions(ingest, deps);
  if (versions.step === 'superseded') {
    const record = await recordClassification(pool, ingest.ingestId, decisionInput(supersededByLater(versions.by, schedule.version)));
    log.info({ supersededBy: versions.by.ingestId }, record.explanation);
    return {
      detail: { outcome: record.outcome, ruleIds: record.ruleIds, scheduleVersion: record.scheduleVersion, explanation: record.explanation, supersededBy: versions.by.ingestId },
      outcome: { status: 'EXCLUDED', payload: { ruleIds: record.ruleIds, explanation: record.explanation, supersededBy: versions.by.ingestId } },
    };
  }
  const [components, characterizations, duplicates, metadata] = await Promise.all([
    catalog.listComponents(ingest.ingestId),
    characterizationsOf(pool, ingest.ingestId),
    filedDuplicatesOf(pool, ingest.ingestId),
    metadataRecordOf(pool, ingest.ingestId),
  ]);
  const facts: ComponentFacts[] = components.map((component) => {
    const c = characterizations.find((x) => x.ordinal === component.ordinal);
    if (!c) throw new StageError(`component ${component.ordinal} was not characterized; replay from characterize`, { retryable: false });
    return { ordinal: component.ordinal, role: component.role, mediaKind: (c.format.mediaKind as MediaKind) ?? 'other', findings: c.findings, duplicateOf: duplicates.get(component.ordinal) };
  });
  const missing = metadata?.missing ?? [];
  const scheduled = classify(
    {
      data: ingest.event.data,
      components: facts,
      findings: missing.length > 0 ? [{ code: 'missing-metadata', severity: 'integrity', message: `缺少必填元数据（DA/T 46）：${missing.join('、')}`, params: { detail: missing.join('、') } }] : [],
    },
    schedule,
  );
  const decision = applyVersionRules(scheduled, { securityLevel: ingest.securityLevel, ...(versions.previous ? { previous: versions.previous } : {}), ...(versions.filed ? { filed: versions.filed } : {}) });
  const numbering =
    decision.outcome === 'FILE'
      ? {
          itemClass: { fonds: schedule.agency.fonds, category: decision.category!, year: decision.year!, retention: decision.retention!, org: decision.organisationCode! },
          format: (item: number) =>
            formatReferenceCode(schedule.referenceCode.template, { fonds: schedule.agency.fonds, category: decision.category!, year: decision.year!, retention: decision.retention!, org: decision.organisationCode!, item }, schedule.referenceCode.itemDigits),
        }
      : undefined;
  // 限制利用 goes with the document whatever the outcome, so a person filing it from review keeps it.
  const restriction = accessRestrictionOf(schedule, ingest.event.data.securityLevel);
  await recordAccessRestriction(pool, ingest.ingestId, restriction);
  // A FILE decision in the class of the document's latest filed version takes that version's 档号 (the catalog sees to it).
  const record = await recordClassification(pool, ingest.ingestId, decisionInput(decision), numbering);
  log.info({ outcome: record.outcome, referenceCode: record.referenceCode, ruleIds: record.ruleIds, versionOf: record.versionOf }, record.explanation);
  const detail = {
    outcome: record.outcome,
    referenceCode: record.referenceCode,
    ruleIds: record.ruleIds,
    scheduleVersion: record.scheduleVersion,
    explanation: record.explanation,
    ...(record.versionOf ? { versionOf: record.versionOf } : {}),
    ...(restriction ? { access: { controlMark: restriction.controlMark, minimumRole: restriction.minimumRole } } : {}),
  };
  switch (record.outcome) {
    case 'FILE':
      return { detail };
    case 'QUARANTINE':
      return { detail, next: 'deposit' };
    case 'EXCLUDE':
      return { detail, outcome: { status: 'EXCLUDED', payload: { ruleIds: record.ruleIds, explanation: record.explanation } } };
    case 'REVIEW':
      return { detail, outcome: { status: 'REVIEW', payload: { ruleIds: record.ruleIds, explanation: record.explanation } } };
  }
};
