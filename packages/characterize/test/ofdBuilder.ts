import { createHash } from 'node:crypto';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { sm2 } from 'sm-crypto-v2';

/**
 * Builds real OFD packages (GB/T 33190-2016) at test time, signed and sealed as GB/T 38540-2020
 * describes: an SM2 key pair made here, a self-signed SM2 certificate, an electronic seal
 * (SESeal v4) and signature data (SES_Signature v4) over the SM3 digest of Signature.xml, whose
 * References carry the SM3 digest of every protected file. `tamper` changes files after signing.
 */

// ---------------------------------------------------------------- DER writing

const length = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const int = (value: bigint | number): Buffer => {
  let hex = BigInt(value).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
};
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const arc of rest) {
    const group: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) group.unshift((v & 0x7f) | 0x80);
    out.push(...group);
  }
  return tlv(0x06, Buffer.from(out));
};
const octets = (bytes: Buffer): Buffer => tlv(0x04, bytes);
const bits = (bytes: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const ia5 = (text: string): Buffer => tlv(0x16, Buffer.from(text, 'latin1'));
const compact = (date: Date) => date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
const utcTime = (date: Date): Buffer => tlv(0x17, Buffer.from(`${compact(date).slice(2)}Z`, 'latin1'));
const generalizedTime = (date: Date): Buffer => tlv(0x18, Buffer.from(`${compact(date)}Z`, 'latin1'));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

const SM2_WITH_SM3 = '1.2.156.10197.1.501';
const sm3 = (bytes: Uint8Array): Buffer => createHash('sm3').update(bytes).digest();

// ---------------------------------------------------------------- keys and certificates

export interface Sm2Key {
  /** 32-byte private scalar, hex. */
  privateKey: string;
  /** Uncompressed point 04‖x‖y, hex. */
  publicKey: string;
}

export function makeSm2Key(): Sm2Key {
  const pair = sm2.generateKeyPairHex();
  return { privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/** SM2 with SM3 and the default user ID, DER SEQUENCE { r, s }. */
export function sm2Sign(message: Uint8Array, key: Sm2Key): Buffer {
  return Buffer.from(sm2.doSignature(message, key.privateKey, { der: true, hash: true, publicKey: key.publicKey }), 'hex');
}

const name = (commonName: string) => seq(set(seq(oid('2.5.4.6'), tlv(0x13, Buffer.from('CN')))), set(seq(oid('2.5.4.3'), utf8(commonName))));

/** A self-signed X.509 v3 certificate for an SM2 key (signed with SM2/SM3 by `issuer`, itself by default). */
export function makeCertificate(subject: string, key: Sm2Key, issuer: Sm2Key = key): Buffer {
  const tbs = seq(
    explicit(0, int(2)),
    int(BigInt(`0x${createHash('sha256').update(subject + key.publicKey).digest('hex').slice(0, 16)}`)),
    seq(oid(SM2_WITH_SM3)),
    name(subject),
    seq(utcTime(new Date('2025-01-01T00:00:00Z')), utcTime(new Date('2035-01-01T00:00:00Z'))),
    name(subject),
    seq(seq(oid('1.2.840.10045.2.1'), oid('1.2.156.10197.1.301')), bits(Buffer.from(key.publicKey, 'hex'))),
  );
  return seq(tbs, seq(oid(SM2_WITH_SM3)), bits(sm2Sign(tbs, issuer)));
}

/** SESeal v4 (GB/T 38540 §7.1): the seal's information signed by its maker. */
export function makeSeal(sealName: string, maker: Sm2Key, makerCert: Buffer, signerCert: Buffer): Buffer {
  const when = new Date('2025-01-01T00:00:00Z');
  const picture = Buffer.from('89504e470d0a1a0a', 'hex');
  const info = seq(
    seq(ia5('ES'), int(4), ia5('oa-archive-test')),
    ia5(`ES-${sm3(Buffer.from(sealName)).toString('hex').slice(0, 12)}`),
    seq(int(1), utf8(sealName), int(1), seq(octets(signerCert)), generalizedTime(when), generalizedTime(when), generalizedTime(new Date('2035-01-01T00:00:00Z'))),
    seq(ia5('png'), octets(picture), int(40), int(40)),
  );
  return seq(info, octets(makerCert), oid(SM2_WITH_SM3), bits(sm2Sign(info, maker)));
}

/** SES_Signature v4 (GB/T 38540 §7.2) over the SM3 digest of `signed`. */
export function makeSesSignature(args: { signed: Uint8Array; seal: Buffer; signer: Sm2Key; certificate: Buffer; propertyInfo: string; at?: Date }): Buffer {
  const toSign = seq(int(4), args.seal, generalizedTime(args.at ?? new Date('2026-03-01T08:00:00Z')), bits(sm3(args.signed)), ia5(args.propertyInfo));
  return seq(toSign, octets(args.certificate), oid(SM2_WITH_SM3), bits(sm2Sign(toSign, args.signer)));
}

// ---------------------------------------------------------------- OFD packages

const NS = 'xmlns:ofd="http://www.ofdspec.org/2016"';
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

export interface OfdOptions {
  title?: string;
  author?: string;
  created?: string;
  creator?: string;
  pages?: string[];
  /** 'seal': GB/T 38540 signature data with certificate; 'bare': Type="Sign" with a bare SM2 signature value; none by default. */
  signature?: 'seal' | 'bare';
  signer?: Sm2Key;
  /** The certificate put in the signature data; by default the signer's own. */
  certificate?: Buffer;
  /** Replaces package files after signing (path → new bytes), as a tamperer would. */
  tamper?: Record<string, Uint8Array | string>;
}

export function pagePath(index: number): string {
  return `Doc_0/Pages/Page_${index}/Content.xml`;
}

export function buildOfd(options: OfdOptions = {}): Buffer {
  const pages = options.pages ?? ['关于开展安全生产大检查的通知', '此页无正文'];
  const signed = options.signature !== undefined;
  const files: Record<string, Uint8Array> = {
    'OFD.xml': strToU8(
      `${XML}<ofd:OFD ${NS} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>6a3f0c2e9b1d4e7f</ofd:DocID>` +
        `<ofd:Title>${options.title ?? '关于开展安全生产大检查的通知'}</ofd:Title><ofd:Author>${options.author ?? '办公室'}</ofd:Author>` +
        `<ofd:CreationDate>${options.created ?? '2026-03-01'}</ofd:CreationDate><ofd:Creator>${options.creator ?? 'oa-archive test'}</ofd:Creator><ofd:CreatorVersion>1.0</ofd:CreatorVersion></ofd:DocInfo>` +
        `<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>${signed ? '<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>' : ''}</ofd:DocBody></ofd:OFD>`,
    ),
    'Doc_0/Document.xml': strToU8(
      `${XML}<ofd:Document ${NS}><ofd:CommonData><ofd:MaxUnitID>${pages.length * 2 + 2}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>` +
        `<ofd:Pages>${pages.map((_, i) => `<ofd:Page ID="${i + 1}" BaseLoc="Pages/Page_${i}/Content.xml"/>`).join('')}</ofd:Pages></ofd:Document>`,
    ),
  };
  pages.forEach((text, i) => {
    files[pagePath(i)] = strToU8(
      `${XML}<ofd:Page ${NS}><ofd:Content><ofd:Layer ID="${pages.length + i + 1}"><ofd:TextObject ID="${pages.length * 2 + i + 1}" Boundary="25 30 160 10" Font="1" Size="5">` +
        `<ofd:TextCode X="0" Y="5">${text}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>`,
    );
  });

  if (signed) {
    const signer = options.signer ?? makeSm2Key();
    const certificate = options.certificate ?? makeCertificate('办公室电子印章', signer);
    const seal = makeSeal('某某市人民政府办公室', signer, certificate, certificate);
    const protectedFiles = Object.keys(files).filter((path) => path !== 'OFD.xml');
    const references = protectedFiles
      .map((path) => `<ofd:Reference FileRef="/${path}"><ofd:CheckValue>${sm3(files[path]!).toString('base64')}</ofd:CheckValue></ofd:Reference>`)
      .join('');
    const sealed = options.signature === 'seal';
    files['Doc_0/Signs/Signatures.xml'] = strToU8(
      `${XML}<ofd:Signatures ${NS}><ofd:MaxSignId>1</ofd:MaxSignId><ofd:Signature ID="1" Type="${sealed ? 'Seal' : 'Sign'}" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>`,
    );
    const signatureXml = strToU8(
      `${XML}<ofd:Signature ${NS}><ofd:SignedInfo><ofd:Provider ProviderName="oa-archive test" Version="1.0" Company="oa-archive"/>` +
        `<ofd:SignatureMethod>${SM2_WITH_SM3}</ofd:SignatureMethod><ofd:SignatureDateTime>20260301080000Z</ofd:SignatureDateTime>` +
        `<ofd:References CheckMethod="1.2.156.10197.1.401">${references}</ofd:References>` +
        `<ofd:StampAnnot ID="1" PageRef="1" Boundary="120 200 40 40"/>` +
        (sealed ? '<ofd:Seal><ofd:BaseLoc>/Doc_0/Signs/Sign_0/Seal.esl</ofd:BaseLoc></ofd:Seal>' : '') +
        `</ofd:SignedInfo><ofd:SignedValue>/Doc_0/Signs/Sign_0/SignedValue.dat</ofd:SignedValue></ofd:Signature>`,
    );
    files['Doc_0/Signs/Sign_0/Signature.xml'] = signatureXml;
    if (sealed) {
      files['Doc_0/Signs/Sign_0/Seal.esl'] = seal;
      files['Doc_0/Signs/Sign_0/SignedValue.dat'] = makeSesSignature({ signed: signatureXml, seal, signer, certificate, propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' });
    } else {
      files['Doc_0/Signs/Sign_0/SignedValue.dat'] = sm2Sign(signatureXml, signer);
    }
  }

  for (const [path, bytes] of Object.entries(options.tamper ?? {})) files[path] = typeof bytes === 'string' ? strToU8(bytes) : bytes;
  return repack(files);
}

/** The package's files by path, to derive a tampered copy from a signed one. */
export function filesOf(ofd: Buffer): Record<string, Uint8Array> {
  return unzipSync(ofd);
}

export function repack(files: Record<string, Uint8Array>): Buffer {
  return Buffer.from(zipSync(files, { mtime: new Date('2026-03-01T08:00:00Z') }));
}
