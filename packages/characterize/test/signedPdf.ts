import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A one-page PDF signed as a PDF signer does it (ISO 32000 12.8): a signature field whose value
 * dictionary has /ByteRange over the whole file but its /Contents hex string, and in /Contents a
 * detached CMS SignedData made by the OpenSSL command line with a key and self-signed certificate
 * made for the test. Nothing is fixed: each call makes its own key.
 */

export interface TestSigner {
  key: string;
  certificate: string;
  subject: string;
  dir: string;
  remove(): void;
}

/** An EC P-256 key and a self-signed certificate for it, made with `openssl req`. */
export function makeSigner(subject = '/CN=测试签名人/O=Test Agency'): TestSigner {
  const dir = mkdtempSync(path.join(tmpdir(), 'pdf-signer-'));
  const key = path.join(dir, 'key.pem');
  const certificate = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-utf8', '-subj', subject, '-days', '30', '-keyout', key, '-out', certificate], { stdio: 'ignore' });
  return { key, certificate, subject, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Detached CMS SignedData over `data` (signed attributes with messageDigest, SHA-256), DER. */
export function signCms(signer: TestSigner, data: Buffer, digest = 'sha256'): Buffer {
  const input = path.join(signer.dir, 'signed-bytes.bin');
  const output = path.join(signer.dir, 'signature.der');
  writeFileSync(input, data);
  execFileSync('openssl', ['cms', '-sign', '-binary', '-in', input, '-signer', signer.certificate, '-inkey', signer.key, '-md', digest, '-outform', 'DER', '-out', output], { stdio: 'ignore' });
  return readFileSync(output);
}

const CONTENTS_HEX = 16_384;
const RANGE_WIDTH = 10;

/** A signed one-page PDF. `sign` gets the bytes the /ByteRange covers and returns the CMS for /Contents. */
export function signedPdf(sign: (signedBytes: Buffer) => Buffer): Buffer {
  const placeholder = `[0 ${'0'.repeat(RANGE_WIDTH)} ${'0'.repeat(RANGE_WIDTH)} ${'0'.repeat(RANGE_WIDTH)}]`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Annots [4 0 R] >>',
    '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /Rect [0 0 0 0] /F 132 /P 3 0 R /V 5 0 R >>',
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:20260301120000Z) /ByteRange ${placeholder} /Contents <${'0'.repeat(CONTENTS_HEX)}> >>`,
  ];
  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;

  const file = Buffer.from(body, 'latin1');
  const contentsAt = file.indexOf(`/Contents <`) + '/Contents '.length;
  const contentsEnd = contentsAt + CONTENTS_HEX + 2;
  const range = [0, contentsAt, contentsEnd, file.length - contentsEnd];
  const rangeText = `[${range.map((n, i) => (i === 0 ? String(n) : String(n).padStart(RANGE_WIDTH, '0'))).join(' ')}]`;
  file.write(rangeText, file.indexOf(placeholder), 'latin1');
  const signed = Buffer.concat([file.subarray(0, contentsAt), file.subarray(contentsEnd)]);
  const hex = sign(signed).toString('hex').toUpperCase();
  if (hex.length > CONTENTS_HEX) throw new Error(`the CMS (${hex.length / 2} bytes) does not fit the /Contents placeholder`);
  file.write(hex, contentsAt + 1, 'latin1');
  return file;
}
