import { characterizationsOf, classificationOf, itemNumbersOfClass, metadataRecordOf, preservationCopiesOf, recordPreservationEvent, recordValidationReport } from '@oa-archive/catalog';
import { referenceCodePattern } from '@oa-archive/classify';
import { isAccepted } from '@oa-archive/convert';
import type { StageHandler } from '../context.ts';
import { StageError } from '../errors.ts';
import { assessFourProperties } from '../fourProperties.ts';

/**
 * Checks the four properties (真实性 完整性 可用性 安全性) before filing and records the report. A
 * failed check item sends the document to review with the items named; nothing goes into the
 * archive silently.
 */
export const validateStage: StageHandler = async ({ ingest, deps, log }) => {
  const { catalog, schedule, conversionPolicy } = deps;
  const pool = catalog.pool;
  const [components, characterizations, preservation, classification, metadata] = await Promise.all([
    catalog.listComponents(ingest.ingestId),
    characterizationsOf(pool, ingest.ingestId),
    preservationCopiesOf(pool, ingest.ingestId),
    classificationOf(pool, ingest.ingestId),
    metadataRecordOf(pool, ingest.ingestId),
  ]);
  if (!classification || classification.outcome !== 'FILE') throw new StageError('validate needs a FILE decision; replay from classify', { retryable: false });

  const holders = classification.referenceCode
    ? Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM classifications WHERE reference_code = $1', [classification.referenceCode])).rows[0]!.n)
    : 0;
  // Voided numbers (作废) count as used: a class's numbers run 1..N, held or voided.
  const inClass = await itemNumbersOfClass(pool, classification);
  const report = assessFourProperties({
    declaredComponents: ingest.event.data.components.length,
    workflowSteps: ingest.event.data.workflow.steps.length,
    securityLevel: ingest.event.data.securityLevel,
    openSecurityLevels: schedule.security.openLevels,
    components: components.map((c) => ({
      ordinal: c.ordinal,
      declaredSha256: c.declaredSha256,
      declaredSize: c.declaredSize,
      sha256: c.sha256,
      size: c.size,
      findings: characterizations.find((x) => x.ordinal === c.ordinal)?.findings ?? [],
    })),
    preservation: preservation.map((p) => ({ ordinal: p.ordinal, target: p.target, formatName: p.formatName, technical: p.technical, findings: p.findings })),
    referenceCode: classification.referenceCode,
    referenceCodeWellFormed: classification.referenceCode !== null && referenceCodePattern(schedule.referenceCode.template, schedule.referenceCode.itemDigits).test(classification.referenceCode),
    referenceCodeHolders: holders,
    itemNumbersInClass: inClass.held,
    voidedItemNumbersInClass: inClass.voided,
    missingMetadata: metadata?.missing ?? [],
    acceptedFormat: (name) => isAccepted(conversionPolicy, name),
  });
  await recordValidationReport(pool, ingest.ingestId, report.passed, { ...report });
  const failed = report.items.filter((i) => i.result === 'fail');
  await recordPreservationEvent(pool, ingest.ingestId, {
    ordinal: null,
    eventType: 'validation',
    eventAt: new Date().toISOString(),
    detail: '四性检测（DA/T 70-2018）',
    outcome: report.passed ? 'success' : 'failure',
    outcomeDetail: report.passed ? `${report.items.length}项检测通过` : failed.map((i) => `${i.code} ${i.name}：${i.detail}`).join('；'),
    agentName: 'oa-archive validate',
  });
  const detail = { passed: report.passed, failed: failed.map((i) => i.code) };
  if (!report.passed) {
    const explanation = `四性检测未通过：${failed.map((i) => `${i.code}${i.name}（${i.detail}）`).join('；')}`;
    log.warn({ failed: detail.failed }, explanation);
    return { detail, outcome: { status: 'REVIEW', payload: { stage: 'validate', explanation } } };
  }
  return { detail };
};
