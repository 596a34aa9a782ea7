/**
 * Runs the classifier over the hand-labelled evaluation sets and prints accuracy per outcome.
 *   pnpm --filter @oa-archive/classify evaluate [-- --schedule path/to/schedule.yaml] [--verbose]
 * documents.jsonl is the set the default schedule was refined against; holdout.jsonl was labelled
 * separately and never used to change rules, so its figure is the honest one.
 * Targets: ≥ 95 % correct, no 密级 document outside QUARANTINE, no clear 不归档 document filed 永久.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, formatReport, loadEvaluationSet } from './evaluation.ts';
import { loadSchedule } from '../src/index.ts';

const { values } = parseArgs({ options: { schedule: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
const schedule = await loadSchedule(values.schedule);
process.stdout.write(`schedule ${schedule.version} (${values.schedule ?? 'default'})\n\n`);
let failed = false;
for (const name of ['documents.jsonl', 'holdout.jsonl']) {
  const file = path.join(import.meta.dirname, name);
  if (!existsSync(file)) continue;
  const report = evaluate(await loadEvaluationSet(file), schedule);
  process.stdout.write(`── ${name} ${name === 'holdout.jsonl' ? '(held out: never used to change rules)' : '(rules were refined against this set)'}\n`);
  process.stdout.write(formatReport(report, { verbose: values.verbose }));
  process.stdout.write('\n');
  failed ||= !report.meetsTargets;
}
process.exitCode = failed ? 1 : 0;
