import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { characterizeFile, type ComponentCharacterization } from '../src/characterize.ts';
import { MetadataReader } from '../src/metadataReader.ts';
import { readCertificate, verifySm2 } from '../src/sm2.ts';
import { limits } from './harness.ts';
import { buildOfd, filesOf, makeCertificate, makeSm2Key, pagePath, repack, sm2Sign } from './ofdBuilder.ts';

/** OFD identification, and signatures and seals verified on packages built and signed here with a fresh SM2 key. */

let dir = '';
let reader: MetadataReader;
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ofd-'));
  reader = new MetadataReader({ maxProcs: 1 });
});
afterAll(async () => {
  await reader.close();
  await rm(dir, { recursive: true, force: true });
});

async function characterize(bytes: Buffer, fileName = '发文.ofd'): Promise<ComponentCharacterization> {
  const filePath = join(dir, String(count++));
  await writeFile(filePath, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return characterizeFile({ filePath, fileName, fixity: { size: bytes.length, sha256 }, declared: {}, limits, reader });
}

const codes = (result: ComponentCharacterization) => result.findings.map((f) => f.code).sort();
const signer = makeSm2Key();

describe('OFD identification', () => {
  it('reads page count and document information from OFD.xml and Document.xml', async () => {
    const result = await characterize(buildOfd({ pages: ['一', '二', '三'], title: '关于印发年度工作要点的通知', author: '综合处', created: '2026-02-27' }));
    expect(result.format).toMatchObject({ formatName: 'OFD', formatVersion: '1.0', mediaType: 'application/ofd' });
    expect(result.technical).toMatchObject({ pageCount: 3, title: '关于印发年度工作要点的通知', author: '综合处', created: '2026-02-27', creatingApplication: 'oa-archive test 1.0' });
    expect(result.technical.signatures).toBeUndefined();
    expect(codes(result)).toEqual([]);
  });

  it('records an OFD whose DocRoot is missing as corrupt, naming the file', async () => {
    const files = filesOf(buildOfd());
    delete files['Doc_0/Document.xml'];
    const result = await characterize(repack(files));
    expect(codes(result)).toEqual(['corrupt']);
    expect(result.findings[0]!.message).toContain('Doc_0/Document.xml is missing');
  });
});

describe('OFD electronic seals (GB/T 38540)', () => {
  it('verifies every reference digest, the seal and the SM2 signature with the certificate in the package', async () => {
    const result = await characterize(buildOfd({ signature: 'seal', signer }));
    expect(codes(result)).toEqual([]);
    expect(result.technical.signatures).toEqual([
      expect.objectContaining({
        location: 'Doc_0/Signs/Sign_0/Signature.xml',
        kind: 'seal',
        standard: 'GB/T 38540',
        result: 'valid',
        problems: [],
        signer: '办公室电子印章',
        sealName: '某某市人民政府办公室',
        signedAt: '2026-03-01T08:00:00Z',
        references: 3,
      }),
    ]);
  });

  it('fails a seal when one page file was changed after signing, naming the file', async () => {
    const result = await characterize(buildOfd({ signature: 'seal', signer, tamper: { [pagePath(1)]: '<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"/>' } }));
    expect(codes(result)).toEqual(['signature-invalid']);
    expect(result.findings[0]!.severity).toBe('authenticity');
    expect(result.findings[0]!.message).toContain('Doc_0/Pages/Page_1/Content.xml changed after signing');
    expect(result.technical.signatures![0]).toMatchObject({ result: 'invalid', problems: ['Doc_0/Pages/Page_1/Content.xml changed after signing (its SM3 differs from the signed CheckValue)'] });
  });

  it('fails a seal whose Signature.xml was rewritten to match a changed page', async () => {
    const files = filesOf(buildOfd({ signature: 'seal', signer }));
    const page = new TextEncoder().encode('<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"/>');
    const signatureXml = new TextDecoder().decode(files['Doc_0/Signs/Sign_0/Signature.xml']);
    const oldDigest = createHash('sm3').update(files[pagePath(0)]!).digest('base64');
    files[pagePath(0)] = page;
    files['Doc_0/Signs/Sign_0/Signature.xml'] = new TextEncoder().encode(signatureXml.replace(oldDigest, createHash('sm3').update(page).digest('base64')));
    const result = await characterize(repack(files));
    expect(result.technical.signatures![0]).toMatchObject({ result: 'invalid', problems: ['Signature.xml no longer has the SM3 digest signed in Doc_0/Signs/Sign_0/SignedValue.dat'] });
  });

  it('fails a seal signed by a key other than the one its certificate holds', async () => {
    const other = makeSm2Key();
    const result = await characterize(buildOfd({ signature: 'seal', signer, certificate: makeCertificate('冒用证书', other) }));
    expect(codes(result)).toEqual(['signature-invalid']);
    expect(result.technical.signatures![0]!.problems).toEqual(['the SM2 signature in Doc_0/Signs/Sign_0/SignedValue.dat does not verify with the signer certificate (冒用证书)']);
  });

  it('fails a seal whose Seal.esl is not the seal inside the signature data', async () => {
    const files = filesOf(buildOfd({ signature: 'seal', signer }));
    files['Doc_0/Signs/Sign_0/Seal.esl'] = filesOf(buildOfd({ signature: 'seal', signer: makeSm2Key() }))['Doc_0/Signs/Sign_0/Seal.esl']!;
    const result = await characterize(repack(files));
    expect(result.technical.signatures![0]!.problems).toEqual(['Doc_0/Signs/Sign_0/Seal.esl is not the seal inside Doc_0/Signs/Sign_0/SignedValue.dat']);
  });

  it('fails a signature whose signed file is missing', async () => {
    const files = filesOf(buildOfd({ signature: 'seal', signer }));
    delete files[pagePath(1)];
    const result = await characterize(repack(files));
    expect(result.technical.signatures![0]!.problems).toContain('Doc_0/Pages/Page_1/Content.xml is signed but missing from the package');
  });

  it('records a bare signature value as present, not verifiable: no certificate, after checking its digests', async () => {
    const intact = await characterize(buildOfd({ signature: 'bare', signer }));
    expect(codes(intact)).toEqual(['signature-unverifiable']);
    expect(intact.findings[0]!.severity).toBe('info');
    expect(intact.technical.signatures![0]).toMatchObject({ kind: 'signature', result: 'unverifiable', reason: expect.stringContaining('no signer certificate in the package') });

    const changed = await characterize(buildOfd({ signature: 'bare', signer, tamper: { [pagePath(0)]: 'changed' } }));
    expect(codes(changed)).toEqual(['signature-invalid']);
  });
});

describe('hostile OFD packages', () => {
  it('refuses a signature reference that points outside the package, as damage', async () => {
    const files = filesOf(buildOfd({ signature: 'seal', signer }));
    const xml = new TextDecoder().decode(files['Doc_0/Signs/Sign_0/Signature.xml']);
    files['Doc_0/Signs/Sign_0/Signature.xml'] = new TextEncoder().encode(xml.replace('FileRef="/Doc_0/Document.xml"', 'FileRef="../../../../etc/passwd"'));
    const result = await characterize(repack(files));
    expect(codes(result)).toEqual(['corrupt']);
    expect(result.findings[0]!.message).toContain('refers outside the package (../../../../etc/passwd)');
  });

  it('does not take unreadable signature data for a verified one', async () => {
    const files = filesOf(buildOfd({ signature: 'seal', signer }));
    files['Doc_0/Signs/Sign_0/SignedValue.dat'] = new Uint8Array(Buffer.from('not a signature at all, just text'));
    const result = await characterize(repack(files));
    expect(result.technical.signatures![0]).toMatchObject({ result: 'unverifiable', reason: expect.stringContaining('is not signature data this archive can read') });
  });

  it('fails signature data whose DER lengths run past its end', async () => {
    const files = filesOf(buildOfd({ signature: 'seal', signer }));
    const value = files['Doc_0/Signs/Sign_0/SignedValue.dat']!;
    files['Doc_0/Signs/Sign_0/SignedValue.dat'] = value.subarray(0, value.length - 20);
    const result = await characterize(repack(files));
    expect(result.technical.signatures![0]).toMatchObject({ result: 'invalid', problems: [expect.stringMatching(/^Doc_0\/Signs\/Sign_0\/SignedValue.dat is damaged \(DER element at byte 0 runs past the end/)] });
  });
});

describe('SM2 verification', () => {
  it("agrees with OpenSSL's SM2 (Node), which signs with an empty user ID", () => {
    // Node's 'ec' key on the SM2 curve signs ECDSA; re-read from PKCS#8 it is an SM2 key and signs SM2.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const sm2Key = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const spki = createPublicKey(sm2Key).export({ type: 'spki', format: 'der' });
    const point = spki.subarray(spki.length - 65);
    const message = Buffer.from('关于开展安全生产大检查的通知');
    const signature = sign('sm3', message, sm2Key);
    expect(verifySm2(message, signature, point, '')).toBe(true);
    // GB/T 38540 signatures use the default ID 1234567812345678, which Node cannot set.
    expect(verifySm2(message, signature, point)).toBe(false);
    expect(verifySm2(Buffer.from('关于开展安全生产大检查的通报'), signature, point, '')).toBe(false);
  });

  it('reads the SM2 public key of a certificate that OpenSSL also parses', () => {
    const certificate = makeCertificate('办公室电子印章', signer);
    const x509 = new X509Certificate(certificate);
    expect(x509.subject).toContain('CN=办公室电子印章');
    const read = readCertificate(certificate);
    expect(read).toMatchObject({ subject: '办公室电子印章', curve: '1.2.156.10197.1.301', notBefore: '2025-01-01T00:00:00Z' });
    expect(read.publicKey.toString('hex')).toBe(signer.publicKey);
    expect(verifySm2(Buffer.from('x'), sm2Sign(Buffer.from('x'), signer), read.publicKey)).toBe(true);
  });
});
