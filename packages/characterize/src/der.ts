/**
 * A minimal DER reader for the few ASN.1 structures read here (GB/T 38540 SES_Signature, X.509
 * certificates): tag, content and the exact encoded bytes of each element, which signatures are over.
 * Definite lengths only, as DER requires; anything else is rejected with a DerError.
 */

export class DerError extends Error {
  override name = 'DerError';
}

export interface DerElement {
  /** The identifier octet: class, constructed bit and tag number (single-octet tags only). */
  tag: number;
  constructed: boolean;
  /** The content octets. */
  content: Buffer;
  /** The whole element: identifier, length and content. */
  encoded: Buffer;
}

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads the element at `offset`. */
export function readElement(bytes: Buffer, offset = 0): DerElement {
  if (offset + 2 > bytes.length) throw new DerError(`DER element truncated at byte ${offset}`);
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte DER tag at byte ${offset}`);
  let at = offset + 1;
  let length = bytes[at++]!;
  if (length === 0x80) throw new DerError(`indefinite length at byte ${offset}: not DER`);
  if (length > 0x80) {
    const octets = length & 0x7f;
    if (octets > 4 || at + octets > bytes.length) throw new DerError(`DER length at byte ${offset} is too long`);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[at++]!;
  }
  if (at + length > bytes.length) throw new DerError(`DER element at byte ${offset} runs past the end (${length} bytes declared)`);
  return { tag, constructed: (tag & 0x20) !== 0, content: bytes.subarray(at, at + length), encoded: bytes.subarray(offset, at + length) };
}

/** The one element `bytes` must hold, nothing after it. */
export function parseDer(bytes: Buffer): DerElement {
  const element = readElement(bytes);
  if (element.encoded.length !== bytes.length) throw new DerError(`${bytes.length - element.encoded.length} bytes after the DER element`);
  return element;
}

export function childrenOf(element: DerElement): DerElement[] {
  if (!element.constructed) throw new DerError(`tag 0x${element.tag.toString(16)} is not constructed`);
  const children: DerElement[] = [];
  for (let at = 0; at < element.content.length; ) {
    const child = readElement(element.content, at);
    children.push(child);
    at += child.encoded.length;
  }
  return children;
}

export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element) throw new DerError(`${what} is missing`);
  if (element.tag !== tag) throw new DerError(`${what} has tag 0x${element.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return element;
}

export function oidOf(element: DerElement): string {
  const bytes = expectTag(element, TAG.OID, 'object identifier').content;
  if (bytes.length === 0) throw new DerError('empty object identifier');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/** A BIT STRING's bits as bytes; only whole bytes (no unused bits) are accepted. */
export function bitStringBytes(element: DerElement): Buffer {
  const content = expectTag(element, TAG.BIT_STRING, 'bit string').content;
  if (content.length === 0 || content[0] !== 0) throw new DerError('bit string with unused bits');
  return content.subarray(1);
}

export function integerOf(element: DerElement): bigint {
  const content = expectTag(element, TAG.INTEGER, 'integer').content;
  return content.length === 0 ? 0n : BigInt(`0x${content.toString('hex')}`);
}

export function textOf(element: DerElement): string {
  return element.content.toString(element.tag === TAG.UTF8_STRING ? 'utf8' : 'latin1');
}
