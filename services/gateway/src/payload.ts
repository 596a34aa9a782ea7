import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The bytes an OA pushed (or wrote into a middle-table row), decoded as the source's mapping says:
 * JSON (UTF-8, RFC 8259) or XML (UTF-8, or GBK/GB18030 as declared: Chinese OA systems still send
 * those). Pure. XML with a DOCTYPE is refused outright: no DTD, no entity declarations, so neither
 * external entities (XXE) nor entity expansion (billion laughs) can happen, whatever the parser does.
 */

export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

export type PayloadFormat = 'json' | 'xml';

const XML_ENCODINGS: Record<string, string> = { 'utf-8': 'utf-8', utf8: 'utf-8', gbk: 'gb18030', gb2312: 'gb18030', gb18030: 'gb18030' };

function decode(bytes: Uint8Array, encoding: string, what: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new PayloadError(`the ${what} is not valid ${encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase()} text`);
  }
}

/** Bytes as pushed, or text as a middle-table column holds it (already decoded by the database). */
export type PayloadInput = Uint8Array | string;

export function decodeJson(input: PayloadInput): unknown {
  const text = typeof input === 'string' ? input : decode(input, 'utf-8', 'JSON body');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PayloadError(`the body is not JSON: ${(error as Error).message}`);
  }
}

/** The encoding an XML declaration names, read from its ASCII-compatible first bytes. */
function declaredXmlEncoding(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^(?:\uFEFF|\xEF\xBB\xBF)?<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  if (declared === undefined) return 'utf-8';
  const encoding = XML_ENCODINGS[declared];
  if (!encoding) throw new PayloadError(`the XML declares encoding "${declared}"; send UTF-8 (or GBK/GB18030)`);
  return encoding;
}

/** Character references to what XML 1.0 does not allow (NUL, surrogates, most controls): refused, not dropped. */
function forbiddenCharacterReference(text: string): string | undefined {
  for (const match of text.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const code = match[1]!.startsWith('x') ? Number.parseInt(match[1]!.slice(1), 16) : Number(match[1]);
    const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) return match[0];
  }
  return undefined;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Keep every value as the text it is: 文号 "0012" must not become the number 12.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Numeric character references (&#20013;) are text; named ones beyond XML's five decode as HTML's.
  htmlEntities: true,
});

export function decodeXml(input: PayloadInput): unknown {
  // Text from a database column is characters already: its declaration's encoding no longer applies.
  const text = typeof input === 'string' ? input : decode(input, declaredXmlEncoding(input), 'XML body');
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new PayloadError('the XML has a DOCTYPE; DTDs and entity declarations are not accepted');
  const reference = forbiddenCharacterReference(text);
  if (reference) throw new PayloadError(`the XML has the character reference ${reference}, a character XML 1.0 does not allow`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new PayloadError(`the body is not well-formed XML: line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  try {
    return parser.parse(text) as unknown;
  } catch (error) {
    // The parser refuses names such as __proto__ and constructor (prototype pollution) by throwing.
    throw new PayloadError(`the XML cannot be read: ${(error as Error).message}`);
  }
}

export function decodePayload(input: PayloadInput, format: PayloadFormat): unknown {
  return format === 'json' ? decodeJson(input) : decodeXml(input);
}
