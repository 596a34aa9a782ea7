/**
 * pnpm bench — measured on this machine against the real local infrastructure (infra/local/up.sh), each
 * figure printed beside the figure before issue 11's work and its target (targets.ts). Parts:
 *   single         one document at a time on warm services: a mixed one, and a 1-page PDF/A (no conversion)
 *   burst          --documents (60) mixed documents published at once: throughput, event → outcome
 *                  p50/p95/p99, CPU per document by process, S3 requests and processes per stage run
 *   no-conversion  a burst of --no-conversion-documents (120) PDF/A and JPEG documents
 *   rates          open loop at --rates (1,2,4,8,12) documents/s for --rate-seconds (30) each; the highest
 *                  sustainable rate (p95 < 5 s, backlog flat)
 *   split          the burst again with two worker processes: convert alone, the other stages in another
 *   conversion     the LibreOffice pool against a cold soffice --convert-to
 *   verapdf        veraPDF in one warm JVM, --verapdf-documents (40) validations of a one-page PDF/A-2b
 *   large          one --large-mib (1024) file through fetch + stage and deposit, against a plain read + hash
 * --only a,b (or `pipeline` = single,burst,no-conversion,rates,split); --profile DIR writes the worker's
 * CPU profile (node --cpu-prof) over the parts run and prints its top functions; --log-level (info, as
 * deployed) for the services, --logs DIR to keep their output.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STAGES } from '@oa-archive/contracts';
import { Cluster } from './cluster.ts';
import { benchConversion } from './conversion.ts';
import { formatLargeFile } from './largeFile.ts';
import { benchVeraPdf } from './veraPdf.ts';
import { summarizeProfiles } from './profile.ts';
import { costLines, cpuLines, latencyLine, outcomeCounts, perDocument, profileLines, rateTable, singleLine, stageTimes } from './report.ts';
import { burst, isOnePagePdfA, openLoop, singles, type BatchResult, type RateResult } from './scenarios.ts';
import { fixed, mib } from './stats.ts';
import { BEFORE_LEGEND, figureLine } from './targets.ts';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '60' },
    'no-conversion-documents': { type: 'string', default: '120' },
    singles: { type: 'string', default: '10' },
    rates: { type: 'string', default: '1,2,4,8,12' },
    'rate-seconds': { type: 'string', default: '30' },
    conversions: { type: 'string', default: '40' },
    'verapdf-documents': { type: 'string', default: '40' },
    cold: { type: 'string', default: '5' },
    'large-mib': { type: 'string', default: '1024' },
    only: { type: 'string' },
    profile: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    logs: { type: 'string' },
  },
});


const PIPELINE_PARTS = ['single', 'burst', 'no-conversion', 'rates', 'split'];
const ALL_PARTS = [...PIPELINE_PARTS, 'conversion', 'verapdf', 'large'];
const parts = new Set((values.only ?? ALL_PARTS.join(',')).split(',').flatMap((p) => (p.trim() === 'pipeline' ? PIPELINE_PARTS : [p.trim()])));
for (const p of parts) if (!ALL_PARTS.includes(p)) throw new Error(`unknown part "${p}"; parts are ${ALL_PARTS.join(', ')} (or pipeline)`);
const want = (part: string) => parts.has(part);
const print = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n\n`);
const load = async () => (await import('node:fs/promises')).readFile('/proc/loadavg', 'utf8').then((t) => t.split(' ').slice(0, 3).join(' '));
const benchStarted = Date.now();
process.stdout.write(`oa-archive bench — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, load average at start ${await load()}\n${BEFORE_LEGEND}\n\n`);

function batchLines(title: string, r: BatchResult): string[] {
  return [
    title,
    `  outcomes: ${outcomeCounts(r)}${r.unfinished ? ` · ${r.unfinished} unfinished after 10 min` : ''}; ${fixed(r.seconds, 1)} s from publishing to the last outcome`,
    `  event → outcome p50/p95/p99: ${latencyLine(r.byOutcome)}`,
    `  stage run time p50 (ms): ${stageTimes(r.stageP50Ms)}`,
    ...cpuLines(r),
    ...costLines(r),
  ];
}

/** Where each part's documents start: the bursts take 1…N of seed 4242, the documents the baselines were measured with. */
const RANGES = { singles: 20_001, rates: 30_001, warmUp: 90_001 };

