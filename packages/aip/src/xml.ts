/**
 * The little XML writing both metadata documents need: escaping, name checks and an indented,
 * deterministic serialiser. Output is XML 1.0, UTF-8, LF line ends, two-space indentation.
 */

export class XmlValueError extends Error {
  override name = 'XmlValueError';
}

// Characters XML 1.0 cannot carry at all, not even as a character reference: C0 controls other
// than TAB, LF and CR, lone surrogates, U+FFFE and U+FFFF.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

function assertXmlChars(value: string, where: string): void {
  const bad = NOT_XML_CHAR.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new XmlValueError(`${where}: U+${code} cannot be represented in XML 1.0`);
  }
}

/** Character data: `&`, `<`, `>` escaped; CR kept as a reference so parsers do not fold it into LF. */
export function escapeText(value: string, where = 'text'): string {
  assertXmlChars(value, where);
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\r', '&#13;');
}

/** Attribute values (always written in double quotes): TAB, LF and CR as references, or attribute-value normalisation would turn them into spaces. */
export function escapeAttr(value: string, where = 'attribute'): string {
  assertXmlChars(value, where);
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll('\t', '&#9;')
    .replaceAll('\n', '&#10;')
    .replaceAll('\r', '&#13;');
}

/** Comments may not contain `--` nor end in `-`. */
export function comment(text: string): string {
  assertXmlChars(text, 'comment');
  if (text.includes('--') || text.endsWith('-')) throw new XmlValueError('an XML comment may not contain "--" or end in "-"');
  return `<!-- ${text} -->`;
}

// XML 1.0 (5th edition) Name production, without ':' — we write unprefixed names only.
const NAME_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
// The range U+0300–U+036F holds combining marks the Name production allows; no combined character is meant.
// eslint-disable-next-line no-misleading-character-class
const XML_NAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, 'u');

export function assertXmlName(name: string): void {
  if (!XML_NAME.test(name) || /^xml/i.test(name)) throw new XmlValueError(`"${name}" is not usable as an XML element or attribute name`);
}

/** An element in the tree the serialiser writes: either text content or children, never mixed. */
export interface XmlElement {
  name: string;
  attributes?: readonly (readonly [string, string])[];
  text?: string;
  children?: readonly XmlElement[];
}

export function el(name: string, content?: string | readonly XmlElement[], attributes?: readonly (readonly [string, string])[]): XmlElement {
  if (content === undefined) return attributes ? { name, attributes } : { name };
  if (typeof content === 'string') return attributes ? { name, attributes, text: content } : { name, text: content };
  return attributes ? { name, attributes, children: content } : { name, children: content };
}

const NAMESPACE_ATTRIBUTES = new Set(['xmlns', 'xmlns:xsi', 'xsi:type', 'xsi:schemaLocation']);

function renderAttributes(element: XmlElement): string {
  return (element.attributes ?? [])
    .map(([key, value]) => {
      if (!NAMESPACE_ATTRIBUTES.has(key)) assertXmlName(key);
      return ` ${key}="${escapeAttr(value, `${element.name}/@${key}`)}"`;
    })
    .join('');
}

function renderElement(element: XmlElement, depth: number, out: string[]): void {
  assertXmlName(element.name);
  const indent = '  '.repeat(depth);
  const open = `${element.name}${renderAttributes(element)}`;
  if (element.children && element.children.length > 0) {
    out.push(`${indent}<${open}>`);
    for (const child of element.children) renderElement(child, depth + 1, out);
    out.push(`${indent}</${element.name}>`);
  } else if (element.text !== undefined && element.text !== '') {
    out.push(`${indent}<${open}>${escapeText(element.text, element.name)}</${element.name}>`);
  } else {
    out.push(`${indent}<${open}/>`);
  }
}

/** One element as indented lines at `depth`, for writers that stream a document piece by piece (eep.ts). */
export function renderFragment(element: XmlElement, depth: number): string {
  const out: string[] = [];
  renderElement(element, depth, out);
  return out.join('\n');
}

/** A whole document: declaration, optional leading comments, the root element, final newline. */
export function renderDocument(root: XmlElement, leadingComments: readonly string[] = []): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', ...leadingComments.map(comment)];
  renderElement(root, 0, out);
  return `${out.join('\n')}\n`;
}
