import { verifyDetachedCms } from './cms.ts';
import { forEachChunk, readAt, withFile } from './fileBytes.ts';
import { finding } from './findings.ts';
import type { SignatureCheck } from './ofd.ts';
import type { Finding } from './types.ts';

/**
 * PDF signatures (PAdES, ISO 32000 12.8): each signature dictionary's /ByteRange names the bytes
 * signed (all of the file but the /Contents hex string between two ranges), and /Contents holds a
 * CMS SignedData over them (cms.ts). Found by their /ByteRange in the raw bytes (signature
 * dictionaries are never in compressed object streams: their offsets must be exact), read with
 * bounded reads. A signature that covers less than the whole file was followed by later changes
 * (an incremental update): that is said, not failed — a later signature or a form fill does it.
 */

export interface PdfSignatureCheck extends SignatureCheck {
  /** The digest algorithm of the CMS signer (SHA-256 …). */
  digestAlgorithm?: string;
  signatureAlgorithm?: string;
  /** The byte ranges reach the end of the file: nothing was appended after this signature. */
  coversWholeFile: boolean;
}

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
const SUB_FILTER = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/;
const OVERLAP = 256;
/** The dictionary around a /ByteRange is read this far either side for /SubFilter. */
const DICTIONARY_WINDOW = 2048;
/** More would be a hostile file, not a signed document. */
const MAX_SIGNATURES = 50;
/** The signed ranges are read into memory to be hashed and verified; beyond this the signature is not verified here. */
const MAX_SIGNED_BYTES = 512 * 1024 * 1024;
const MAX_CONTENTS_BYTES = 1024 * 1024;

/** Every signature in the PDF at `filePath`, verified, and the findings for those that fail or cannot be checked. */
export async function checkPdfSignatures(filePath: string): Promise<{ signatures: PdfSignatureCheck[]; findings: Finding[] }> {
  const ranges = await findByteRanges(filePath);
  if (ranges.length === 0) return { signatures: [], findings: [] };
  const signatures = await withFile(filePath, async (handle, size) => {
    const checks: PdfSignatureCheck[] = [];
    for (const [index, found] of ranges.entries()) {
      const location = `签名${index + 1}（/ByteRange于第${found.at}字节）`;
      const [a, b, c, d] = found.range;
      const base = { location, kind: 'signature' as const, references: 2, coversWholeFile: c + d === size };
      const dictionary = (await readAt(handle, Math.max(0, found.at - DICTIONARY_WINDOW), 2 * DICTIONARY_WINDOW)).toString('latin1');
      const subFilter = SUB_FILTER.exec(dictionary)?.[1];
      const standard = subFilter ? `PDF ${subFilter}` : 'PDF';
      const shape = a !== 0 || b <= 0 || c <= b || d < 0 || c + d > size ? `字节范围[${found.range.join(' ')}]不是从文件开头起、覆盖/Contents两侧的两段（文件${size}字节）` : undefined;
      if (shape) {
        checks.push({ ...base, standard, result: 'invalid', problems: [shape] });
        continue;
      }
      const gap = c - b;
      if (gap > 2 * MAX_CONTENTS_BYTES + 2 || b + d > MAX_SIGNED_BYTES) {
        checks.push({ ...base, standard, result: 'unverifiable', problems: [], reason: `签名数据或签名范围过大（${gap}、${b + d}字节），未验证` });
        continue;
      }
      const contents = (await readAt(handle, b, gap)).toString('latin1');
      const hex = /^<([0-9A-Fa-f\s]*)>$/.exec(contents)?.[1]?.replace(/\s/g, '');
      if (hex === undefined || hex.length % 2 !== 0) {
        checks.push({ ...base, standard, result: 'invalid', problems: ['两段字节范围之间不是/Contents的十六进制串：签名范围与签名不对应'] });
        continue;
      }
      const signed = Buffer.concat([await readAt(handle, a, b), await readAt(handle, c, d)]);
      const cms = verifyDetachedCms(Buffer.from(hex, 'hex'), signed);
      checks.push({
        ...base,
        standard,
        result: cms.result,
        problems: cms.result === 'invalid' ? cms.problems : [],
        ...(cms.result === 'unverifiable' ? { reason: cms.problems.join('；') } : {}),
        ...(cms.signer ? { signer: cms.signer } : {}),
        ...(cms.signedAt ? { signedAt: cms.signedAt } : {}),
        ...(cms.digestAlgorithm ? { digestAlgorithm: cms.digestAlgorithm } : {}),
        ...(cms.signatureAlgorithm ? { signatureAlgorithm: cms.signatureAlgorithm } : {}),
      });
    }
    return checks;
  });
  return { signatures, findings: findingsOf(signatures) };
}

function findingsOf(signatures: PdfSignatureCheck[]): Finding[] {
  const findings: Finding[] = [];
  const invalid = signatures.filter((s) => s.result === 'invalid');
  if (invalid.length) {
    const detail = invalid.map((s) => `${s.location}: ${s.problems.join('; ')}`).join(' | ');
    findings.push(finding('signature-invalid', `PDF electronic ${invalid.length === 1 ? 'signature' : 'signatures'} failed verification — ${detail}; the document may have been changed after signing: ask the issuer for the signed original.`, { detail }));
  }
  const unverifiable = signatures.filter((s) => s.result === 'unverifiable');
  if (unverifiable.length) {
    const detail = unverifiable.map((s) => `${s.location}: ${s.reason ?? ''}`).join(' | ');
    findings.push(finding('signature-unverifiable', `PDF electronic signature present, not verifiable here — ${detail}.`, { detail }));
  }
  return findings;
}

/** Where each /ByteRange array is, read in one streaming pass with a small overlap between chunks. */
async function findByteRanges(filePath: string): Promise<{ at: number; range: [number, number, number, number] }[]> {
  const found = new Map<number, [number, number, number, number]>();
  let carry = '';
  await forEachChunk(filePath, 0, (chunk, offset) => {
    const text = carry + chunk.toString('latin1');
    const start = offset - carry.length;
    for (const m of text.matchAll(BYTE_RANGE)) {
      found.set(start + m.index, [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]);
      if (found.size >= MAX_SIGNATURES) return false;
    }
    carry = text.slice(-OVERLAP);
    return true;
  });
  return [...found].sort((x, y) => x[0] - y[0]).map(([at, range]) => ({ at, range }));
}
