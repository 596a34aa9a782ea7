/** What the faults cost in delay: pure arithmetic over publish and outcome times. */

export interface DocumentTiming {
  documentId: string;
  publishedAt: number;
  /** When the OA was told the outcome (or the catalog recorded it); null when it never was. */
  outcomeAt: number | null;
  status: string | null;
}

export interface LatencySummary {
  documents: number;
  p50: number;
  p95: number;
  max: number;
}

export interface FaultWindow {
  startedAt: number;
  restoredAt: number;
}

export interface FaultCost {
  /** Documents published before the fault was over and not yet answered when it began. */
  inFlight: number;
  /** Of those, the ones this was the first fault to meet: their delay is charged to it. */
  charged: number;
  /** The largest publish → outcome time among the charged, less the no-fault median; null if none has an outcome. */
  maxExtraMs: number | null;
  /** Of the charged: without an outcome at the end, and ended FAILED. */
  unsettled: number;
  failed: number;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const latencyOf = (d: DocumentTiming) => (d.outcomeAt === null ? null : d.outcomeAt - d.publishedAt);

export function summarize(documents: DocumentTiming[]): LatencySummary {
  const latencies = documents.map(latencyOf).filter((l): l is number => l !== null);
  return { documents: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.length ? Math.max(...latencies) : Number.NaN };
}

const inFlightDuring = (fault: FaultWindow, d: DocumentTiming) => d.publishedAt <= fault.restoredAt && (d.outcomeAt === null || d.outcomeAt >= fault.startedAt);

/**
 * Each fault's cost. A document in flight during several faults is charged to the first it met:
 * a worker killed mid-job delays that job until its lock expires, and the faults that follow only
 * find it still waiting.
 */
export function costsOf(faults: FaultWindow[], documents: DocumentTiming[], baseline: LatencySummary): FaultCost[] {
  const ordered = faults.map((f, i) => ({ f, i })).sort((a, b) => a.f.startedAt - b.f.startedAt);
  const chargedTo = new Map<DocumentTiming, number>();
  for (const d of documents) {
    const first = ordered.find(({ f }) => inFlightDuring(f, d));
    if (first) chargedTo.set(d, first.i);
  }
  return faults.map((fault, i) => {
    const charged = documents.filter((d) => chargedTo.get(d) === i);
    const extras = charged.map(latencyOf).filter((l): l is number => l !== null).map((l) => Math.max(0, l - baseline.p50));
    return {
      inFlight: documents.filter((d) => inFlightDuring(fault, d)).length,
      charged: charged.length,
      maxExtraMs: extras.length ? Math.max(...extras) : null,
      unsettled: charged.filter((d) => d.outcomeAt === null).length,
      failed: charged.filter((d) => d.status === 'FAILED').length,
    };
  });
}
