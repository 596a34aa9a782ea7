import { clearWaiting, markWaiting, type PreservationEventRecord, type Queryable } from '@oa-archive/catalog';
import { ClamdUnavailableError, finding, type ClamdVersion, type Finding, type VirusScanner } from '@oa-archive/characterize';
import { StageDeferredError } from './errors.ts';

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

/** Bounds of the wait between tries while clamd is down: the first retry soon, then as long as it has waited so far. */
export const SCANNER_WAIT = { minMs: 1_000, maxMs: 60_000 } as const;

/**
 * How long a document that waits for clamd waits before the next try: as long as it has waited
 * already (so the gaps double), within SCANNER_WAIT. Pure.
 */
export function scannerRetryDelayMs(waitingSince: Date, now: Date, bounds: { minMs: number; maxMs: number } = SCANNER_WAIT): number {
  const waited = Math.max(0, now.getTime() - waitingSince.getTime());
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, waited));
}

/**
 * Runs what needs clamd. Unreachable, the document is marked as waiting for the scanner (shown by the
 * console and the status API) and the stage deferred with backoff, spending no attempt: a document is
 * never filed unscanned, nor FAILED for the scanner's outage. Once clamd answers the mark goes.
 */
export async function withScanner<T>(
  db: Queryable,
  ingestId: string,
  run: () => Promise<T>,
  options: { clearOnAnswer: boolean; bounds?: { minMs: number; maxMs: number } },
): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (error) {
    if (!(error instanceof ClamdUnavailableError)) throw error;
    const waiting = await markWaiting(db, ingestId, { for: 'virus-scanner', reason: error.message });
    throw new StageDeferredError(`waiting for the virus scanner: ${error.message}`, scannerRetryDelayMs(waiting.since, new Date(), options.bounds), { cause: error });
  }
  // Once per attempt (the first question to clamd) is enough: later calls need not touch the row.
  if (options.clearOnAnswer) await clearWaiting(db, ingestId);
  return result;
}
