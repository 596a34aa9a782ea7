import { sm2 } from 'sm-crypto-v2';
import { DerError, TAG, bitStringBytes, childrenOf, expectTag, oidOf, parseDer, textOf, type DerElement } from './der.ts';

/**
 * SM2 signature verification (GB/T 32918.2, SM3 digest with the signer's Z value) and the SM2
 * public key of an X.509 certificate. Node's OpenSSL signs and verifies SM2 only with an empty
 * distinguishing ID and offers no way to set one; GB/T 35276 and GB/T 38540 use the default
 * ID 1234567812345678, so verification goes through sm-crypto-v2 (on @noble/curves), which takes
 * the ID as a parameter.
 */

/** GB/T 35276 / GM/T 0009 default user ID for SM2 signatures. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

export const OID = {
  /** SM3 (GM/T 0006). */
  sm3: '1.2.156.10197.1.401',
  /** SM2 signature with SM3 (sm3WithSM2Encryption). */
  sm2WithSm3: '1.2.156.10197.1.501',
  /** The SM2 curve as an EC named curve. */
  sm2Curve: '1.2.156.10197.1.301',
  /** id-ecPublicKey. */
  ecPublicKey: '1.2.840.10045.2.1',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
} as const;

/**
 * True when `signature` (DER SEQUENCE { r, s } or 64 raw bytes r‖s) is a valid SM2 signature of
 * `message` by `publicKey` (65 bytes, uncompressed point 04‖x‖y).
 */
export function verifySm2(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array, userId = SM2_DEFAULT_USER_ID): boolean {
  const der = !(signature.length === 64 && signature[0] !== TAG.SEQUENCE);
  try {
    return sm2.doVerifySignature(message, Buffer.from(signature).toString('hex'), Buffer.from(publicKey).toString('hex'), { der, hash: true, userId });
  } catch {
    // The library throws on malformed signatures and points: for a verifier that is simply "not valid".
    return false;
  }
}

export interface CertificateSummary {
  /** Subject CN (or O) as the certificate names it. */
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** Public key algorithm and curve OIDs. */
  keyAlgorithm: string;
  curve: string | null;
  /** The subject public key as stored (an uncompressed EC point for SM2). */
  publicKey: Buffer;
}

/** Reads what verification needs from a DER X.509 certificate. Throws DerError when it is not one. */
export function readCertificate(der: Buffer): CertificateSummary {
  const certificate = childrenOf(expectTag(parseDer(der), TAG.SEQUENCE, 'certificate'));
  const tbs = childrenOf(expectTag(certificate[0], TAG.SEQUENCE, 'tbsCertificate'));
  // [0] EXPLICIT version is optional (absent for v1 certificates).
  const fields = tbs[0]?.tag === 0xa0 ? tbs.slice(1) : tbs;
  const [serial, , issuer, validity, subject, spki] = fields;
  const times = childrenOf(expectTag(validity, TAG.SEQUENCE, 'validity')).map(timeOf);
  const [algorithm, key] = childrenOf(expectTag(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo'));
  const [keyOid, parameter] = childrenOf(expectTag(algorithm, TAG.SEQUENCE, 'public key algorithm'));
  return {
    subject: nameOf(expectTag(subject, TAG.SEQUENCE, 'subject')),
    issuer: nameOf(expectTag(issuer, TAG.SEQUENCE, 'issuer')),
    serialNumber: expectTag(serial, TAG.INTEGER, 'serialNumber').content.toString('hex'),
    notBefore: times[0] ?? '',
    notAfter: times[1] ?? '',
    keyAlgorithm: oidOf(keyOid!),
    curve: parameter?.tag === TAG.OID ? oidOf(parameter) : null,
    publicKey: bitStringBytes(key!),
  };
}

/** The CN of a Name, else its O, else every attribute value joined. */
function nameOf(name: DerElement): string {
  const attributes = childrenOf(name).flatMap((set) => childrenOf(set)).map((pair) => {
    const [type, value] = childrenOf(pair);
    return { oid: oidOf(type!), value: value ? textOf(value) : '' };
  });
  const pick = (oid: string) => attributes.find((a) => a.oid === oid)?.value;
  return pick(OID.commonName) ?? pick(OID.organizationName) ?? attributes.map((a) => a.value).join(', ');
}

/** UTCTime or GeneralizedTime (Z form) as ISO 8601. */
export function timeOf(element: DerElement): string {
  const text = textOf(element);
  const utc = element.tag === TAG.UTC_TIME;
  if (!utc && element.tag !== TAG.GENERALIZED_TIME) throw new DerError(`tag 0x${element.tag.toString(16)} is not a time`);
  const match = (utc ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/).exec(text);
  if (!match) return text;
  const year = utc ? (Number(match[1]) < 50 ? `20${match[1]}` : `19${match[1]}`) : match[1];
  return `${year}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6] ?? '00'}Z`;
}
