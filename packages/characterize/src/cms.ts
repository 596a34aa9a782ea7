import { createHash, verify, X509Certificate } from 'node:crypto';
import { childrenOf, DerError, expectTag, integerOf, oidOf, readElement, TAG, type DerElement } from './der.ts';

/**
 * CMS SignedData (RFC 5652) with detached content, as PDF signatures carry it (adbe.pkcs7.detached,
 * ETSI.CAdES.detached): the signer's digest of the content, the signed attributes' messageDigest,
 * and the signature over them by the signer's certificate in the structure. Proves the bytes
 * unchanged since signing by the holder of that certificate's key; whether the certificate is
 * trusted (its chain, revocation) is not judged here.
 */

const OIDS = {
  signedData: '1.2.840.113549.1.7.2',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

/** Digest algorithms by OID: Node's name and the name a person reads. */
const DIGESTS: Record<string, { node: string; name: string }> = {
  '1.3.14.3.2.26': { node: 'sha1', name: 'SHA-1' },
  '2.16.840.1.101.3.4.2.1': { node: 'sha256', name: 'SHA-256' },
  '2.16.840.1.101.3.4.2.2': { node: 'sha384', name: 'SHA-384' },
  '2.16.840.1.101.3.4.2.3': { node: 'sha512', name: 'SHA-512' },
  '1.2.156.10197.1.401': { node: 'sm3', name: 'SM3' },
};

/** Signature algorithms Node's verify() takes with a certificate's key (PKCS#1 v1.5 RSA, ECDSA). */
const SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.113549.1.1.5': 'SHA-1 with RSA',
  '1.2.840.113549.1.1.11': 'SHA-256 with RSA',
  '1.2.840.113549.1.1.12': 'SHA-384 with RSA',
  '1.2.840.113549.1.1.13': 'SHA-512 with RSA',
  '1.2.840.10045.2.1': 'ECDSA',
  '1.2.840.10045.4.3.2': 'ECDSA with SHA-256',
  '1.2.840.10045.4.3.3': 'ECDSA with SHA-384',
  '1.2.840.10045.4.3.4': 'ECDSA with SHA-512',
};

export interface CmsVerification {
  result: 'valid' | 'invalid' | 'unverifiable';
  /** What failed (invalid) or why it cannot be checked (unverifiable). */
  problems: string[];
  /** The signer certificate's subject, as X.509 prints it (`CN=…, O=…`). */
  signer?: string;
  digestAlgorithm?: string;
  signatureAlgorithm?: string;
  /** The signingTime attribute, where signed (ISO 8601). */
  signedAt?: string;
}

/** Verifies a DER CMS ContentInfo (trailing zero padding allowed, as PDF /Contents pads) against the detached `content`. */
export function verifyDetachedCms(der: Buffer, content: Buffer): CmsVerification {
  let signedData: DerElement;
  try {
    const info = readElement(der);
    if (der.subarray(info.encoded.length).some((b) => b !== 0)) return unverifiable('bytes after the CMS structure that are not padding');
    const [type, wrapped] = childrenOf(expectTag(info, TAG.SEQUENCE, 'ContentInfo'));
    if (!type || oidOf(expectTag(type, TAG.OID, 'contentType')) !== OIDS.signedData) return unverifiable('not CMS SignedData');
    signedData = expectTag(childrenOf(expectTag(wrapped, 0xa0, 'content [0]'))[0], TAG.SEQUENCE, 'SignedData');
  } catch (error) {
    return unverifiable(`not a readable CMS structure: ${(error as Error).message}`);
  }
  try {
    return verifySignedData(signedData, content);
  } catch (error) {
    if (error instanceof DerError) return unverifiable(`not a readable CMS SignedData: ${error.message}`);
    throw error;
  }
}

