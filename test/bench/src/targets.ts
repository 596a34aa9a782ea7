/**
 * What `pnpm bench` prints each figure against: the figures from before the work of issue 11 — those
 * the issue gave (`before`) and those measured again on this machine just before the changes
 * (`remeasured`, 2026-12-01, the same code with only the cost counters added, load average 6–10 from
 * other work on the machine) — and the target for this 2-core machine.
 */
export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface FigureSpec {
  label: string;
  unit: string;
  digits: number;
  before?: number;
  remeasured?: number;
  target?: Target;
}

const spec = (label: string, unit: string, digits: number, before?: number | [number, number], target?: Target): FigureSpec => ({
  label,
  unit,
  digits,
  ...(before === undefined ? {} : Array.isArray(before) ? { before: before[0], remeasured: before[1] } : { before }),
  ...(target ? { target } : {}),
});
const atLeast = (value: number): Target => ({ op: '>=', value });
const atMost = (value: number): Target => ({ op: '<=', value });

export const FIGURES = {
  burstThroughput: spec('burst of 60, mixed: throughput', 'documents/s', 2, [1.78, 5.65], atLeast(8)),
  burstP50: spec('burst of 60, mixed: event → FILED p50', 's', 2, [26.6, 7.26]),
  burstP95: spec('burst of 60, mixed: event → FILED p95', 's', 2, [32.1, 10.34], atMost(10)),
  workerCpu: spec('worker CPU per document (burst)', 'ms', 0, [500, 95], atMost(50)),
  s3PerDocument: spec('S3 requests per document (burst)', '', 1, [Number.NaN, 55.6]),
  postgresPerDocument: spec('PostgreSQL round trips per document, worker (burst)', '', 1, [Number.NaN, 136]),
  singleMixed: spec('one mixed document on warm services: p50', 'ms', 0, 1700, atMost(600)),
  singlePdfA: spec('one 1-page PDF/A (no conversion) on warm services: p50', 'ms', 0, undefined, atMost(300)),
  noConversion: spec('no-conversion mix (PDF/A, JPEG): throughput', 'documents/s', 2, undefined, atLeast(20)),
  sustainable: spec('highest sustainable open-loop rate (p95 < 5 s, backlog flat)', 'documents/s', 1, undefined, atLeast(8)),
  splitThroughput: spec('burst of 60 with two workers (convert | the rest): throughput', 'documents/s', 2),
  veraPdf: spec('veraPDF per one-page PDF/A-2b, warm JVM: p50', 'ms', 0, undefined, atMost(200)),
  largeStageShare: spec('1 GiB fetch + stage vs plain read + SHA-256 + SM3', '%', 0, [Number.NaN, 27], atLeast(50)),
  largeRss: spec('1 GiB fetch + stage: peak RSS', 'MiB', 0, [263, 308], atMost(256)),
} satisfies Record<string, FigureSpec>;

export type FigureName = keyof typeof FIGURES;

export function met(target: Target | undefined, value: number): boolean | undefined {
  if (!target || !Number.isFinite(value)) return undefined;
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

/** `label:  X unit  before Y (issue) / Y' (re-measured)  target ≥ Z  ✓`; `label` replaces the figure's where the run differs (another count). */
export function figureLine(name: FigureName, value: number, label?: string): string {
  const f: FigureSpec = FIGURES[name];
  const n = (v: number) => (Number.isFinite(v) ? v.toFixed(f.digits) : '–');
  const verdict = met(f.target, value);
  const before = f.before === undefined && f.remeasured === undefined ? 'not measured' : `${n(f.before ?? Number.NaN)} / ${n(f.remeasured ?? Number.NaN)}`;
  const parts = [
    `${label ?? f.label}:`.padEnd(66),
    `${n(value)} ${f.unit}`.padEnd(18),
    `before ${before}`.padEnd(24),
    f.target ? `target ${f.target.op === '>=' ? '≥' : '≤'} ${n(f.target.value)}` : 'no target',
  ];
  return `  ${parts.join(' ')}${verdict === undefined ? '' : verdict ? '  ✓' : '  ✗ not met'}`;
}

/** The legend of the `before` column. */
export const BEFORE_LEGEND = 'before = as the issue gave it / re-measured here just before the changes ("–": not measured then)';
