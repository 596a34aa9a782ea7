import { describe, expect, it } from 'vitest';
import { faultTable, formatReport, type ReportInput } from '../src/report.ts';

const input: ReportInput = {
  seed: 5,
  documents: 300,
  baselineDocuments: 20,
  workers: 2,
  perSecond: 3,
  mix: 'mixed',
  faultGapMs: 4000,
  t0: 1_000_000,
  baseline: { documents: 20, p50: 4000, p95: 6000, max: 6500 },
  underFaults: { documents: 298, p50: 9000, p95: 41_000, max: 52_000 },
  faults: [
    { index: 1, kind: 'stop-kafka', target: 'kafka', atMs: 5000, holdMs: 20_000, startedAt: 1_005_200, restoredAt: 1_033_000, problems: [], cost: { inFlight: 80, charged: 80, maxExtraMs: 30_500, unsettled: 0, failed: 0 } },
    { index: 2, kind: 'kill-worker', target: 'worker-1', atMs: 40_000, holdMs: 2000, startedAt: 1_040_000, restoredAt: 1_046_000, problems: ['worker-1 did not come back (attempt 1): boom'], cost: { inFlight: 20, charged: 12, maxExtraMs: 61_000, unsettled: 2, failed: 1 } },
  ],
  statuses: { FILED: 200, EXCLUDED: 40, IN_PROGRESS: 2 },
  unexpectedExits: [{ service: 'intake', pid: 42, at: 1_010_000, code: 1, signal: null, reason: "unhandled 'error' event: Error: Connection terminated unexpectedly" }],
  failedSends: 1,
  settle: 'stopped waiting',
  phases: [['setup', 30_000], ['checks', 5000]],
  checks: [
    { name: 'lost', ok: true, summary: '0 of 320', details: [] },
    { name: 'stranded', ok: false, summary: '2 of 320', details: ['2 × IN_PROGRESS at convert; no job in Redis'] },
  ],
};

describe('the report', () => {
  it('has a row per fault with its cost, and a total', () => {
    const lines = faultTable(input).split('\n');
    expect(lines[0]).toMatch(/^#\s+fault\s+target\s+at \(s\)\s+held\s+outage\s+in flight\s+charged\s+max extra delay\s+unsettled\s+failed\s+problems$/);
    expect(lines[2]).toMatch(/^1\s+stop-kafka\s+kafka\s+5\.2\s+20\.0 s\s+27\.8 s\s+80\s+80\s+30\.5 s\s+0\s+0$/);
    expect(lines[3]).toMatch(/^2\s+kill-worker\s+worker-1\s+40\.0\s+2\.0 s\s+6\.0 s\s+20\s+12\s+61\.0 s\s+2\s+1\s+worker-1 did not come back/);
    expect(lines[4]).toMatch(/^\s+total\s+2 faults\s+33\.8 s\s+92\s+61\.0 s\s+2\s+1$/);
  });

  it('puts the baseline beside the faulted latencies and ends with the failed checks', () => {
    const text = formatReport(input);
    expect(text.split('\n')[0]).toBe('chaos run — seed 5: 300 documents under faults (+20 before, without), 2 workers, published at 3/s, mixed documents, at least 4 s between faults');
    expect(formatReport({ ...input, mix: 'no-conversion' }).split('\n')[0]).toMatch(/, documents needing no conversion \(PDF\/A, JPEG\), at least 4 s between faults$/);
    expect(text).toContain('no-fault baseline, publish → outcome: p50 4.0 s, p95 6.0 s, max 6.5 s (20 documents)');
    expect(text).toContain("processes that died on their own (and were restarted, as a supervisor would):\n  intake at 10.0 s, exit 1: unhandled 'error' event: Error: Connection terminated unexpectedly");
    expect(text).toContain('FAIL  stranded: 2 of 320\n        2 × IN_PROGRESS at convert; no job in Redis');
    expect(text.trim().split('\n').at(-1)).toBe('FAILED checks: stranded');
  });
});
