import {
  characterizationsOf,
  classificationOf,
  filedDuplicatesOf,
  itemNumbersOfClass,
  metadataRecordOf,
  preservationCopiesOf,
  preservationEventsOf,
  recordPreservationEvent,
  recordValidation,
} from '@oa-archive/catalog';
import { referenceCodePattern } from '@oa-archive/classify';
import { isAccepted } from '@oa-archive/convert';
import type { StageHandler } from '../context.ts';
import { StageError } from '../errors.ts';
import { isPdfACopy } from '../checks/filingChecks.ts';
import { assessFourProperties, type FourPropertiesInput } from '../fourProperties.ts';
import { validatePdfACopies } from '../pdfaCheck.ts';
import { VIRUS_CHECK_EVENT } from '../virusCheck.ts';

/**
 * Checks the four properties (真实性 完整性 可用性 安全性) before filing and records the report. A
 * failed check item sends the document to review with the items named; nothing goes into the
 * archive silently.
 */
export const validateStage: StageHandler = async ({ ingest, deps, log }) => {
  const { catalog, schedule, conversionPolicy } = deps;
  const pool = catalog.pool;
  const [components, characterizations, preservation, classification, metadata, events, duplicates] = await Promise.all([
    catalog.listComponents(ingest.ingestId),
    characterizationsOf(pool, ingest.ingestId),
    preservationCopiesOf(pool, ingest.ingestId),
    classificationOf(pool, ingest.ingestId),
    metadataRecordOf(pool, ingest.ingestId),
    preservationEventsOf(pool, ingest.ingestId),
    filedDuplicatesOf(pool, ingest.ingestId),
  ]);
  if (!classification || classification.outcome !== 'FILE') throw new StageError('validate needs a FILE decision; replay from classify', { retryable: false });

  // Documents holding the 档号: the versions of one document are one archival item, so count once.
  const holders = classification.referenceCode
    ? Number(
        (
          await pool.query<{ n: string }>(
            'SELECT count(DISTINCT (i.source, i.document_id)) AS n FROM classifications c JOIN ingests i ON i.ingest_id = c.ingest_id WHERE c.reference_code = $1',
            [classification.referenceCode],
          )
        ).rows[0]!.n,
      )
    : 0;
  // GD-3-3: veraPDF on every PDF/A copy. Not answering is retryable: the document waits, never filed unchecked.
  const pdfaMode = deps.settings.pdfaValidation ?? 'off';
  if (pdfaMode === 'on' && !deps.pdfaValidator) throw new StageError('VERAPDF_MODE=on but this worker runs no veraPDF; start it with the validate stage', { retryable: true });
  const pdfa = pdfaMode === 'on' ? await validatePdfACopies(deps, deps.pdfaValidator!, ingest.ingestId, preservation.filter(isPdfACopy)) : { verdicts: [], events: [] };
  for (const event of pdfa.events) await recordPreservationEvent(pool, ingest.ingestId, event);
  // Voided numbers (作废) count as used: a class's numbers run 1..N, held or voided.
  const inClass = await itemNumbersOfClass(pool, classification);
  const report = assessFourProperties({
    declaredComponents: ingest.event.data.components.length,
    workflowSteps: ingest.event.data.workflow.steps.length,
    securityLevel: ingest.event.data.securityLevel,
    // Levels filed restricted (内部) are in the archive by design; only the quarantined ones may not be.
    openSecurityLevels: [...schedule.security.openLevels, ...schedule.security.restrictedLevels],
    components: components.map((c) => ({
      ordinal: c.ordinal,
      declaredSha256: c.declaredSha256,
      declaredSize: c.declaredSize,
      sha256: c.sha256,
      size: c.size,
      findings: characterizations.find((x) => x.ordinal === c.ordinal)?.findings ?? [],
      // Written by characterize as SignatureCheck[] (OFD seals and signatures).
      signatures: (characterizations.find((x) => x.ordinal === c.ordinal)?.technical.signatures as FourPropertiesInput['components'][number]['signatures']) ?? [],
    })),
    preservation: preservation.map((p) => ({ ordinal: p.ordinal, target: p.target, formatName: p.formatName, technical: p.technical, findings: p.findings })),
    referenceCode: classification.referenceCode,
    referenceCodeWellFormed: classification.referenceCode !== null && referenceCodePattern(schedule.referenceCode.template, schedule.referenceCode.itemDigits).test(classification.referenceCode),
    referenceCodeHolders: holders,
    itemNumbersInClass: inClass.held,
    voidedItemNumbersInClass: inClass.voided,
    missingMetadata: metadata?.missing ?? [],
    acceptedFormat: (name) => isAccepted(conversionPolicy, name),
    metadataRecord: metadata?.record ?? null,
    dates: ingest.event.data.dates,
    year: classification.year,
    classification: { outcome: classification.outcome, ruleIds: classification.ruleIds, scheduleVersion: classification.scheduleVersion },
    filedDuplicates: duplicates,
    pdfaValidation: { mode: pdfaMode, copies: pdfa.verdicts },
    virusScan: {
      mode: deps.settings.virusScanning ?? 'off',
      maxSignatureAgeDays: deps.settings.virusSignatureMaxAgeDays ?? 0,
      checks: events.filter((e) => e.eventType === VIRUS_CHECK_EVENT).map((e) => ({ ordinal: e.ordinal ?? 0, outcome: e.outcome, outcomeDetail: e.outcomeDetail ?? null, agentVersion: e.agentVersion ?? null, at: e.eventAt })),
    },
  });
  // Non-blocking failures are in the report and the event; only blocking ones hold the document.
  const failed = report.items.filter((i) => i.result === 'fail' && i.blocking);
  const checked = report.items.filter((i) => i.result !== 'not-applicable').length;
  // The report and its PREMIS event in one statement.
  await recordValidation(pool, ingest.ingestId, report.passed, { ...report }, {
    ordinal: null,
    eventType: 'validation',
    eventAt: new Date().toISOString(),
    detail: '四性检测（DA/T 70-2018）',
    outcome: report.passed ? 'success' : 'failure',
    outcomeDetail: report.passed
      ? `${report.items.length}项中${checked}项已检测，阻断项均通过${report.items.some((i) => i.result === 'fail') ? `；未通过（不阻断）：${report.items.filter((i) => i.result === 'fail').map((i) => i.code).join('、')}` : ''}`
      : failed.map((i) => `${i.code} ${i.name}：${i.detail}`).join('；'),
    agentName: 'oa-archive validate',
  });
  const detail = { passed: report.passed, failed: failed.map((i) => i.code) };
  if (!report.passed) {
    const explanation = `四性检测未通过：${failed.map((i) => `${i.code}${i.name}（${i.detail}）`).join('；')}`;
    log.warn({ failed: detail.failed }, explanation);
    // code + params beside the sentence: the console renders it in the reader's language (packages/messages).
    const params = { checks: failed.map((i) => i.code).join(', ') };
    return { detail, outcome: { status: 'REVIEW', payload: { stage: 'validate', explanation, code: 'review.why.checksFailed', params } } };
  }
  return { detail };
};
