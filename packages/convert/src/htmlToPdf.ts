import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConversionError } from './errors.ts';
import { runTool } from './process.ts';

/**
 * Renders an HTML document (a register, a report) to PDF/A-2b with the LibreOffice already installed
 * for conversions: CJK text comes out in the installed Noto CJK fonts, embedded, and the result is an
 * archival format that veraPDF can check. A cold `soffice` per call (a second or two, more on a first
 * run) with a profile of its own, so it never disturbs a conversion pool; fine for a document an
 * archivist asks for now and then.
 */
export async function htmlToPdfA(htmlText: string, options: { soffice?: string; timeoutMs?: number } = {}): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oa-html-pdf-'));
  try {
    const input = path.join(dir, 'document.html');
    await writeFile(input, htmlText, 'utf8');
    await runTool(
      'libreoffice',
      options.soffice ?? 'soffice',
      [
        `-env:UserInstallation=file://${path.join(dir, 'profile')}`,
        '--headless',
        '--norestore',
        '--convert-to',
        'pdf:writer_web_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}',
        '--outdir',
        dir,
        input,
      ],
      { timeoutMs: options.timeoutMs ?? 120_000 },
    );
    // soffice can exit 0 without writing anything: the file is the proof.
    const pdf = await readFile(path.join(dir, 'document.pdf')).catch(() => undefined);
    if (!pdf || pdf.length === 0) throw new ConversionError('libreoffice', 'reported success but wrote no PDF', { retryable: true });
    return pdf;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
