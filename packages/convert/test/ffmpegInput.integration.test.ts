import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Converter, loadConversionPolicy } from '../src/index.ts';

/**
 * A crafted media file cannot make ffmpeg read anything but its own bytes: no URL, no other local
 * file. The "remote" side is a real listening socket that counts connections, so "nothing was
 * fetched" is observed, not assumed; the local side is a real, readable audio segment beside the
 * input, so reading it would have produced a WAV.
 */
let dir: string;
let converter: Converter;
let server: Server;
let port: number;
let connections = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'convert-ffmpeg-input-'));
  converter = new Converter({
    policy: await loadConversionPolicy(),
    libreOffice: { size: 1, python: '/usr/bin/python3', workDir: path.join(dir, 'lo') },
    timeoutMs: 60_000,
  });
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  // The local file a playlist points at: one second of tone in MPEG-TS, readable by ffmpeg.
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', '-f', 'mpegts', path.join(dir, 'secret.ts')]);
});
afterAll(async () => {
  await converter?.close();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  connections = 0;
});

/** Named like the convert stage names its inputs: by ordinal, without the OA's extension. */
async function convertCrafted(ordinal: number, text: string) {
  const input = path.join(dir, `${ordinal}-in`);
  await writeFile(input, text);
  const outputDir = path.join(dir, `out-${ordinal}`);
  const run = converter.convert({ input, outputDir, stem: String(ordinal), tool: 'ffmpeg', target: 'WAV' });
  return { run, output: path.join(outputDir, `${ordinal}.wav`) };
}

describe('ffmpeg reads only the input it is given', () => {
  it('refuses an HLS playlist naming an http:// URL and a local file, and reads neither', async () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:2',
      '#EXTINF:1.0,',
      `http://127.0.0.1:${port}/x.ts`,
      '#EXTINF:1.0,',
      'secret.ts',
      '#EXTINF:1.0,',
      path.join(dir, 'secret.ts'),
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    const { run, output } = await convertCrafted(1, playlist);
    await expect(run).rejects.toMatchObject({ name: 'ToolExitError', tool: 'ffmpeg', retryable: false, stderrTail: expect.stringMatching(/whitelist/) });
    expect(existsSync(output)).toBe(false);
    expect(connections).toBe(0);
  });

  it('refuses a concat list naming a local file beside it', async () => {
    // ffmpeg's own concat "safe" mode refuses URLs and absolute paths, but not a name beside the list.
    const { run, output } = await convertCrafted(2, 'ffconcat version 1.0\nfile secret.ts\n');
    await expect(run).rejects.toMatchObject({ name: 'ToolExitError', tool: 'ffmpeg', retryable: false, stderrTail: expect.stringMatching(/whitelist/) });
    expect(existsSync(output)).toBe(false);
    expect(connections).toBe(0);
  });

  it('still converts a real audio file named the same way', async () => {
    const input = path.join(dir, '3-in');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-f', 'flac', input]);
    const result = await converter.convert({ input, outputDir: path.join(dir, 'out-3'), stem: '3', tool: 'ffmpeg', target: 'WAV' });
    expect(existsSync(result.output)).toBe(true);
    expect(result.options).toEqual(expect.arrayContaining(['-protocol_whitelist', 'file']));
  });
});