const profileDir = values.profile ? path.resolve(values.profile) : undefined;
const logsDir = values.logs ? path.resolve(values.logs) : undefined;
if (logsDir) await mkdir(logsDir, { recursive: true });
let singleWorkerBurst: BatchResult | undefined;
// With only the burst run, the profile is cut to the burst (from its start to the worker's exit).
let burstStartedAt: number | undefined;
if ([...parts].some((p) => PIPELINE_PARTS.includes(p) && p !== 'split')) {
  if (profileDir) await rm(profileDir, { recursive: true, force: true }).then(() => mkdir(profileDir, { recursive: true }));
  const cluster = await Cluster.start({ workers: [{ name: 'worker' }], logLevel: values['log-level']!, ...(profileDir ? { profileDir } : {}), ...(logsDir ? { logsDir } : {}) });
  try {
    // A fresh worker starts ExifTool, opens connections and loads code on first use: one document of
    // each kind (11) and of the other mix go through first, not measured.
    await burst(cluster, 'mixed', 11, RANGES.warmUp);
    await burst(cluster, 'no-conversion', 11, RANGES.warmUp);
    if (want('single')) {
      const mixed = await singles(cluster, 'mixed', Number(values.singles), () => true, RANGES.singles);
      const pdfa = await singles(cluster, 'no-conversion', Number(values.singles), isOnePagePdfA, RANGES.singles);
      print([
        `one document at a time on warm services (${values.singles} each), event → outcome:`,
        ...singleLine('mixed documents', mixed),
        ...singleLine('1-page PDF/A, nothing to convert', pdfa),
        figureLine('singleMixed', mixed.latency.p50),
        figureLine('singlePdfA', pdfa.latency.p50),
      ]);
    }
    if (want('burst')) {
      burstStartedAt = performance.now();
      const r = await burst(cluster, 'mixed', Number(values.documents));
      singleWorkerBurst = r;
      const filed = r.byOutcome.FILED;
      print([
        ...batchLines(`burst: ${r.documents} mixed documents, ${r.components} components, published at once; intake + 1 worker + simulator (load average now ${await load()})`, r),
        figureLine('burstThroughput', r.throughput, `burst of ${r.documents}, mixed: throughput`),
        figureLine('burstP50', (filed?.p50 ?? NaN) / 1000, `burst of ${r.documents}, mixed: event → FILED p50`),
        figureLine('burstP95', (filed?.p95 ?? NaN) / 1000, `burst of ${r.documents}, mixed: event → FILED p95`),
        figureLine('workerCpu', ((r.cpu.worker ?? NaN) * 1000) / r.documents),
        figureLine('s3PerDocument', perDocument(r).s3),
        figureLine('postgresPerDocument', perDocument(r).postgres),
      ]);
    }
    if (want('no-conversion')) {
      const r = await burst(cluster, 'no-conversion', Number(values['no-conversion-documents']));
      print([
        ...batchLines(`no-conversion mix: ${r.documents} documents (PDF/A bodies, JPEG photos and attachments), ${r.components} components, published at once`, r),
        figureLine('noConversion', r.throughput),
        `  worker CPU per document here: ${fixed(((r.cpu.worker ?? NaN) * 1000) / r.documents, 0)} ms`,
      ]);
    }
    if (want('rates')) {
      const results: RateResult[] = [];
      const seconds = Number(values['rate-seconds']);
      for (const rate of values.rates!.split(',').map(Number)) {
        results.push(await openLoop(cluster, 'mixed', rate, seconds, undefined, RANGES.rates));
        // Past the first rate that cannot be sustained, faster ones only take longer to drain.
        if (!results.at(-1)!.sustainable) break;
      }
      const passing = results.filter((r) => r.sustainable).map((r) => r.offered);
      const failing = results.find((r) => !r.sustainable)?.offered;
      const best = passing.length ? Math.max(...passing) : 0;
      // One step between the highest sustained and the first failed rate narrows the answer.
      if (failing !== undefined && failing - best > 1) {
        const middle = Math.round(((best + failing) / 2) * 2) / 2;
        const r = await openLoop(cluster, 'mixed', middle, seconds, undefined, RANGES.rates);
        results.push(r);
      }
      const sustainable = Math.max(0, ...results.filter((r) => r.sustainable).map((r) => r.offered));
      print([`open loop, mixed documents published at a fixed rate for ${seconds} s each, then drained:`, ...rateTable(results), figureLine('sustainable', sustainable)]);
    }
  } finally {
    await cluster.stop();
  }
  if (profileDir) {
    const onlyBurst = parts.size === 1 && burstStartedAt !== undefined;
    const summary = await summarizeProfiles(path.join(profileDir, 'worker'), onlyBurst ? { lastMs: performance.now() - burstStartedAt! } : {});
    print(profileLines(onlyBurst ? 'the worker over the burst' : 'the worker over its whole run', summary));
  }
  print([`peak RSS: ${Object.entries(cluster.peaks).map(([n, p]) => `${n} ${mib(p)}`).join(' · ')}`]);
}

if (want('split')) {
  const rest = STAGES.filter((s) => s !== 'convert').join(',');
  const cluster = await Cluster.start({ workers: [{ name: 'worker-convert', stages: 'convert' }, { name: 'worker-rest', stages: rest }], logLevel: values['log-level']! });
  try {
    await burst(cluster, 'mixed', 11, RANGES.warmUp);
    const r = await burst(cluster, 'mixed', Number(values.documents));
    print([
      ...batchLines(`two workers: ${r.documents} mixed documents published at once; WORKER_STAGES=convert in one process, ${rest} in the other`, r),
      figureLine('splitThroughput', r.throughput, `burst of ${r.documents} with two workers (convert | the rest): throughput`),
      ...(singleWorkerBurst ? [`  one worker, same burst, this run: ${fixed(singleWorkerBurst.throughput, 2)} documents/s`] : []),
    ]);
  } finally {
    await cluster.stop();
  }
}

if (want('conversion')) print(await benchConversion(Number(values.conversions), Number(values.cold), 2));
if (want('verapdf')) {
  const r = await benchVeraPdf(Number(values['verapdf-documents']));
  print([...r.lines, figureLine('veraPdf', r.p50)]);
}
if (want('large')) {
  const output = await new Promise<string>((resolve, reject) => {
    // In a process of its own, so its peak RSS is its own.
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'largeChild.ts'), '--large-mib', values['large-mib']!], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`large-file run exited ${code}`))));
  });
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
  print([...formatLargeFile(result), figureLine('largeStageShare', (100 * result.readAndHashSeconds!) / result.fetchAndStageSeconds!), figureLine('largeRss', result.peakRssMiB!)]);
}
process.stdout.write(`bench took ${fixed((Date.now() - benchStarted) / 60_000, 1)} min; load average at the end ${await load()}\n`);
process.exit(0);
