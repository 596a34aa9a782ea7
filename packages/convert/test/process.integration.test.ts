import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '@oa-archive/oa-simulator';
import { Converter, loadConversionPolicy } from '../src/index.ts';
import { runTool } from '../src/process.ts';
import { goneWithin, processesMatching, waitForProcess, waitForWork } from './procs.ts';

/**
 * Every call of a real tool settles, whatever ends it: a SIGKILL from outside (what the kernel's OOM
 * killer sends), the time limit, an exit code, a missing binary. Errors are matched by name so the
 * same file shows the hang on code that lacks them.
 */
let dir: string;
let converter: Converter;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convert-process-test-'));
  // Ghostscript and ffmpeg only: the LibreOffice pool is never started.
  converter = new Converter({
    policy: await loadConversionPolicy(),
    libreOffice: { size: 1, python: '/usr/bin/python3', workDir: path.join(dir, 'lo') },
    timeoutMs: 600_000,
  });
});
afterAll(async () => {
  await converter?.close();
  await rm(dir, { recursive: true, force: true });
});

const marker = () => `oa-kill-${randomBytes(4).toString('hex')}`;

/** ffmpeg rendering an hour of generated video: busy for far longer than any test runs. */
function longFfmpeg(tag: string): string[] {
  return ['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', 'testsrc=duration=3600:size=640x480:rate=25', '-metadata', `comment=${tag}`, '-f', 'null', '-'];
}

describe('a tool killed from outside', () => {
  it('ffmpeg killed by SIGKILL: the call rejects at once, retryable, naming the signal and its last output', async () => {
    const tag = marker();
    const run = runTool('ffmpeg', 'ffmpeg', longFfmpeg(tag), { timeoutMs: 600_000 });
    const pid = await waitForProcess((argv) => argv[0] === 'ffmpeg' && argv.includes(`comment=${tag}`));
    // A second of CPU: rendering frames by now, so it has described its input on stderr (after only
    // 0.2 s it had not always done so on a loaded machine).
    await waitForWork(pid, 100);
    process.kill(pid, 'SIGKILL');
    const error = await run.then(
      () => undefined,
      (e: unknown) => e as Record<string, unknown>,
    );
    expect(error).toMatchObject({ name: 'ToolExitError', tool: 'ffmpeg', signal: 'SIGKILL', exitCode: null, retryable: true });
    expect(error?.message).toMatch(/^ffmpeg: was killed by SIGKILL/);
    // ffmpeg had printed its input description before it was killed.
    expect(error?.stderrTail).toMatch(/\S/);
    expect(error?.message).toContain(error?.stderrTail);
  });

  it('Ghostscript killed by SIGKILL in the middle of a large PDF: the conversion rejects, retryable', async () => {
    const tag = marker();
    const pages = Array.from({ length: 3000 }, (_, i) => Array.from({ length: 40 }, (_, j) => `Page ${i + 1}, line ${j + 1} of a long generated report`));
    const input = path.join(dir, 'large.pdf');
    await writeFile(input, makePdf({ title: 'large', author: 'test', created: new Date('2025-01-01'), pages }));
    const run = converter.convert({ input, outputDir: path.join(dir, tag), stem: 'large', tool: 'ghostscript', target: 'PDF/A-2b' });
    const pid = await waitForProcess((argv) => argv[0] === 'gs' && argv.some((a) => a.includes(tag)));
    process.kill(pid, 'SIGKILL');
    await expect(run).rejects.toMatchObject({ name: 'ToolExitError', tool: 'ghostscript', signal: 'SIGKILL', retryable: true });
  });
});

describe('the time limit', () => {
  it('kills the whole process group, then settles: nothing the tool started is left running', async () => {
    const tag = marker();
    // A shell that starts ffmpeg as its own child: only a kill of the group reaches both.
    const script = `ffmpeg ${longFfmpeg(tag).join(' ')} ; echo unreachable`;
    const run = runTool('ffmpeg', 'sh', ['-c', script], { timeoutMs: 3_000 });
    const ffmpegPid = await waitForProcess((argv) => argv[0] === 'ffmpeg' && argv.includes(`comment=${tag}`));
    const error = await run.then(
      () => undefined,
      (e: unknown) => e as Record<string, unknown>,
    );
    expect(error).toMatchObject({ name: 'ConversionTimeoutError', tool: 'ffmpeg', retryable: true });
    expect(await goneWithin(ffmpegPid)).toBe(true);
    expect(await processesMatching((argv) => argv.some((a) => a.includes(tag)))).toEqual([]);
  });
});

describe('a caller that gives up (its stage passed its deadline)', () => {
  it('the abort kills the whole process group at once and the call rejects with the caller’s reason', async () => {
    const tag = marker();
    const script = `ffmpeg ${longFfmpeg(tag).join(' ')} ; echo unreachable`;
    const controller = new AbortController();
    const run = runTool('ffmpeg', 'sh', ['-c', script], { timeoutMs: 600_000, signal: controller.signal });
    const ffmpegPid = await waitForProcess((argv) => argv[0] === 'ffmpeg' && argv.includes(`comment=${tag}`));
    const reason = Object.assign(new Error('convert passed its deadline of 1 ms'), { name: 'StageTimeoutError' });
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(await goneWithin(ffmpegPid)).toBe(true);
    expect(await processesMatching((argv) => argv.some((a) => a.includes(tag)))).toEqual([]);
  });

  it('a conversion asked for after the abort starts no tool', async () => {
    const tag = marker();
    const controller = new AbortController();
    controller.abort(new Error('deadline passed'));
    const input = path.join(dir, `${tag}.pdf`);
    await writeFile(input, makePdf({ title: tag, author: 'test', created: new Date('2025-01-01'), pages: [['one page']] }));
    await expect(converter.convert({ input, outputDir: path.join(dir, tag), stem: tag, tool: 'ghostscript', target: 'PDF/A-2b', signal: controller.signal })).rejects.toThrow('deadline passed');
    expect(await processesMatching((argv) => argv[0] === 'gs' && argv.some((a) => a.includes(tag)))).toEqual([]);
  });
});

describe('a tool that refuses its input or cannot start', () => {
  it('a non-zero exit is the input’s fault: not retryable, with the exit code and the tool’s reason', async () => {
    const input = path.join(dir, 'garbage.avi');
    await writeFile(input, 'this is not a video');
    const run = converter.convert({ input, outputDir: path.join(dir, 'garbage'), stem: 'garbage', tool: 'ffmpeg', target: 'MP4' });
    await expect(run).rejects.toMatchObject({ name: 'ToolExitError', tool: 'ffmpeg', signal: null, exitCode: expect.any(Number), retryable: false, stderrTail: expect.stringMatching(/Invalid data/) });
  });

  it('a missing binary is named, and no retry is offered', async () => {
    await expect(runTool('ghostscript', '/nonexistent/gs', ['--version'], { timeoutMs: 10_000 })).rejects.toMatchObject({
      name: 'ToolSpawnError',
      tool: 'ghostscript',
      code: 'ENOENT',
      retryable: false,
    });
  });
});
