import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makePdf, simulateDocument } from '@oa-archive/oa-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdfAValidatorError, VeraPdf } from '../src/index.ts';
import { minimalPdf } from '@oa-archive/aip/testing';
import { goneWithin, waitForProcess } from './procs.ts';

/**
 * The real veraPDF, warm in one JVM (infra/local/validators/PdfaServer.java, compiled by
 * validators.sh). The first run may resolve veraPDF from Maven Central; a JVM start on this loaded
 * machine takes tens of seconds, hence the long timeouts (behaviour is checked, never timings).
 */
const REPO_ROOT = path.join(import.meta.dirname, '..', '..', '..');
const SLOW = 240_000;
let dir: string;
let veraPdf: VeraPdf;
const replaced: string[] = [];
let conforming: string;
let claimOnly: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'verapdf-test-'));
  const classpath = execFileSync('bash', [path.join(REPO_ROOT, 'infra', 'local', 'validators.sh'), 'classpath'], { encoding: 'utf8' }).trim();
  // The marker on the command line finds this test's JVM among others' (see procs.ts).
  veraPdf = new VeraPdf({ classpath, timeoutMs: 60_000, javaOptions: ['-Xss4m', '-Xmx256m', '-XX:+UseSerialGC', `-Doa.test.owner=${dir}`], onReplaced: (reason) => replaced.push(reason) });
  conforming = path.join(dir, 'conforming.pdf');
  claimOnly = path.join(dir, 'claim-only.pdf');
  await writeFile(conforming, minimalPdf({ pdfa: true }));
  await writeFile(claimOnly, minimalPdf({ pdfa: true, fileIdentifier: false }));
  expect(await veraPdf.start()).toMatch(/^\d+\.\d+/);
}, SLOW);
afterAll(async () => {
  await veraPdf?.close();
  await rm(dir, { recursive: true, force: true });
});

const ourJvm = () => waitForProcess((argv) => argv[0]!.endsWith('java') && argv.includes(`-Doa.test.owner=${dir}`));

describe('veraPDF kept warm', () => {
  it('finds a conforming PDF/A-2b compliant', { timeout: SLOW }, async () => {
    expect(await veraPdf.validate(conforming)).toMatchObject({ kind: 'checked', compliant: true, flavour: '2b', declared: true, failedRules: 0, failures: [] });
    expect(veraPdf.version).toMatch(/^\d+\.\d+/);
  });

  it('fails a file that claims PDF/A-2B without conforming, with veraPDF rule ids', { timeout: SLOW }, async () => {
    const verdict = await veraPdf.validate(claimOnly);
    expect(verdict).toMatchObject({ kind: 'checked', compliant: false, flavour: '2b', declared: true });
    if (verdict.kind !== 'checked') throw new Error('unreachable');
    // ISO 19005-2 6.1.3: the trailer shall hold the file identifier (ID).
    expect(verdict.failures.map((f) => f.rule)).toContain('ISO 19005-2:2011 6.1.3-1');
    expect(verdict.failures[0]!.message).toBeTruthy();
  });

  it('says a file it cannot parse is unreadable, and one that is not there is an error', { timeout: SLOW }, async () => {
    const junk = path.join(dir, 'junk.pdf');
    await writeFile(junk, 'not a pdf at all');
    expect(await veraPdf.validate(junk)).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/ModelParsingException/) });
    await expect(veraPdf.validate(path.join(dir, 'missing.pdf'))).rejects.toMatchObject({ name: 'PdfAValidatorError', retryable: false });
  });

  it('answers calls queued together, each with its own verdict', { timeout: SLOW }, async () => {
    const verdicts = await Promise.all([conforming, claimOnly, conforming, claimOnly].map((f) => veraPdf.validate(f)));
    expect(verdicts.map((v) => v.kind === 'checked' && v.compliant)).toEqual([true, false, true, false]);
    expect(await veraPdf.health()).toEqual({ ok: true });
  });
});

/** Page text as Ghostscript extracts it (the tool the converter runs), lines trimmed. */
function extractedText(file: string): string[] {
  const text = execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=txtwrite', '-sOutputFile=-', file], { encoding: 'utf8' });
  return text.split('\n').map((line) => line.trim()).filter(Boolean);
}

