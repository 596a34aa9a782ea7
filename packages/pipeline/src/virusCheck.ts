import type { PreservationEventRecord } from '@oa-archive/catalog';
import { finding, type ClamdVersion, type Finding, type VirusScanner } from '@oa-archive/characterize';

/** PREMIS's event type for a virus scan; validate reads these events for GD-4-1 and GD-4-2. */
export const VIRUS_CHECK_EVENT = 'virus check';

/** "ClamAV 1.4.6/27500/…", or the engine alone when clamd runs on local signatures only. */
export const scannerVersionOf = (v: ClamdVersion): string => (v.databaseVersion ? `${v.engine}/${v.databaseVersion}${v.databaseDate ? `/${v.databaseDate}` : ''}` : v.engine);

/**
 * Scans one component's bytes (a scratch copy) with the configured scanner. A signature match is an
 * `unsafe` finding naming the signature, so classification quarantines the document; either way the
 * scan is a PREMIS event with the engine and database version. An unreachable scanner throws its
 * retryable error: the document waits, it is never taken for clean.
 */
export async function checkForViruses(
  scanner: VirusScanner,
  version: ClamdVersion,
  component: { ordinal: number; file: string; sha256: string },
): Promise<{ finding?: Finding; event: PreservationEventRecord }> {
  const verdict = await scanner.scanFile(component.file);
  const event: PreservationEventRecord = {
    ordinal: component.ordinal,
    eventType: VIRUS_CHECK_EVENT,
    eventAt: new Date().toISOString(),
    detail: `clamd INSTREAM (${scanner.address})`,
    outcome: verdict.clean ? 'success' : 'failure',
    outcomeDetail: verdict.clean ? '未检出病毒' : `检出病毒：${verdict.signature}`,
    agentName: 'ClamAV',
    agentVersion: scannerVersionOf(version),
    sourceSha256: component.sha256,
  };
  if (verdict.clean) return { event };
  return { event, finding: finding('virus-detected', `ClamAV检出病毒：${verdict.signature}`) };
}
