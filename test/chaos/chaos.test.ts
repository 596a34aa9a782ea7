import { afterAll, describe, expect, it } from 'vitest';
import { ChaosRun, DEFAULT_OPTIONS, type ChaosResult } from './src/run.ts';

/**
 * 300 documents through the archive while every kind of fault hits it once: workers and intake
 * SIGKILLed and restarted, Redis restarted empty, Kafka stopped 20 s, the S3 server stopped 30 s,
 * PostgreSQL restarted. Every document must end with exactly one outcome: none lost or stranded,
 * one AIP and one 档号 each, the audit chain and the archive's objects intact, one final receipt.
 * Its own PostgreSQL, Redis, Kafka and S3 server on spare ports; the shared ones are not touched.
 * CHAOS_SEED replays a run; CHAOS_KEEP=1 keeps its logs and data.
 */
const seed = Number(process.env.CHAOS_SEED ?? 20251);
const run = new ChaosRun({
  ...DEFAULT_OPTIONS,
  documents: 300,
  seed,
  // Bounded so a stranded document fails the run in minutes, not at the test timeout.
  settleTimeoutMs: 5 * 60_000,
  stallMs: 120_000,
  keepScratch: process.env.CHAOS_KEEP === '1',
  log: (line) => process.stderr.write(`[chaos] ${line}\n`),
});
let result: ChaosResult | undefined;

afterAll(async () => {
  await run.stop();
});

describe(`fault injection (seed ${seed})`, () => {
  it('gives every one of 300 documents exactly one outcome through crashes and outages', async () => {
    result = await run.execute();
    process.stdout.write(`\n${result.report}\n`);
    const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.summary}\n  ${c.details.join('\n  ')}`);
    expect(failed, 'the checks that failed, with their cases (the whole report is printed above)').toEqual([]);
    expect(result.facts.published).toHaveLength(300 + DEFAULT_OPTIONS.baselineDocuments);
  });

  it('leaves no process behind', async () => {
    const leftovers = await run.stop();
    expect(leftovers.map((p) => p.command)).toEqual([]);
  });
});
