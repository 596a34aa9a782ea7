import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { characterizeFile } from '../src/characterize.ts';
import { MetadataReader } from '../src/metadataReader.ts';
import { checkPdfSignatures } from '../src/pdfSignature.ts';
import { limits } from './harness.ts';
import { makeSigner, signCms, signedPdf, type TestSigner } from './signedPdf.ts';

/** PDFs signed at test time with a key and certificate made for the test (OpenSSL's command line). */
let dir: string;
let signer: TestSigner;
let reader: MetadataReader;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pdf-signature-test-'));
  signer = makeSigner();
  reader = new MetadataReader({ maxProcs: 1 });
});
afterAll(async () => {
  await reader?.close();
  signer?.remove();
  await rm(dir, { recursive: true, force: true });
});

async function check(name: string, bytes: Buffer) {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return checkPdfSignatures(file);
}

describe('PDF signatures (PAdES / CMS)', () => {
  it('verifies a signature over the whole file and names the signer and the digest algorithm', async () => {
    const { signatures, findings } = await check('signed.pdf', signedPdf((bytes) => signCms(signer, bytes)));
    expect(signatures).toHaveLength(1);
    expect(signatures[0]).toMatchObject({ kind: 'signature', standard: 'PDF ETSI.CAdES.detached', result: 'valid', problems: [], digestAlgorithm: 'SHA-256', signatureAlgorithm: expect.stringMatching(/ECDSA/), coversWholeFile: true });
    expect(signatures[0]!.signer).toContain('CN=测试签名人');
    expect(signatures[0]!.signedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(findings).toEqual([]);
  });

  it('names SHA-512 when the signer used it', async () => {
    const { signatures } = await check('sha512.pdf', signedPdf((bytes) => signCms(signer, bytes, 'sha512')));
    expect(signatures[0]).toMatchObject({ result: 'valid', digestAlgorithm: 'SHA-512' });
  });

  it('fails a signature when a signed byte was changed afterwards', async () => {
    const pdf = signedPdf((bytes) => signCms(signer, bytes));
    const at = pdf.indexOf('/MediaBox [0 0 595 842]') + '/MediaBox [0 0 59'.length;
    pdf.write('6', at, 'latin1');
    const { signatures, findings } = await check('tampered.pdf', pdf);
    expect(signatures[0]).toMatchObject({ result: 'invalid', problems: [expect.stringMatching(/SHA-256 digest of the signed byte ranges differs/)] });
    expect(findings.map((f) => f.code)).toEqual(['signature-invalid']);
  });

  it('fails a signature made over other bytes than its /ByteRange names', async () => {
    const { signatures } = await check('other-bytes.pdf', signedPdf(() => signCms(signer, Buffer.from('some other document'))));
    expect(signatures[0]).toMatchObject({ result: 'invalid' });
  });

  it('keeps a signature valid after an appended update, and says it no longer covers the whole file', async () => {
    const pdf = Buffer.concat([signedPdf((bytes) => signCms(signer, bytes)), Buffer.from('% an incremental update\n', 'latin1')]);
    const { signatures } = await check('appended.pdf', pdf);
    expect(signatures[0]).toMatchObject({ result: 'valid', coversWholeFile: false });
  });

  it('records a /Contents that holds no CMS as unverifiable, with the reason', async () => {
    const { signatures, findings } = await check('junk-contents.pdf', signedPdf(() => Buffer.from('3003020100', 'hex')));
    expect(signatures[0]).toMatchObject({ result: 'unverifiable', reason: expect.stringMatching(/CMS/) });
    expect(findings.map((f) => f.code)).toEqual(['signature-unverifiable']);
  });

  it('finds nothing in an unsigned PDF', async () => {
    const unsigned = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
    expect(await check('unsigned.pdf', unsigned)).toEqual({ signatures: [], findings: [] });
  });
});

describe('characterization of a signed PDF', () => {
  it('records its signatures in the technical metadata (GD-1-1 reads them) and a finding when one fails', async () => {
    const pdf = signedPdf((bytes) => signCms(signer, bytes));
    const file = path.join(dir, '签发稿.pdf');
    await writeFile(file, pdf);
    const fixity = { size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') };
    const result = await characterizeFile({ filePath: file, fileName: '签发稿.pdf', fixity, declared: {}, limits, reader });
    expect(result.technical.signatures).toEqual([expect.objectContaining({ kind: 'signature', result: 'valid', digestAlgorithm: 'SHA-256', signer: expect.stringContaining('CN=测试签名人') })]);
    expect(result.findings.map((f) => f.code)).not.toContain('signature-invalid');

    pdf.write('6', pdf.indexOf('/MediaBox [0 0 595 842]') + '/MediaBox [0 0 59'.length, 'latin1');
    await writeFile(file, pdf);
    const tampered = await characterizeFile({ filePath: file, fileName: '签发稿.pdf', fixity: { size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') }, declared: {}, limits, reader });
    expect(tampered.technical.signatures?.[0]).toMatchObject({ result: 'invalid' });
    expect(tampered.findings.map((f) => f.code)).toContain('signature-invalid');
  });
});
