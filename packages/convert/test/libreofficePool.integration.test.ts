import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fixtures from '@oa-archive/characterize/fixtures';
import { LibreOfficePool } from '../src/index.ts';
import { goneWithin, waitForProcess, waitForWork } from './procs.ts';

/**
 * soffice killed from outside (as the OOM killer would) while the UNO bridge in front of it lives
 * on: the pool must notice, replace the slot, and not blame the document. One slot, so the soffice
 * we kill is the one the next conversion gets. Errors are matched by name so the same file shows
 * the failure on code that lacks them.
 */
let dir: string;
let pool: LibreOfficePool;
let docx: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convert-pool-test-'));
  pool = new LibreOfficePool({ size: 1, python: '/usr/bin/python3', workDir: path.join(dir, 'lo'), timeoutMs: 120_000 });
  await pool.start();
  docx = path.join(dir, 'small.docx');
  await writeFile(docx, fixtures.docx());
}, 120_000);
afterAll(async () => {
  await pool?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The soffice.bin of the pool's only slot, found as an operator would: by its profile on the command line. */
const slotSoffice = () => waitForProcess((argv) => argv[0]!.endsWith('/soffice.bin') && argv.some((a) => a.includes(path.join(dir, 'lo', 'profile-0'))));

async function convertsFine(name: string): Promise<void> {
  const output = path.join(dir, `${name}.pdf`);
  const result = await pool.toPdfA(docx, output);
  expect(result.filter).toBe('writer_pdf_Export');
  expect((await stat(output)).size).toBeGreaterThan(0);
}

describe('a LibreOffice slot whose soffice dies', () => {
  it('is health-checked before use and replaced when soffice was killed between conversions', async () => {
    await convertsFine('before-kill');
    const replacements = pool.replacements;
    const killed = await slotSoffice();
    process.kill(killed, 'SIGKILL');
    expect(await goneWithin(killed)).toBe(true);

    await convertsFine('after-kill-1');
    await convertsFine('after-kill-2');
    expect(pool.replacements).toBe(replacements + 1);
    expect(await slotSoffice()).not.toBe(killed);
  });

  it('fails a conversion whose soffice is killed under it as retryable (not the document’s fault), then heals', async () => {
    const replacements = pool.replacements;
    const large = path.join(dir, 'large.txt');
    await writeFile(large, Array.from({ length: 20_000 }, (_, i) => `Line ${i + 1} of a long generated text that keeps LibreOffice busy.`).join('\n'));
    const killed = await slotSoffice();
    const run = pool.toPdfA(large, path.join(dir, 'large.pdf'));
    // Half a second of CPU on the document: the conversion is under way.
    await waitForWork(killed, 50);
    process.kill(killed, 'SIGKILL');
    await expect(run).rejects.toMatchObject({ name: 'InstanceDiedError', tool: 'libreoffice', retryable: true, message: expect.stringMatching(/signal 9|disposed|exited/) });

    await convertsFine('after-mid-kill');
    expect(pool.replacements).toBe(replacements + 1);
    expect(await slotSoffice()).not.toBe(killed);
  });
});

describe('a slot that does not come up at start', () => {
  it('is tried again: a bridge that dies before it is ready (a slow, loaded host) does not stop the pool', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'convert-pool-start-'));
    const counter = path.join(scratch, 'starts');
    // The interpreter the pool runs: its first start exits as the bridge does when soffice never
    // accepts a connection; later starts are the real python3 with the real bridge.
    const python = path.join(scratch, 'python3');
    await writeFile(
      python,
      `#!/bin/sh\necho x >> '${counter}'\nif [ "$(wc -l < '${counter}')" -eq 1 ]; then echo 'RuntimeError: soffice did not accept a UNO connection in time' >&2; exit 1; fi\nexec /usr/bin/python3 "$@"\n`,
      { mode: 0o755 },
    );
    const slow = new LibreOfficePool({ size: 1, python, workDir: path.join(scratch, 'lo'), timeoutMs: 120_000 });
    try {
      await slow.start();
      expect((await readFile(counter, 'utf8')).trim().split('\n')).toHaveLength(2);
      const output = path.join(scratch, 'out.pdf');
      await slow.toPdfA(docx, output);
      expect((await stat(output)).size).toBeGreaterThan(0);
    } finally {
      await slow.close();
      await rm(scratch, { recursive: true, force: true });
    }
  }, 180_000);

  it('gives up after three tries with the reason the bridge gave', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'convert-pool-start-'));
    const python = path.join(scratch, 'python3');
    await writeFile(python, `#!/bin/sh\necho 'RuntimeError: soffice did not accept a UNO connection in time' >&2\nexit 1\n`, { mode: 0o755 });
    const broken = new LibreOfficePool({ size: 1, python, workDir: path.join(scratch, 'lo'), timeoutMs: 120_000 });
    try {
      await expect(broken.start()).rejects.toMatchObject({ name: 'InstanceDiedError', message: expect.stringContaining('did not accept a UNO connection in time') });
    } finally {
      await broken.close();
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
