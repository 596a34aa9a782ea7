import { createHash } from 'node:crypto';
import { DerError, TAG, bitStringBytes, childrenOf, expectTag, oidOf, parseDer, textOf, type DerElement } from './der.ts';
import { OID, readCertificate, timeOf, verifySm2 } from './sm2.ts';

/**
 * Verifies an OFD SignedValue.dat as GB/T 38540-2020 (SES_Signature v4) or GM/T 0031-2014 (v1)
 * electronic signature data: the SM3 digest it holds must be that of Signature.xml (GB/T 33190
 * §18: Signature.xml, with its references, is what is signed), the SM2 signature over TBS_Sign
 * must verify with the signer's certificate carried inside, and the seal inside must be the
 * package's Seal.esl. A bare signature value carries no certificate and cannot be verified here.
 */

export interface SignedValueCheck {
  result: 'valid' | 'invalid' | 'unverifiable';
  standard?: 'GB/T 38540' | 'GM/T 0031';
  problems: string[];
  reason?: string;
  signer?: string;
  sealName?: string;
  signedAt?: string;
}

interface SesSignature {
  standard: 'GB/T 38540' | 'GM/T 0031';
  toSign: DerElement;
  eseal: DerElement;
  timeInfo: DerElement;
  dataHash: Buffer;
  cert: Buffer;
  algorithm: string;
  signature: Buffer;
}

/** Reads SES_Signature in either version; null when the bytes are not one (a bare signature value, PKCS#7 …). */
function readSesSignature(bytes: Buffer): SesSignature | null {
  // Bytes that start as a DER SEQUENCE and do not parse are damaged signature data, not another format.
  if (bytes[0] !== TAG.SEQUENCE) return null;
  const root = parseDer(bytes);
  const top = childrenOf(root);
  if (top[0]?.tag !== TAG.SEQUENCE) return null;
  const tbs = childrenOf(top[0]);
  if (tbs[0]?.tag !== TAG.INTEGER || tbs[1]?.tag !== TAG.SEQUENCE) return null;
  if (top.length >= 4) {
    // v4: SES_Signature { toSign, cert, signatureAlgID, signature, timeStamp [0] OPTIONAL }
    return {
      standard: 'GB/T 38540',
      toSign: top[0],
      eseal: tbs[1],
      timeInfo: expectTag(tbs[2], TAG.GENERALIZED_TIME, 'TBS_Sign.timeInfo'),
      dataHash: bitStringBytes(expectTag(tbs[3], TAG.BIT_STRING, 'TBS_Sign.dataHash')),
      cert: expectTag(top[1], TAG.OCTET_STRING, 'SES_Signature.cert').content,
      algorithm: oidOf(top[2]!),
      signature: bitStringBytes(expectTag(top[3], TAG.BIT_STRING, 'SES_Signature.signature')),
    };
  }
  if (top.length === 2) {
    // v1: TBS_Sign { version, eseal, timeInfo BIT STRING, dataHash, propertyInfo, cert, signatureAlgorithm, extDatas? }
    return {
      standard: 'GM/T 0031',
      toSign: top[0],
      eseal: tbs[1],
      timeInfo: tbs[2]!,
      dataHash: bitStringBytes(expectTag(tbs[3], TAG.BIT_STRING, 'TBS_Sign.dataHash')),
      cert: expectTag(tbs[5], TAG.OCTET_STRING, 'TBS_Sign.cert').content,
      algorithm: oidOf(tbs[6]!),
      signature: bitStringBytes(expectTag(top[1], TAG.BIT_STRING, 'SES_Signature.signature')),
    };
  }
  return null;
}

/** The seal's name (SES_ESPropertyInfo.name) where the seal structure is readable. */
function sealNameOf(eseal: DerElement): string | undefined {
  try {
    const info = childrenOf(childrenOf(eseal)[0]!);
    const property = childrenOf(info[2]!);
    return property[1] ? textOf(property[1]) : undefined;
  } catch {
    return undefined;
  }
}

function signedAtOf(timeInfo: DerElement): string | undefined {
  try {
    return timeInfo.tag === TAG.BIT_STRING ? bitStringBytes(timeInfo).toString('latin1') : timeOf(timeInfo);
  } catch {
    return undefined;
  }
}

/** Why signature data that is not SES_Signature cannot be verified here. */
function unrecognised(bytes: Buffer): string {
  const bare = 'is a bare signature value, not GB/T 38540 signature data: no signer certificate in the package';
  if (bytes.length === 64) return bare;
  try {
    const top = childrenOf(parseDer(bytes));
    if (top.length === 2 && top.every((e) => e.tag === TAG.INTEGER)) return bare;
    if (top[0]?.tag === TAG.OID) return `is ${oidOf(top[0])} signed data (PKCS#7 / GB/T 35275), which is not verified here`;
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
  }
  return 'is not signature data this archive can read (neither GB/T 38540, GM/T 0031 nor an SM2 signature value)';
}

export function checkSignedValue(args: { signatureXml: Buffer; signedValue: Buffer; signedValueName: string; seal?: { name: string; bytes: Buffer } }): SignedValueCheck {
  let ses: SesSignature | null;
  try {
    ses = readSesSignature(args.signedValue);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    return { result: 'invalid', problems: [`${args.signedValueName} is damaged (${error.message})`] };
  }
  if (!ses) return { result: 'unverifiable', problems: [], reason: `${args.signedValueName} ${unrecognised(args.signedValue)}` };
  const base = { standard: ses.standard, sealName: sealNameOf(ses.eseal), signedAt: signedAtOf(ses.timeInfo) };
  const problems: string[] = [];
  if (!createHash('sm3').update(args.signatureXml).digest().equals(ses.dataHash)) {
    problems.push(`Signature.xml no longer has the SM3 digest signed in ${args.signedValueName}`);
  }
  if (args.seal && !args.seal.bytes.equals(ses.eseal.encoded)) problems.push(`${args.seal.name} is not the seal inside ${args.signedValueName}`);
  if (ses.algorithm !== OID.sm2WithSm3) {
    return { ...base, result: problems.length ? 'invalid' : 'unverifiable', problems, reason: `signature algorithm ${ses.algorithm} is not SM2 with SM3` };
  }
  let certificate: ReturnType<typeof readCertificate>;
  try {
    certificate = readCertificate(ses.cert);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    return { ...base, result: problems.length ? 'invalid' : 'unverifiable', problems, reason: `the signer certificate in ${args.signedValueName} cannot be read (${error.message})` };
  }
  const sm2Key = certificate.curve === OID.sm2Curve || certificate.keyAlgorithm === OID.sm2Curve;
  if (!sm2Key) {
    return { ...base, signer: certificate.subject, result: problems.length ? 'invalid' : 'unverifiable', problems, reason: `the signer certificate's key is not an SM2 key (${certificate.keyAlgorithm})` };
  }
  if (!verifySm2(ses.toSign.encoded, ses.signature, certificate.publicKey)) {
    problems.push(`the SM2 signature in ${args.signedValueName} does not verify with the signer certificate (${certificate.subject})`);
  }
  return { ...base, signer: certificate.subject, result: problems.length ? 'invalid' : 'valid', problems };
}

