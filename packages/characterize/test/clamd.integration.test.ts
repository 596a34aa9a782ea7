import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClamdScanner, ClamdUnavailableError, parseClamdVersion, parseScanReply } from '../src/index.ts';
import { EICAR, EICAR_SIGNATURE, startTestClamd, type TestClamd } from './clamdProcess.ts';

let clamd: TestClamd;
let dir = '';
let socket = '';
/** A file that is harmless but listed by MD5 in the test's own .hdb database. */
const listed = randomBytes(1000);

beforeAll(async () => {
  clamd = await startTestClamd({ hashSignatures: [`${createHash('md5').update(listed).digest('hex')}:${listed.length}:OA-Archive.Test.Listed`] });
  ({ dir, socket } = clamd);
});
afterAll(async () => {
  await clamd?.close();
});

describe('ClamdScanner against a real clamd', () => {
  it('names the engine (GD-4-1); on local signatures only there is no database version', async () => {
    const version = await new ClamdScanner({ address: socket }).version();
    expect(version.engine).toMatch(/^ClamAV \d+\.\d+/);
    expect(version.databaseVersion).toBeNull();
  });

  it('finds the EICAR test file by its body signature, naming the signature', async () => {
    const file = path.join(dir, 'eicar.com.txt');
    await writeFile(file, EICAR);
    expect(await new ClamdScanner({ address: socket }).scanFile(file)).toEqual({ clean: false, signature: EICAR_SIGNATURE });
  });

  it('finds a file listed by its MD5 hash signature', async () => {
    const file = path.join(dir, 'listed.bin');
    await writeFile(file, listed);
    expect(await new ClamdScanner({ address: socket, timeoutMs: 10_000 }).scanFile(file)).toEqual({ clean: false, signature: 'OA-Archive.Test.Listed.UNOFFICIAL' });
  });

  it('passes a clean file, streamed in many chunks', async () => {
    const file = path.join(dir, 'clean.bin');
    await writeFile(file, randomBytes(3 * 1024 * 1024));
    expect(await new ClamdScanner({ address: socket }).scanFile(file)).toEqual({ clean: true });
  });

  it('finds EICAR deep inside a larger file', async () => {
    const file = path.join(dir, 'padded.bin');
    await writeFile(file, Buffer.concat([Buffer.alloc(200_000, 0x20), EICAR, Buffer.alloc(200_000, 0x20)]));
    expect(await new ClamdScanner({ address: socket }).scanFile(file)).toMatchObject({ clean: false });
  });

  it('reports an unreachable clamd as retryable, never as clean', async () => {
    const scanner = new ClamdScanner({ address: path.join(dir, 'no-such.sock') });
    const file = path.join(dir, 'eicar.com.txt');
    const error = await scanner.scanFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClamdUnavailableError);
    expect(error).toMatchObject({ retryable: true });
    await expect(new ClamdScanner({ address: 'tcp://127.0.0.1:1' }).version()).rejects.toBeInstanceOf(ClamdUnavailableError);
  });
});

describe('clamd replies', () => {
  it('reads the official database version and date when there is one', () => {
    expect(parseClamdVersion('ClamAV 1.4.6/27500/Tue Dec  1 08:00:00 2026\0')).toEqual({ engine: 'ClamAV 1.4.6', databaseVersion: '27500', databaseDate: 'Tue Dec  1 08:00:00 2026' });
  });

  it('treats an ERROR reply as a failed scan, not a clean one', () => {
    expect(() => parseScanReply('INSTREAM size limit exceeded. ERROR\0')).toThrow(/StreamMaxLength/);
    expect(() => parseScanReply('')).toThrow(/could not scan/);
    expect(parseScanReply('stream: Win.Test.EICAR_HDB-1 FOUND\0')).toEqual({ clean: false, signature: 'Win.Test.EICAR_HDB-1' });
  });
});
