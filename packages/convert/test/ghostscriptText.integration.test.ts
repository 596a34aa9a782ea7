import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversionError, ConversionTimeoutError, GhostscriptTextServer, ToolExitError } from '../src/index.ts';

/**
 * The warm Ghostscript that reads PDFs into text for search, against the real gs: one process for
 * many files, each file's text its own, and a file that is too slow, given up on, or whose process is
 * killed from outside fails alone while the next file gets a fresh process.
 */
const run = promisify(execFile);
let dir: string;
let onePage: string;
let otherPdf: string;
let manyPages: string;

/** A PDF written by Ghostscript from PostScript: `pages` pages, each saying `text` and its number. */
async function pdfOf(file: string, text: string, pages: number): Promise<string> {
  const ps = `/Helvetica findfont 12 scalefont setfont 1 1 ${pages} { 72 720 moveto (${text} ) show 10 string cvs show showpage } for`;
  await run('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-dSAFER', '-sDEVICE=pdfwrite', `-sOutputFile=${file}`, '-c', ps]);
  return file;
}

const read = (server: GhostscriptTextServer, input: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
  server.read(input, { timeoutMs: options.timeoutMs ?? 30_000, ...(options.signal ? { signal: options.signal } : {}) }, async ({ textFile, said }) => ({
    text: (await readFile(textFile, 'utf8').catch(() => '')).replace(/\s+/g, ' ').trim(),
    said,
  }));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gs-text-'));
  // A name with CJK and PostScript's own delimiters: the path reaches Ghostscript whole.
  onePage = await pdfOf(path.join(dir, '通知 (定稿) [1].pdf'), 'Notice', 1);
  otherPdf = await pdfOf(path.join(dir, 'minutes.pdf'), 'Minutes', 2);
  manyPages = await pdfOf(path.join(dir, 'long.pdf'), 'Long', 3000);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GhostscriptTextServer', () => {
  it('reads file after file in one process, each text its own, up to the page bound', { timeout: 60_000 }, async () => {
    const server = new GhostscriptTextServer({ maxPages: 1 });
    try {
      expect(await read(server, onePage)).toMatchObject({ text: 'Notice 1' });
      const pid = server.pid;
      expect(pid).toBeGreaterThan(0);
      // Asked all at once, answered in turn: no file gets another's text.
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => read(server, i % 2 ? otherPdf : onePage)));
      expect(answers.map((a) => a.text)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 ? 'Minutes 1' : 'Notice 1')));
      expect(server.pid).toBe(pid);
    } finally {
      await server.close();
    }
    expect(server.pid).toBeUndefined();
  });

  it('says what was wrong with a file it cannot read, and reads the next', { timeout: 60_000 }, async () => {
    const server = new GhostscriptTextServer({ maxPages: 10 });
    try {
      const broken = path.join(dir, 'broken.pdf');
      await run('sh', ['-c', `printf '%%PDF-1.7\\nnot a PDF body\\n' > '${broken}'`]);
      const answer = await read(server, broken);
      expect(answer.text).toBe('');
      expect(answer.said).toMatch(/Error/);
      await expect(read(server, path.join(dir, 'missing.pdf'))).rejects.toBeInstanceOf(ConversionError);
      expect(await read(server, otherPdf)).toMatchObject({ text: 'Minutes 1 Minutes 2' });
    } finally {
      await server.close();
    }
  });

  it('fails only the file at hand when its process is killed from outside, past its time limit or given up', { timeout: 120_000 }, async () => {
    const server = new GhostscriptTextServer({ maxPages: 3000 });
    try {
      await read(server, onePage);
      const first = server.pid!;

      // SIGKILL from outside (the OOM killer, an operator) while a long file is read.
      const killed = read(server, manyPages);
      setTimeout(() => process.kill(first, 'SIGKILL'), 30);
      const error = await killed.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ToolExitError);
      expect(error).toMatchObject({ signal: 'SIGKILL', retryable: true });
      expect(await read(server, onePage)).toMatchObject({ text: 'Notice 1' });
      const second = server.pid!;
      expect(second).not.toBe(first);

      await expect(read(server, manyPages, { timeoutMs: 20 })).rejects.toBeInstanceOf(ConversionTimeoutError);
      expect(await read(server, onePage)).toMatchObject({ text: 'Notice 1' });
      const third = server.pid!;
      expect(third).not.toBe(second);

      const controller = new AbortController();
      const givenUp = read(server, manyPages, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('the stage passed its deadline')), 20);
      await expect(givenUp).rejects.toThrow('the stage passed its deadline');
      expect(await read(server, otherPdf)).toMatchObject({ text: 'Minutes 1 Minutes 2' });
      expect(server.pid).not.toBe(third);
    } finally {
      await server.close();
    }
  });
});
