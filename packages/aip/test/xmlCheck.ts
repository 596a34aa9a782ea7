/**
 * A small, strict XML reader for the tests — enough to prove the documents well-formed and to walk
 * them: prolog, comments, elements, quoted attributes, text with the five predefined entities and
 * character references. No DTDs, no CDATA, no processing instructions after the prolog (we write
 * none). Throws on anything else. The integration test also asks the JDK's parser.
 */

export interface XNode {
  name: string;
  attributes: Record<string, string>;
  children: XNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isNameChar(ch: string): boolean {
  return !(' \t\r\n/>=<"\'&'.includes(ch));
}

export function parseXml(source: string): { root: XNode; comments: string[] } {
  let i = 0;
  const comments: string[] = [];
  const fail = (message: string): never => {
    throw new Error(`XML not well-formed at offset ${i}: ${message}`);
  };
  const startsWith = (s: string): boolean => source.startsWith(s, i);
  const skipSpace = (): void => {
    while (i < source.length && ' \t\r\n'.includes(source[i]!)) i++;
  };
  const readName = (): string => {
    const start = i;
    while (i < source.length && isNameChar(source[i]!)) i++;
    if (i === start) fail('name expected');
    return source.slice(start, i);
  };
  const decode = (raw: string, inAttribute: boolean): string => {
    let out = '';
    for (let k = 0; k < raw.length; k++) {
      const ch = raw[k]!;
      if (ch === '<') fail('raw "<" in character data');
      if (inAttribute && ch === '"') fail('raw quote in attribute');
      if (ch !== '&') {
        out += ch;
        continue;
      }
      const end = raw.indexOf(';', k);
      if (end < 0) fail('unterminated reference');
      const ref = raw.slice(k + 1, end);
      if (ref.startsWith('#x')) out += String.fromCodePoint(parseInt(ref.slice(2), 16));
      else if (ref.startsWith('#')) out += String.fromCodePoint(parseInt(ref.slice(1), 10));
      else if (ref in ENTITIES) out += ENTITIES[ref];
      else fail(`unknown entity &${ref};`);
      k = end;
    }
    return out;
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (startsWith('<!--')) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        const body = source.slice(i + 4, end);
        if (body.includes('--')) fail('"--" inside a comment');
        comments.push(body.trim());
        i = end + 3;
      } else return;
    }
  };
  const readElement = (): XNode => {
    if (source[i] !== '<') fail('"<" expected');
    i++;
    const node: XNode = { name: readName(), attributes: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (startsWith('/>')) {
        i += 2;
        return node;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const name = readName();
      skipSpace();
      if (source[i] !== '=') fail('"=" expected');
      i++;
      skipSpace();
      if (source[i] !== '"' && source[i] !== "'") fail('quoted attribute value expected');
      const quote = source[i]!;
      const end = source.indexOf(quote, i + 1);
      if (end < 0) fail('unterminated attribute');
      if (name in node.attributes) fail(`duplicate attribute ${name}`);
      node.attributes[name] = decode(source.slice(i + 1, end), quote === '"');
      i = end + 1;
    }
    for (;;) {
      if (i >= source.length) fail(`unclosed <${node.name}>`);
      if (startsWith('</')) {
        i += 2;
        const name = readName();
        if (name !== node.name) fail(`</${name}> closes <${node.name}>`);
        skipSpace();
        if (source[i] !== '>') fail('">" expected');
        i++;
        return node;
      }
      if (startsWith('<!--')) {
        skipMisc();
        continue;
      }
      if (source[i] === '<') {
        node.children.push(readElement());
        continue;
      }
      const next = source.indexOf('<', i);
      const end = next < 0 ? source.length : next;
      node.text += decode(source.slice(i, end), false);
      i = end;
    }
  };

  if (startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  skipMisc();
  const root = readElement();
  skipMisc();
  if (i !== source.length) fail('content after the root element');
  if (root.children.length > 0 && root.text.trim() !== '') fail('mixed content at the root');
  return { root, comments };
}

export function children(node: XNode, name: string): XNode[] {
  return node.children.filter((c) => c.name === name);
}

export function child(node: XNode, name: string): XNode {
  const found = children(node, name);
  if (found.length !== 1) throw new Error(`expected one <${name}> in <${node.name}>, found ${found.length}`);
  return found[0]!;
}

/** Follow a path of single children and return the text. */
export function textAt(node: XNode, ...path: string[]): string {
  return path.reduce((n, name) => child(n, name), node).text;
}
