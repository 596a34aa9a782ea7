import { deflateSync } from 'node:zlib';

/**
 * A monospaced 5×7 dot-matrix font for printable ASCII, built in code as a PDF Type 3 font. PDF/A
 * asks that every font used to render text be embedded; a Type 3 font carries its glyphs as content
 * streams, so the simulator's PDF/A bodies need no font file on the machine that makes them. The
 * glyphs are drawn here (rows top to bottom, `#` inked); rows past the seventh are descenders.
 */

const GLYPHS: Record<string, string> = {
  ' ': '...../...../...../...../...../...../.....',
  '!': '..#../..#../..#../..#../..#../...../..#..',
  '"': '.#.#./.#.#./.#.#./...../...../...../.....',
  '#': '.#.#./.#.#./#####/.#.#./#####/.#.#./.#.#.',
  $: '..#../.####/#.#../.###./..#.#/####./..#..',
  '%': '##.../##..#/...#./..#../.#.../#..##/...##',
  '&': '.##../#..#./#.#../.#.../#.#.#/#..#./.##.#',
  "'": '..#../..#../.#.../...../...../...../.....',
  '(': '...#./..#../.#.../.#.../.#.../..#../...#.',
  ')': '.#.../..#../...#./...#./...#./..#../.#...',
  '*': '...../..#../#.#.#/.###./#.#.#/..#../.....',
  '+': '...../..#../..#../#####/..#../..#../.....',
  ',': '...../...../...../...../.##../..#../.#...',
  '-': '...../...../...../#####/...../...../.....',
  '.': '...../...../...../...../...../.##../.##..',
  '/': '...../....#/...#./..#../.#.../#..../.....',
  '0': '.###./#...#/#..##/#.#.#/##..#/#...#/.###.',
  '1': '..#../.##../..#../..#../..#../..#../.###.',
  '2': '.###./#...#/....#/...#./..#../.#.../#####',
  '3': '#####/...#./..#../...#./....#/#...#/.###.',
  '4': '...#./..##./.#.#./#..#./#####/...#./...#.',
  '5': '#####/#..../####./....#/....#/#...#/.###.',
  '6': '..##./.#.../#..../####./#...#/#...#/.###.',
  '7': '#####/....#/...#./..#../.#.../.#.../.#...',
  '8': '.###./#...#/#...#/.###./#...#/#...#/.###.',
  '9': '.###./#...#/#...#/.####/....#/...#./.##..',
  ':': '...../.##../.##../...../.##../.##../.....',
  ';': '...../.##../.##../...../.##../..#../.#...',
  '<': '...#./..#../.#.../#..../.#.../..#../...#.',
  '=': '...../...../#####/...../#####/...../.....',
  '>': '.#.../..#../...#./....#/...#./..#../.#...',
  '?': '.###./#...#/....#/...#./..#../...../..#..',
  '@': '.###./#...#/....#/.##.#/#.#.#/#.#.#/.###.',
  A: '.###./#...#/#...#/#####/#...#/#...#/#...#',
  B: '####./#...#/#...#/####./#...#/#...#/####.',
  C: '.###./#...#/#..../#..../#..../#...#/.###.',
  D: '###../#..#./#...#/#...#/#...#/#..#./###..',
  E: '#####/#..../#..../####./#..../#..../#####',
  F: '#####/#..../#..../####./#..../#..../#....',
  G: '.###./#...#/#..../#.###/#...#/#...#/.####',
  H: '#...#/#...#/#...#/#####/#...#/#...#/#...#',
  I: '.###./..#../..#../..#../..#../..#../.###.',
  J: '..###/...#./...#./...#./...#./#..#./.##..',
  K: '#...#/#..#./#.#../##.../#.#../#..#./#...#',
  L: '#..../#..../#..../#..../#..../#..../#####',
  M: '#...#/##.##/#.#.#/#.#.#/#...#/#...#/#...#',
  N: '#...#/#...#/##..#/#.#.#/#..##/#...#/#...#',
  O: '.###./#...#/#...#/#...#/#...#/#...#/.###.',
  P: '####./#...#/#...#/####./#..../#..../#....',
  Q: '.###./#...#/#...#/#...#/#.#.#/#..#./.##.#',
  R: '####./#...#/#...#/####./#.#../#..#./#...#',
  S: '.####/#..../#..../.###./....#/....#/####.',
  T: '#####/..#../..#../..#../..#../..#../..#..',
  U: '#...#/#...#/#...#/#...#/#...#/#...#/.###.',
  V: '#...#/#...#/#...#/#...#/#...#/.#.#./..#..',
  W: '#...#/#...#/#...#/#.#.#/#.#.#/#.#.#/.#.#.',
  X: '#...#/#...#/.#.#./..#../.#.#./#...#/#...#',
  Y: '#...#/#...#/#...#/.#.#./..#../..#../..#..',
  Z: '#####/....#/...#./..#../.#.../#..../#####',
  '[': '.###./.#.../.#.../.#.../.#.../.#.../.###.',
  '\\': '...../#..../.#.../..#../...#./....#/.....',
  ']': '.###./...#./...#./...#./...#./...#./.###.',
  '^': '..#../.#.#./#...#/...../...../...../.....',
  _: '...../...../...../...../...../...../...../#####',
  '`': '.#.../..#../...#./...../...../...../.....',
  a: '...../...../.###./....#/.####/#...#/.####',
  b: '#..../#..../#.##./##..#/#...#/#...#/####.',
  c: '...../...../.###./#..../#..../#...#/.###.',
  d: '....#/....#/.##.#/#..##/#...#/#...#/.####',
  e: '...../...../.###./#...#/#####/#..../.###.',
  f: '..##./.#..#/.#.../###../.#.../.#.../.#...',
  g: '...../...../.####/#...#/#...#/#...#/.####/....#/.###.',
  h: '#..../#..../#.##./##..#/#...#/#...#/#...#',
  i: '..#../...../.##../..#../..#../..#../.###.',
  j: '...#./...../..##./...#./...#./...#./...#./#..#./.##..',
  k: '#..../#..../#..#./#.#../##.../#.#../#..#.',
  l: '.##../..#../..#../..#../..#../..#../.###.',
  m: '...../...../##.#./#.#.#/#.#.#/#...#/#...#',
  n: '...../...../#.##./##..#/#...#/#...#/#...#',
  o: '...../...../.###./#...#/#...#/#...#/.###.',
  p: '...../...../####./#...#/#...#/#...#/####./#..../#....',
  q: '...../...../.####/#...#/#...#/#...#/.####/....#/....#',
  r: '...../...../#.##./##..#/#..../#..../#....',
  s: '...../...../.####/#..../.###./....#/####.',
  t: '.#.../.#.../###../.#.../.#.../.#..#/..##.',
  u: '...../...../#...#/#...#/#...#/#..##/.##.#',
  v: '...../...../#...#/#...#/#...#/.#.#./..#..',
  w: '...../...../#...#/#...#/#.#.#/#.#.#/.#.#.',
  x: '...../...../#...#/.#.#./..#../.#.#./#...#',
  y: '...../...../#...#/#...#/#...#/#...#/.####/....#/.###.',
  z: '...../...../#####/...#./..#../.#.../#####',
  '{': '...#./..#../..#../.#.../..#../..#../...#.',
  '|': '..#../..#../..#../..#../..#../..#../..#..',
  '}': '.#.../..#../..#../...#./..#../..#../.#...',
  '~': '...../...../.#.../#.#.#/...#./...../.....',
};

