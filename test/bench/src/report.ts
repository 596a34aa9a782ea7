import { OUTCOMES } from './cluster.ts';
import type { ProfileSummary } from './profile.ts';
import type { BatchResult, LatencyStats, RateResult, SingleResult } from './scenarios.ts';
import { fixed } from './stats.ts';

const s = (ms: number) => (Number.isFinite(ms) ? `${fixed(ms / 1000, 2)}` : 'n/a');
const STAGE_ORDER = ['fetch', 'characterize', 'classify', 'convert', 'validate', 'package', 'deposit', 'notify', 'none'];
const byStage = (a: string, b: string) => STAGE_ORDER.indexOf(a) - STAGE_ORDER.indexOf(b);

export function latencyLine(stats: Record<string, LatencyStats>): string {
  return OUTCOMES.filter((o) => stats[o])
    .map((o) => `${o} ${s(stats[o]!.p50)}/${s(stats[o]!.p95)}/${s(stats[o]!.p99)} s (${stats[o]!.count})`)
    .join(' · ');
}

export function outcomeCounts(result: { outcomes: { status: string }[] }): string {
  const counts: Record<string, number> = {};
  for (const o of result.outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return OUTCOMES.filter((o) => counts[o]).map((o) => `${o} ${counts[o]}`).join(' · ');
}

export function stageTimes(p50: Record<string, number>): string {
  return Object.keys(p50)
    .sort(byStage)
    .map((stage) => `${stage} ${fixed(p50[stage]!, 0)}`)
    .join(' · ');
}

/** CPU per document by where it went: the worker, the tools it started, the other services, the infrastructure. */
export function cpuLines(result: BatchResult): string[] {
  const per = (seconds: number) => `${fixed((seconds * 1000) / result.documents, 0)} ms`;
  const groups = Object.entries(result.cpu).filter(([, v]) => v > 0.005).sort((a, b) => b[1] - a[1]);
  const accounted = groups.reduce((sum, [, v]) => sum + v, 0);
  return [
    `  CPU per document, by process: ${groups.map(([name, v]) => `${name} ${per(v)}`).join(' · ')}`,
    `    all of these ${per(accounted)}; the whole machine ${per(result.machineCpu)} (other helpers' runs included) over ${fixed(result.seconds, 1)} s on ${fixed(result.machineCpu / result.seconds, 2)} busy cores`,
  ];
}

/** S3 requests, processes started and PostgreSQL round trips (the worker's, stages and the rest) per document of a batch. */
export function perDocument(result: BatchResult): { s3: number; processes: number; postgres: number } {
  const sum = (m: Record<string, Record<string, number>>) => Object.values(m).reduce((a, byCommand) => a + Object.values(byCommand).reduce((x, y) => x + y, 0), 0);
  const postgres = Object.values(result.costs.postgres).reduce((a, b) => a + b, 0);
  return { s3: sum(result.costs.s3) / result.documents, processes: sum(result.costs.processes) / result.documents, postgres: postgres / result.documents };
}

export function costLines(result: BatchResult): string[] {
  const lines = ['  per stage run: S3 requests by command · processes started · PostgreSQL round trips'];
  const stages = new Set([...Object.keys(result.costs.runs), ...Object.keys(result.costs.s3), ...Object.keys(result.costs.processes), ...Object.keys(result.costs.postgres)]);
  let s3Total = 0;
  let processTotal = 0;
  let postgresTotal = 0;
  for (const stage of [...stages].sort(byStage)) {
    const runs = result.costs.runs[stage] ?? 0;
    const s3 = result.costs.s3[stage] ?? {};
    const processes = result.costs.processes[stage] ?? {};
    const s3Sum = Object.values(s3).reduce((a, b) => a + b, 0);
    const processSum = Object.values(processes).reduce((a, b) => a + b, 0);
    const postgres = result.costs.postgres[stage] ?? 0;
    s3Total += s3Sum;
    processTotal += processSum;
    postgresTotal += postgres;
    // Work outside a stage (receipt relay, reconciler, custody) has no runs: its count is per document.
    const perRun = (n: number) => fixed(n / Math.max(1, runs), 2);
    const detail = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${perRun(v)}`).join(', ');
    if (runs === 0 && s3Sum === 0 && processSum === 0) {
      lines.push(`    ${stage.padEnd(13)} no stage: ${fixed(postgres / result.documents, 2)} PostgreSQL round trips per document`);
      continue;
    }
    lines.push(`    ${stage.padEnd(13)} ${String(runs).padStart(4)} runs: ${perRun(s3Sum)} S3${s3Sum ? ` (${detail(s3)})` : ''} · ${perRun(processSum)} processes${processSum ? ` (${detail(processes)})` : ''} · ${perRun(postgres)} PostgreSQL`);
  }
  lines.push(
    `    per document: ${fixed(s3Total / result.documents, 1)} S3 requests, ${fixed(processTotal / result.documents, 2)} processes started, ${fixed(postgresTotal / result.documents, 1)} PostgreSQL round trips by the worker (before: 55.6 S3 requests, 0.70 processes, re-measured)`,
  );
  return lines;
}

export function rateTable(results: RateResult[]): string[] {
  const lines = ['  offered  achieved  all p50/p95/p99 s     per outcome p50/p95/p99 s                       backlog at end (every 5 s)   sustainable'];
  for (const r of results) {
    lines.push(
      `  ${fixed(r.offered, 1).padStart(5)}/s  ${fixed(r.achieved, 2).padStart(6)}/s  ${`${s(r.all.p50)}/${s(r.all.p95)}/${s(r.all.p99)}`.padEnd(20)}  ${latencyLine(r.byOutcome).padEnd(48)}  ${`${r.backlogAtEnd} (${r.backlogTrend.join(' ')})`.padEnd(27)}  ${r.sustainable ? 'yes' : `no${r.drained ? '' : ', not drained'}`}`,
    );
  }
  return lines;
}

export function singleLine(label: string, r: SingleResult): string[] {
  return [`  ${label}: p50 ${fixed(r.latency.p50, 0)} ms, p95 ${fixed(r.latency.p95, 0)} ms over ${r.runs} (${Object.entries(r.statuses).map(([k, v]) => `${k} ${v}`).join(', ')})`, `    stage time p50 (ms): ${stageTimes(r.stageP50Ms)}`];
}

export function profileLines(worker: string, p: ProfileSummary): string[] {
  const pct = (x: number) => `${fixed(x * 100, 1)} %`;
  return [
    `CPU profile of ${worker} (node --cpu-prof): ${fixed(p.busyMs / 1000, 1)} s busy, ${fixed(p.idleMs / 1000, 1)} s idle`,
    '  top functions by self time:',
    ...p.top.map((f, i) => `    ${String(i + 1).padStart(2)}. ${pct(f.share).padStart(7)}  ${f.name}  ${f.where}`),
    `  by area: ${p.areas.map((a) => `${a.area} ${pct(a.share)}`).join(' · ')}`,
  ];
}