function verifySignedData(signedData: DerElement, content: Buffer): CmsVerification {
  const parts = childrenOf(signedData);
  const certificates = parts.filter((p) => p.tag === 0xa0).flatMap((p) => childrenOf(p).filter((c) => c.tag === TAG.SEQUENCE));
  const signerInfos = childrenOf(expectTag(parts.at(-1), TAG.SET, 'signerInfos'));
  if (signerInfos.length === 0) return unverifiable('no SignerInfo');
  const info = childrenOf(expectTag(signerInfos[0], TAG.SEQUENCE, 'SignerInfo'));
  // version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, [1] unsignedAttrs?
  const sid = info[1]!;
  const digestOid = oidOf(expectTag(childrenOf(expectTag(info[2], TAG.SEQUENCE, 'digestAlgorithm'))[0], TAG.OID, 'digestAlgorithm'));
  const signedAttrs = info[3]?.tag === 0xa0 ? info[3] : undefined;
  const rest = info.slice(signedAttrs ? 4 : 3);
  const signatureOid = oidOf(expectTag(childrenOf(expectTag(rest[0], TAG.SEQUENCE, 'signatureAlgorithm'))[0], TAG.OID, 'signatureAlgorithm'));
  const signature = expectTag(rest[1], TAG.OCTET_STRING, 'signature').content;

  const digest = DIGESTS[digestOid];
  const signatureAlgorithm = SIGNATURES[signatureOid];
  const certificate = signerCertificate(sid, certificates);
  const base = {
    ...(certificate ? { signer: certificate.subject.replace(/\n/g, ', ') } : {}),
    ...(digest ? { digestAlgorithm: digest.name } : {}),
    ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
  };
  if (!digest) return { ...unverifiable(`digest algorithm ${digestOid} is not supported here`), ...base };
  if (!signatureAlgorithm || digest.node === 'sm3') return { ...unverifiable(`signature algorithm ${signatureOid} is not supported here`), ...base };
  if (!certificate) return { ...unverifiable('the signer certificate is not in the signature'), ...base };

  const contentDigest = createHash(digest.node).update(content).digest();
  // Without signed attributes the signature is over the content itself (verify() digests it).
  let signedBytes = content;
  let signedAt: string | undefined;
  const problems: string[] = [];
  if (signedAttrs) {
    const attributes = new Map(childrenOf(signedAttrs).map((a) => { const [oid, values] = childrenOf(a); return [oidOf(oid!), childrenOf(values!)] as const; }));
    const messageDigest = attributes.get(OIDS.messageDigest)?.[0];
    if (!messageDigest) return { ...unverifiable('the signed attributes hold no messageDigest'), ...base };
    if (!expectTag(messageDigest, TAG.OCTET_STRING, 'messageDigest').content.equals(contentDigest)) problems.push(`the ${digest.name} digest of the signed byte ranges differs from the one signed: the file was changed after signing`);
    const time = attributes.get(OIDS.signingTime)?.[0];
    if (time) signedAt = timeOf(time);
    // RFC 5652 §5.4: the signature is over the attributes' DER with the SET OF tag, not [0] IMPLICIT.
    signedBytes = Buffer.concat([Buffer.from([TAG.SET]), signedAttrs.encoded.subarray(1)]);
  }
  if (!verify(digest.node, signedBytes, certificate.publicKey, signature)) problems.push(`the ${signatureAlgorithm} signature does not verify with the signer certificate's key`);
  return { result: problems.length ? 'invalid' : 'valid', problems, ...base, ...(signedAt ? { signedAt } : {}) };
}

/** The certificate the SignerInfo names: issuerAndSerialNumber by serial, [0] subjectKeyIdentifier by key id. */
function signerCertificate(sid: DerElement, certificates: DerElement[]): X509Certificate | undefined {
  const parsed = certificates.flatMap((c) => {
    try {
      return [new X509Certificate(c.encoded)];
    } catch {
      return [];
    }
  });
  if (sid.tag === TAG.SEQUENCE) {
    const serial = integerOf(childrenOf(sid)[1]!);
    return parsed.find((c) => BigInt(`0x${c.serialNumber}`) === serial);
  }
  if (sid.tag === 0x80) {
    const keyId = sid.content.toString('hex');
    return parsed.find((c) => subjectKeyIdOf(c) === keyId);
  }
  return undefined;
}

/** The subjectKeyIdentifier extension, else RFC 5280's method 1 (SHA-1 of the key), in hex. */
function subjectKeyIdOf(certificate: X509Certificate): string {
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  const key = childrenOf(readElement(spki))[1]!;
  return createHash('sha1').update(key.content.subarray(1)).digest('hex');
}

function timeOf(element: DerElement): string | undefined {
  const text = element.content.toString('latin1');
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?/.exec(text);
  if (!m) return undefined;
  const year = m[1]!.length === 2 ? (Number(m[1]) >= 50 ? `19${m[1]}` : `20${m[1]}`) : m[1]!;
  return `${year}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z`;
}

const unverifiable = (reason: string): CmsVerification => ({ result: 'unverifiable', problems: [reason] });
