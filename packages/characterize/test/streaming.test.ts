import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_SIZE, findBytes } from '../src/fileBytes.ts';
import { scanPdf } from '../src/pdfScan.ts';

/** The chunked scans must not miss what straddles a chunk boundary. */

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'characterize-stream-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fileOf(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** A PDF-like body with `token` placed so it starts `before` bytes ahead of the first chunk boundary. */
function pdfWithTokenAt(token: string, before: number): Buffer {
  const head = '%PDF-1.7\n1 0 obj\n<< /S ';
  const padding = ' '.repeat(CHUNK_SIZE - before - head.length);
  return Buffer.from(`${head}${padding}${token} (x) >>\nendobj\n%%EOF\n`, 'latin1');
}

describe('scanPdf across chunk boundaries', () => {
  it.each([1, 3, 6, 10])('finds /JavaScript split %i bytes before the boundary', async (before) => {
    const scan = await scanPdf(await fileOf(`split-${before}.pdf`, pdfWithTokenAt('/JavaScript', before)));
    expect([...scan.markers]).toEqual(['javascript']);
  });

  it('does not read /JSON cut at the boundary as /JS', async () => {
    const scan = await scanPdf(await fileOf('json.pdf', pdfWithTokenAt('/JSON', 3)));
    expect(scan.markers.size).toBe(0);
  });

  it('decodes #xx escapes in names', async () => {
    const scan = await scanPdf(await fileOf('escaped.pdf', pdfWithTokenAt('/J#61vaScript', 100)));
    expect([...scan.markers]).toEqual(['javascript']);
  });

  it('tells /EncryptMetadata apart from /Encrypt', async () => {
    const scan = await scanPdf(await fileOf('meta.pdf', pdfWithTokenAt('/EncryptMetadata', 100)));
    expect(scan.markers.has('encrypt')).toBe(false);
  });
});

describe('findBytes', () => {
  it('finds a needle split across chunks and reports its absolute position', async () => {
    const bytes = Buffer.alloc(CHUNK_SIZE * 2);
    bytes[CHUNK_SIZE - 1] = 0xff;
    bytes[CHUNK_SIZE] = 0xd9;
    const path = await fileOf('split.bin', bytes);
    expect(await findBytes(path, Buffer.from([0xff, 0xd9]))).toBe(CHUNK_SIZE - 1);
    expect(await findBytes(path, Buffer.from([0xff, 0xd9]), CHUNK_SIZE)).toBe(-1);
  });
});
