/**
 * pnpm chaos — files documents through the archive while a seeded schedule of faults hits it, on
 * infrastructure of its own (PostgreSQL, Redis, Kafka, S3 on spare ports), then checks that every
 * document has exactly one outcome and prints what each fault cost.
 * Options: --documents N (10000), --seed S (random), --rate R documents/s (2), --mix mixed|no-conversion (mixed), --fault-gap S (4), --baseline N (20),
 *          --workers N (2), --settle-timeout S (600), --stall S (150), --keep (keep logs and data)
 * Exit code 0 when every check passed, 1 when one failed, 2 when the run itself could not be made.
 */
import { parseArgs } from 'node:util';
import { DOCUMENT_MIXES, type DocumentMix } from '@oa-archive/oa-simulator';
import { ChaosRun, DEFAULT_OPTIONS } from './run.ts';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    rate: { type: 'string', default: String(DEFAULT_OPTIONS.perSecond) },
    mix: { type: 'string', default: DEFAULT_OPTIONS.mix },
    'fault-gap': { type: 'string', default: String(DEFAULT_OPTIONS.faultGapMs / 1000) },
    baseline: { type: 'string', default: String(DEFAULT_OPTIONS.baselineDocuments) },
    workers: { type: 'string', default: String(DEFAULT_OPTIONS.workers) },
    'settle-timeout': { type: 'string', default: String(DEFAULT_OPTIONS.settleTimeoutMs / 1000) },
    stall: { type: 'string', default: String(DEFAULT_OPTIONS.stallMs / 1000) },
    keep: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string | undefined, integer = true): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    process.stderr.write(`chaos: --${name} must be a positive ${integer ? 'whole ' : ''}number, got "${text}"\n`);
    process.exit(2);
  }
  return n;
}

if (!DOCUMENT_MIXES.includes(values.mix as DocumentMix)) {
  process.stderr.write(`chaos: --mix must be one of ${DOCUMENT_MIXES.join(', ')}, got "${values.mix}"\n`);
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : positive('seed', values.seed);
const run = new ChaosRun({
  ...DEFAULT_OPTIONS,
  documents: positive('documents', values.documents),
  seed,
  perSecond: positive('rate', values.rate, false),
  mix: values.mix as DocumentMix,
  faultGapMs: positive('fault-gap', values['fault-gap'], false) * 1000,
  baselineDocuments: positive('baseline', values.baseline),
  workers: positive('workers', values.workers),
  settleTimeoutMs: positive('settle-timeout', values['settle-timeout']) * 1000,
  stallMs: positive('stall', values.stall) * 1000,
  keepScratch: values.keep,
  log: (line) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`),
});

// Ctrl-C or a kill still takes everything down with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n[chaos] ${signal}: stopping everything this run started\n`);
    void run.stop().finally(() => process.exit(130));
  });
}

let code = 2;
try {
  const result = await run.execute();
  process.stdout.write(`${result.report}\n`);
  if (values.keep) process.stdout.write(`logs and data kept in ${result.scratch}\n`);
  code = result.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`chaos: the run could not be completed: ${(error as Error).stack}\n`);
} finally {
  const leftovers = await run.stop();
  if (leftovers.length > 0) process.stderr.write(`chaos: ${leftovers.length} process(es) were still running after the stop and were killed: ${leftovers.map((p) => p.command.slice(0, 80)).join('; ')}\n`);
}
process.exit(code);
