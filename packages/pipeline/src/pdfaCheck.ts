import path from 'node:path';
import type { PreservationCopyRecord, PreservationEventRecord } from '@oa-archive/catalog';
import type { PdfAVerdict, VeraPdf } from '@oa-archive/convert';
import type { PdfAVerdictOfCopy } from './checks/filingChecks.ts';
import type { PipelineDeps } from './context.ts';
import { StageError } from './errors.ts';
import { withScratch } from './scratch.ts';
import { localCopy } from './stagedCopies.ts';

/** PREMIS's event type for a format validation of one copy; validate records one per PDF/A copy. */
export const PDFA_VALIDATION_EVENT = 'format validation';

/**
 * veraPDF's verdict on each PDF/A preservation copy, each a PREMIS event naming veraPDF and its
 * version. A copy's bytes are read into scratch (this host's cached copy when it has one) and
 * checked against their digest first. veraPDF not answering throws its retryable error: the
 * document waits, it is never filed as validated.
 */
export async function validatePdfACopies(
  deps: Pick<PipelineDeps, 'store' | 'settings' | 'cache'>,
  validator: VeraPdf,
  ingestId: string,
  copies: readonly PreservationCopyRecord[],
): Promise<{ verdicts: PdfAVerdictOfCopy[]; events: PreservationEventRecord[] }> {
  if (copies.length === 0) return { verdicts: [], events: [] };
  return withScratch(deps.settings.scratchDir, ingestId, async (dir) => {
    const verdicts: PdfAVerdictOfCopy[] = [];
    const events: PreservationEventRecord[] = [];
    for (const copy of copies) {
      const file = path.join(dir, `pdfa-${copy.ordinal}.pdf`);
      const fixity = await localCopy(deps, { key: copy.stagingKey, sha256: copy.sha256, size: copy.size }, file);
      if (fixity.sha256 !== copy.sha256) throw new StageError(`staged preservation copy of component ${copy.ordinal} changed since it was made; replay from convert`, { retryable: false });
      const eventAt = new Date().toISOString();
      const verdict = await validator.validate(file);
      verdicts.push(verdictOfCopy(copy.ordinal, verdict));
      events.push(eventOf(copy, verdict, eventAt, validator.version ?? null));
    }
    return { verdicts, events };
  });
}

export function verdictOfCopy(ordinal: number, verdict: PdfAVerdict): PdfAVerdictOfCopy {
  if (verdict.kind === 'unreadable') return { ordinal, compliant: false, flavour: null, rules: [], failedRules: 0, unreadable: verdict.reason };
  return { ordinal, compliant: verdict.compliant, flavour: verdict.flavour, rules: verdict.failures.map((f) => f.rule), failedRules: verdict.failedRules };
}

function eventOf(copy: PreservationCopyRecord, verdict: PdfAVerdict, eventAt: string, version: string | null): PreservationEventRecord {
  const base = { ordinal: copy.ordinal, eventType: PDFA_VALIDATION_EVENT, eventAt, agentName: 'veraPDF', agentVersion: version, sourceSha256: copy.sha256 };
  if (verdict.kind === 'unreadable') return { ...base, detail: 'PDF/A（veraPDF）', outcome: 'failure', outcomeDetail: `无法解析：${verdict.reason}` };
  return {
    ...base,
    detail: `PDF/A-${verdict.flavour}（veraPDF${verdict.declared ? '' : '，文件未声明PDF/A，按默认标准'}）`,
    outcome: verdict.compliant ? 'success' : 'failure',
    outcomeDetail: verdict.compliant
      ? `合规，${verdict.ms} ms`
      : `不合规，${verdict.failedRules}条规则未通过：${verdict.failures.map((f) => `${f.rule}（${f.count}处）`).join('、')}`,
  };
}
