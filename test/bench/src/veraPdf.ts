import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { VeraPdf } from '@oa-archive/convert';
import { makeDocx } from '@oa-archive/oa-simulator';
import { fixed, percentile } from './stats.ts';

const run = promisify(execFile);
const PDFA = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}';
const WARM_UP = 20;
const VALIDATORS = path.join(import.meta.dirname, '..', '..', '..', 'infra', 'local', 'validators.sh');

/**
 * veraPDF as the validate stage runs it: one warm JVM (PdfaServer), one file at a time, on a one-page
 * PDF/A-2b as LibreOffice makes it from an OA's DOCX (fonts embedded). Returns the JVM start-up and
 * the per-document times; the caller prints them against the target.
 */
export async function benchVeraPdf(documents: number): Promise<{ lines: string[]; p50: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-verapdf-'));
  try {
    const docx = path.join(dir, 'notice.docx');
    await writeFile(docx, makeDocx({ title: '关于开展安全生产大检查的通知', author: '办公室', created: new Date('2025-03-01'), paragraphs: ['各科室：', '现就安全生产大检查通知如下。', '特此通知。'] }));
    await run('soffice', [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--convert-to', PDFA, '--outdir', dir, docx]);
    const pdf = path.join(dir, 'notice.pdf');
    const { stdout } = await run('bash', [VALIDATORS, 'classpath']);
    const veraPdf = new VeraPdf({ classpath: stdout.trim(), timeoutMs: 60_000 });
    const startup = performance.now();
    const version = await veraPdf.start();
    const startupMs = performance.now() - startup;
    try {
      const first = await veraPdf.validate(pdf);
      // The JIT compiles veraPDF's paths for this kind of file over its first few dozen; a worker validating all day runs warm.
      for (let i = 0; i < WARM_UP; i++) await veraPdf.validate(pdf);
      const each: number[] = [];
      const inJvm: number[] = [];
      for (let i = 0; i < documents; i++) {
        const t = performance.now();
        const verdict = await veraPdf.validate(pdf);
        each.push(performance.now() - t);
        if (verdict.kind === 'checked') inJvm.push(verdict.ms);
      }
      const p50 = percentile(each, 50);
      return {
        p50,
        lines: [
          `veraPDF ${version}, one warm JVM, a one-page PDF/A-2b from LibreOffice (${first.kind === 'checked' ? (first.compliant ? 'compliant' : `not compliant: ${first.failures.map((f) => f.rule).join(', ')}`) : first.reason}):`,
          `  ${documents} validations one after another, after ${WARM_UP} to warm the JIT: call p50 ${fixed(p50, 0)} ms, p95 ${fixed(percentile(each, 95), 0)} ms; inside the JVM p50 ${fixed(percentile(inJvm, 50), 0)} ms`,
          `  JVM start-up with veraPDF loaded and warmed, paid once per worker: ${fixed(startupMs / 1000, 2)} s`,
        ],
      };
    } finally {
      await veraPdf.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
