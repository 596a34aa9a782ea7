import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LibreOfficePool } from '@oa-archive/convert';
import { makeDocx } from '@oa-archive/oa-simulator';
import { fixed, percentile } from './stats.ts';

const run = promisify(execFile);
const PDFA = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}';

/**
 * The LibreOffice pool against the baseline it replaces: a cold `soffice --convert-to` per document
 * (fresh profile each time, as a one-off command runs), both measured here, in this run, on
 * one-page DOCX files.
 */
export async function benchConversion(documents: number, coldRuns: number, poolSize: number): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-convert-'));
  try {
    const inputs: string[] = [];
    for (let i = 0; i < documents; i++) {
      const file = path.join(dir, `doc-${i}.docx`);
      await writeFile(file, makeDocx({ title: `关于第${i}号事项的通知`, author: '办公室', created: new Date('2025-03-01'), paragraphs: ['各科室：', `现就第${i}号事项通知如下。`, '特此通知。'] }));
      inputs.push(file);
    }

    const cold: number[] = [];
    for (let i = 0; i < coldRuns; i++) {
      const profile = path.join(dir, `cold-profile-${i}`);
      const started = performance.now();
      await run('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', PDFA, '--outdir', path.join(dir, 'cold'), inputs[i]!]);
      cold.push(performance.now() - started);
    }

    const pool = new LibreOfficePool({ size: poolSize, python: '/usr/bin/python3', workDir: path.join(dir, 'pool'), timeoutMs: 60_000 });
    const startup = performance.now();
    await pool.start();
    const startupMs = performance.now() - startup;
    await pool.toPdfA(inputs[0]!, path.join(dir, 'warmup.pdf'));
    const each: number[] = [];
    const service: number[] = [];
    const started = performance.now();
    await Promise.all(
      inputs.map(async (input, i) => {
        const t = performance.now();
        const result = await pool.toPdfA(input, path.join(dir, `pool-${i}.pdf`));
        each.push(performance.now() - t);
        service.push(result.ms);
      }),
    );
    const wall = performance.now() - started;
    await pool.close();
    const coldMedian = percentile(cold, 50);
    return [
      `conversion, one-page DOCX → PDF/A-2b:`,
      `  baseline, cold soffice --convert-to (fresh profile): median ${fixed(coldMedian / 1000, 2)} s/document over ${coldRuns} runs`,
      `  pool of ${poolSize} warm instances: ${documents} documents in ${fixed(wall / 1000, 2)} s = ${fixed(documents / (wall / 1000), 1)} documents/s; in an instance p50 ${fixed(percentile(service, 50), 0)} ms, p95 ${fixed(percentile(service, 95), 0)} ms; with queue wait p50 ${fixed(percentile(each, 50), 0)} ms`,
      `  pool start-up, paid once per worker: ${fixed(startupMs / 1000, 2)} s`,
      `  speed-up over the cold baseline: ×${fixed(coldMedian / (wall / documents), 1)} (throughput)`,
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
