import { formatTable } from '@oa-archive/cli';
import type { FaultCost, LatencySummary } from './cost.ts';
import type { FaultRecord } from './faults.ts';
import type { ExitRecord } from './service.ts';
import type { Check } from './verdict.ts';

export interface ReportInput {
  seed: number;
  documents: number;
  baselineDocuments: number;
  workers: number;
  perSecond: number;
  mix: string;
  faultGapMs: number;
  /** Epoch ms the faulted phase began: every time in the table counts from it. */
  t0: number;
  baseline: LatencySummary;
  underFaults: LatencySummary;
  faults: (FaultRecord & { cost: FaultCost })[];
  statuses: Record<string, number>;
  unexpectedExits: ExitRecord[];
  failedSends: number;
  settle: string;
  phases: [string, number][];
  checks: Check[];
}

const s = (ms: number | null) => (ms === null || Number.isNaN(ms) ? '—' : `${(ms / 1000).toFixed(1)} s`);
const at = (ms: number) => (ms / 1000).toFixed(1);

export function faultTable(input: Pick<ReportInput, 't0' | 'faults'>): string {
  const rows = input.faults.map((f) => [
    String(f.index),
    f.kind,
    f.target,
    at(f.startedAt - input.t0),
    s(f.holdMs),
    s(f.restoredAt - f.startedAt),
    String(f.cost.inFlight),
    String(f.cost.charged),
    s(f.cost.maxExtraMs),
    String(f.cost.unsettled),
    String(f.cost.failed),
    f.problems.join('; '),
  ]);
  const outage = input.faults.reduce((sum, f) => sum + (f.restoredAt - f.startedAt), 0);
  const worst = Math.max(0, ...input.faults.map((f) => f.cost.maxExtraMs ?? 0));
  const sum = (pick: (c: FaultCost) => number) => String(input.faults.reduce((n, f) => n + pick(f.cost), 0));
  rows.push(['', 'total', `${input.faults.length} faults`, '', '', s(outage), '', sum((c) => c.charged), s(worst), sum((c) => c.unsettled), sum((c) => c.failed), '']);
  return formatTable(['#', 'fault', 'target', 'at (s)', 'held', 'outage', 'in flight', 'charged', 'max extra delay', 'unsettled', 'failed', 'problems'], rows, 90);
}

/** The whole run for a person: setup, the fault table, totals, then every check with its cases. */
export function formatReport(input: ReportInput): string {
  const lines: string[] = [];
  lines.push(`chaos run — seed ${input.seed}: ${input.documents} documents under faults (+${input.baselineDocuments} before, without), ${input.workers} workers, published at ${input.perSecond}/s, ${input.mix === 'mixed' ? 'mixed documents' : 'documents needing no conversion (PDF/A, JPEG)'}, at least ${input.faultGapMs / 1000} s between faults`);
  lines.push(`no-fault baseline, publish → outcome: p50 ${s(input.baseline.p50)}, p95 ${s(input.baseline.p95)}, max ${s(input.baseline.max)} (${input.baseline.documents} documents)`);
  lines.push(`under faults:                         p50 ${s(input.underFaults.p50)}, p95 ${s(input.underFaults.p95)}, max ${s(input.underFaults.max)} (${input.underFaults.documents} with an outcome)`);
  lines.push('');
  lines.push(faultTable(input));
  lines.push('  at = seconds into the faulted phase; outage = until the target answered again (a service: until it was ready);');
  lines.push('  in flight = published before the outage ended and not yet answered when it began; charged = of those, the ones this was the first');
  lines.push('  fault to meet (delay, unsettled and failed count only these); extra delay = publish → outcome less the baseline p50.');
  lines.push('');
  lines.push(`outcomes: ${Object.entries(input.statuses).map(([k, v]) => `${k} ${v}`).join(' · ') || 'none'}; ${input.settle}`);
  if (input.failedSends > 0) lines.push(`the OA's publisher had ${input.failedSends} send(s) refused and retried them (broker down)`);
  if (input.unexpectedExits.length > 0) {
    lines.push('processes that died on their own (and were restarted, as a supervisor would):');
    for (const e of input.unexpectedExits) lines.push(`  ${e.service} at ${at(e.at - input.t0)} s, exit ${e.code ?? e.signal}${e.reason ? `: ${e.reason}` : ''}`);
  }
  lines.push(`time: ${input.phases.map(([name, ms]) => `${name} ${s(ms)}`).join(' · ')}`);
  lines.push('');
  for (const check of input.checks) {
    lines.push(`${check.ok ? 'PASS' : 'FAIL'}  ${check.name}: ${check.summary}`);
    for (const detail of check.details) lines.push(`        ${detail}`);
  }
  const failed = input.checks.filter((c) => !c.ok).map((c) => c.name);
  lines.push('');
  lines.push(failed.length === 0 ? 'every check passed' : `FAILED checks: ${failed.join(', ')}`);
  return lines.join('\n');
}