describe("the OA simulator's PDF/A bodies", () => {
  const created = new Date('2025-03-01T08:30:15.123Z');
  const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
  // What the no-conversion mix keeps as-is: the first three of its documents that have a PDF body.
  const kept = Array.from({ length: 30 }, (_, i) => simulateDocument(7, i + 1, 'no-conversion'))
    .flatMap((d) => d.components.filter((c) => c.mediaType === 'application/pdf').map((c) => [`kept body ${d.data.documentId}`, c.bytes] as const))
    .slice(0, 3);
  const bodies: Array<readonly [string, Buffer]> = [
    ['one page', makePdf({ title: '关于做好档案移交工作的通知', author: '示例市人民政府办公室', created, pages: [['Page 1 of 1', 'Document SIM-7-K00001  Type: text']], pdfa: true })],
    ['three pages', makePdf({ title: '关于商请协助“数字档案室”建设的函', author: '示例市财政局', created, pages: [['Page 1 of 3'], ['Page 2 of 3'], ['Page 3 of 3']], pdfa: true })],
    ['every printable character, and text the font cannot show', makePdf({ title: '（附件）<清单> & 说明', author: '办公室', created, pages: [[ascii.slice(0, 48), ascii.slice(48), '附件 2'], []], pdfa: true })],
    ...kept,
  ];

  it('include kept bodies of the no-conversion mix', () => {
    expect(kept.length).toBe(3);
  });

  it.each(bodies)('%s: veraPDF finds it PDF/A-2b compliant', { timeout: SLOW }, async (name, bytes) => {
    const file = path.join(dir, `simulator-${name.replace(/\W+/g, '-')}.pdf`);
    await writeFile(file, bytes);
    expect(await veraPdf.validate(file)).toMatchObject({ kind: 'checked', compliant: true, flavour: '2b', declared: true, failedRules: 0, failures: [] });
  });

  it('keeps the page text extractable, glyph for glyph', { timeout: SLOW }, async () => {
    const threePages = path.join(dir, 'simulator-text-three.pdf');
    await writeFile(threePages, bodies[1]![1]);
    expect(extractedText(threePages)).toEqual(['Page 1 of 3', 'Page 2 of 3', 'Page 3 of 3']);
    const characters = path.join(dir, 'simulator-text-ascii.pdf');
    await writeFile(characters, bodies[2]![1]);
    expect(extractedText(characters)).toEqual([ascii.slice(0, 48).trim(), ascii.slice(48), '?? 2']);
  });
});

describe('a veraPDF JVM that dies', () => {
  it('settles the call it held with a retryable error, and the next call gets a new JVM', { timeout: SLOW }, async () => {
    const pid = await ourJvm();
    const held = veraPdf.validate(conforming);
    process.kill(pid, 'SIGKILL');
    // Either the call was answered before the kill landed, or it is settled as retryable: never left hanging.
    const outcome = await held.then(
      (v) => ({ answered: v.kind }),
      (e: unknown) => ({ error: e }),
    );
    if ('error' in outcome) {
      expect(outcome.error).toBeInstanceOf(PdfAValidatorError);
      expect(outcome.error).toMatchObject({ retryable: true });
    }
    expect(await goneWithin(pid, 10_000)).toBe(true);
    expect(await veraPdf.validate(conforming)).toMatchObject({ kind: 'checked', compliant: true });
    expect(replaced.some((r) => /exited/.test(r))).toBe(true);
    expect(await ourJvm()).not.toBe(pid);
  });

  it('is killed and replaced when it gives no answer in time', { timeout: SLOW }, async () => {
    const impatient = new VeraPdf({ classpath: execFileSync('bash', [path.join(REPO_ROOT, 'infra', 'local', 'validators.sh'), 'classpath'], { encoding: 'utf8' }).trim(), timeoutMs: 1, javaOptions: ['-Xmx256m', '-XX:+UseSerialGC'] });
    try {
      await impatient.start();
      await expect(impatient.validate(conforming)).rejects.toMatchObject({ name: 'PdfAValidatorError', retryable: true, message: expect.stringMatching(/no answer within 1 ms/) });
    } finally {
      await impatient.close();
    }
  });
});
