import { characterizationsOf, filedDuplicatesOf, metadataRecordOf, recordClassification } from '@oa-archive/catalog';
import { classify, formatReferenceCode, type ComponentFacts, type MediaKind } from '@oa-archive/classify';
import type { StageHandler } from '../context.ts';
import { StageError } from '../errors.ts';

/**
 * Decides the document against the retention schedule and records the decision, with its 档号 for
 * FILE. Then routes it: FILE goes on to conversion; QUARANTINE straight to deposit (into the
 * quarantine bucket); EXCLUDE is answered with a receipt and not deposited; REVIEW waits for a person.
 */
export const classifyStage: StageHandler = async ({ ingest, deps, log }) => {
  const { catalog, schedule } = deps;
  const pool = catalog.pool;
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
  const decision = classify(
    {
      data: ingest.event.data,
      components: facts,
      findings: missing.length > 0 ? [{ code: 'missing-metadata', severity: 'integrity', message: `缺少必填元数据（DA/T 46）：${missing.join('、')}` }] : [],
    },
    schedule,
  );
  const numbering =
    decision.outcome === 'FILE'
      ? {
          itemClass: { fonds: schedule.agency.fonds, category: decision.category!, year: decision.year!, retention: decision.retention!, org: decision.organisationCode! },
          format: (item: number) =>
            formatReferenceCode(schedule.referenceCode.template, { fonds: schedule.agency.fonds, category: decision.category!, year: decision.year!, retention: decision.retention!, org: decision.organisationCode!, item }, schedule.referenceCode.itemDigits),
        }
      : undefined;
  const record = await recordClassification(
    pool,
    ingest.ingestId,
    {
      outcome: decision.outcome,
      category: decision.category ?? null,
      retention: decision.retention ?? null,
      organisationCode: decision.organisationCode ?? null,
      year: decision.year ?? null,
      ruleIds: decision.ruleIds,
      scheduleVersion: decision.scheduleVersion,
      explanation: decision.explanation,
    },
    numbering,
  );
  log.info({ outcome: record.outcome, referenceCode: record.referenceCode, ruleIds: record.ruleIds }, record.explanation);
  const detail = { outcome: record.outcome, referenceCode: record.referenceCode, ruleIds: record.ruleIds, scheduleVersion: record.scheduleVersion, explanation: record.explanation };
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