/** Adobe glyph names of printable ASCII, 0x20–0x7E, in order (what Differences and text extraction use). */
const GLYPH_NAMES = (
  'space exclam quotedbl numbersign dollar percent ampersand quotesingle parenleft parenright asterisk plus comma hyphen period slash ' +
  'zero one two three four five six seven eight nine colon semicolon less equal greater question at ' +
  'A B C D E F G H I J K L M N O P Q R S T U V W X Y Z bracketleft backslash bracketright asciicircum underscore grave ' +
  'a b c d e f g h i j k l m n o p q r s t u v w x y z braceleft bar braceright asciitilde'
).split(' ');

/** Glyph units per dot (1000 units to the em): 7 dots tall, 6 wide with the gap. */
const DOT = 100;
export const GLYPH_WIDTH = 600;
const FIRST = 0x20;
const LAST = 0x7e;

/** The glyph procedure: one filled rectangle per horizontal run of dots; `d1` leaves the colour to the page. */
function charProc(rows: string[]): string {
  const ops = [`${GLYPH_WIDTH} 0 0 ${-2 * DOT} ${5 * DOT} ${7 * DOT} d1`];
  rows.forEach((row, r) => {
    const y = (6 - r) * DOT;
    for (const run of row.matchAll(/#+/g)) ops.push(`${run.index * DOT} ${y} ${run[0].length * DOT} ${DOT} re`);
  });
  if (ops.length > 1) ops.push('f');
  return ops.join('\n');
}

/** Each glyph's procedure as a PDF stream, made once: a PDF carries only the ones its text uses. */
const CHAR_PROCS: ReadonlyMap<number, { name: string; stream: string }> = new Map(
  GLYPH_NAMES.map((name, i) => {
    const char = String.fromCharCode(FIRST + i);
    const rows = GLYPHS[char];
    if (!rows) throw new Error(`the simulator's PDF font has no glyph for ${JSON.stringify(char)}`);
    return [FIRST + i, { name, stream: flateStream(charProc(rows.split('/'))) }];
  }),
);

/** Maps each code to its own Unicode value, so text extraction gives back the ASCII written. */
const TO_UNICODE = flateStream(
  [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<00> <FF>',
    'endcodespacerange',
    '1 beginbfrange',
    `<${FIRST.toString(16)}> <${LAST.toString(16)}> <00${FIRST.toString(16)}>`,
    'endbfrange',
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n'),
);

/** What the font can show: printable ASCII. Anything else becomes `?` before it reaches a page. */
export function toFontText(line: string): string {
  return line.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The font's PDF objects for the characters `text` uses (a subset: one glyph procedure each).
 * `firstId` is the font dictionary's object number; the objects returned take consecutive numbers
 * from it, in order.
 */
export function type3FontObjects(text: string, firstId: number): string[] {
  const codes = [...new Set(Array.from(toFontText(text), (c) => c.charCodeAt(0)))].sort((a, b) => a - b);
  if (codes.length === 0) codes.push(FIRST);
  const first = codes[0]!;
  const last = codes.at(-1)!;
  const toUnicodeId = firstId + 1;
  const procs = codes.map((code, i) => ({ code, id: firstId + 2 + i, ...CHAR_PROCS.get(code)! }));
  const font =
    `<< /Type /Font /Subtype /Type3 /Name /F1 /FontBBox [0 ${-2 * DOT} ${5 * DOT} ${7 * DOT}] /FontMatrix [0.001 0 0 0.001 0 0]` +
    ` /CharProcs << ${procs.map((p) => `/${p.name} ${p.id} 0 R`).join(' ')} >>` +
    ` /Encoding << /Type /Encoding /Differences [${procs.map((p) => `${p.code} /${p.name}`).join(' ')}] >>` +
    ` /FirstChar ${first} /LastChar ${last} /Widths [${Array.from({ length: last - first + 1 }, () => GLYPH_WIDTH).join(' ')}]` +
    ` /Resources << >> /ToUnicode ${toUnicodeId} 0 R >>`;
  return [font, TO_UNICODE, ...procs.map((p) => p.stream)];
}

/** A compressed stream object, its bytes as a latin1 string (how makePdf assembles a file). */
function flateStream(content: string): string {
  const data = deflateSync(Buffer.from(content, 'latin1')).toString('latin1');
  return `<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n${data}\nendstream`;
}
