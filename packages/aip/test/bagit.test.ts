import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BagError, buildBag, encodeManifestPath, formatBagSize, type PayloadFile } from '../src/index.ts';
import { BAG_INFO as INFO } from './fixtures.ts';

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const sm3 = (b: Buffer | string): string => createHash('sm3').update(b).digest('hex');

function payloadFile(path: string, content: string): PayloadFile {
  const bytes = Buffer.from(content, 'utf8');
  return { path, size: bytes.length, sha256: sha256(bytes), sm3: sm3(bytes) };
}

const PAYLOAD: PayloadFile[] = [
  payloadFile('data/正文.pdf', '%PDF-1.7 正文'),
  payloadFile('data/附件 1 会议纪要.docx', '附件一'),
  payloadFile('data/进度 50%.txt', 'percent'),
];


const DA46 = { path: 'metadata/da46.xml', content: Buffer.from('<文件/>\n') };
const PREMIS = { path: 'metadata/premis.xml', content: Buffer.from('<premis/>\n') };

function build(payload = PAYLOAD, tagFiles = [DA46, PREMIS], info = INFO) {
  return buildBag({ payload, tagFiles, info });
}

function file(bag: ReturnType<typeof build>, path: string): string {
  const found = bag.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found.content.toString('utf8');
}

/** `digest path` lines → Map<decoded-or-not path, digest>. */
function manifestEntries(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const space = line.indexOf(' ');
    entries.set(line.slice(space + 1), line.slice(0, space));
  }
  return entries;
}

describe('buildBag', () => {
  it('writes every tag file, in writing order, tag manifests last', () => {
    expect(build().files.map((f) => f.path)).toEqual([
      'bagit.txt',
      'bag-info.txt',
      'manifest-sha256.txt',
      'manifest-sm3.txt',
      'metadata/da46.xml',
      'metadata/premis.xml',
      'tagmanifest-sha256.txt',
      'tagmanifest-sm3.txt',
    ]);
  });

  it('writes bagit.txt exactly', () => {
    expect(file(build(), 'bagit.txt')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  });

  it('lists every payload file in both manifests with its digest, encoded and sorted', () => {
    const bag = build();
    const expectedPaths = ['data/正文.pdf', 'data/进度 50%25.txt', 'data/附件 1 会议纪要.docx'];
    for (const algorithm of ['sha256', 'sm3'] as const) {
      const text = file(bag, `manifest-${algorithm}.txt`);
      expect(text.endsWith('\n')).toBe(true);
      const entries = manifestEntries(text);
      expect([...entries.keys()]).toEqual(expectedPaths);
      for (const p of PAYLOAD) expect(entries.get(encodeManifestPath(p.path))).toBe(p[algorithm]);
    }
    expect(file(bag, 'manifest-sm3.txt')).toContain(`${sm3('percent')} data/进度 50%25.txt\n`);
  });

  it('lists bagit.txt, bag-info.txt, both manifests and the extra tag files in both tag manifests, with digests of the bytes written', () => {
    const bag = build();
    const covered = bag.files.filter((f) => !f.path.startsWith('tagmanifest-'));
    for (const [algorithm, hash] of [['sha256', sha256], ['sm3', sm3]] as const) {
      const entries = manifestEntries(file(bag, `tagmanifest-${algorithm}.txt`));
      expect([...entries.keys()].sort()).toEqual(
        ['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt', 'manifest-sm3.txt', 'metadata/da46.xml', 'metadata/premis.xml'].sort(),
      );
      for (const f of covered) expect(entries.get(f.path), f.path).toBe(hash(f.content));
    }
  });

  it('writes bag-info.txt with the reserved labels, Payload-Oxum and Bag-Size', () => {
    const octets = PAYLOAD.reduce((s, p) => s + p.size, 0);
    expect(file(build(), 'bag-info.txt')).toBe(
      [
        'Source-Organization: 某某市人民政府办公室',
        'Source-System: 协同办公系统 v5',
        'External-Identifier: ing-7f3a',
        'External-Description: 关于做好2024年"春节"<元旦>期间值班工作的通知 & 附件',
        'Archival-Reference-Code: A001-2024-Y-BGS-0007',
        'Fonds: A001',
        'Date-Created: 2024-01-05T09:00:00+08:00',
        'Date-Signed: 2024-01-08T10:30:00+08:00',
        'Date-Finalized: 2024-01-08T11:00:00+08:00',
        'Bagging-Date: 2024-01-09',
        `Payload-Oxum: ${octets}.3`,
        `Bag-Size: ${octets} B`,
        '',
      ].join('\n'),
    );
  });

  it('leaves out optional labels that are absent and writes Bag-Group-Identifier when given', () => {
    const withoutSigned = file(build(PAYLOAD, [], { ...INFO, dates: { created: 'c', finalized: 'f' } }), 'bag-info.txt');
    expect(withoutSigned).not.toContain('Date-Signed');
    expect(withoutSigned).not.toContain('Bag-Group-Identifier');
    expect(file(build(PAYLOAD, [], { ...INFO, bagGroupIdentifier: 'A001-2024-Y' }), 'bag-info.txt')).toContain('\nBag-Group-Identifier: A001-2024-Y\n');
  });

  it('computes Payload-Oxum beyond 2^53 octets in total', () => {
    const big = { path: 'data/a', size: Number.MAX_SAFE_INTEGER, sha256: 'a'.repeat(64), sm3: 'b'.repeat(64) };
    const text = file(build([big, { ...big, path: 'data/b' }], []), 'bag-info.txt');
    expect(text).toContain(`Payload-Oxum: ${2n * BigInt(Number.MAX_SAFE_INTEGER)}.2\n`);
  });

  it('folds line breaks in free text, and refuses them in identifiers and dates', () => {
    const folded = file(build(PAYLOAD, [], { ...INFO, externalDescription: '关于\r\n值班的\n\t通知 ', sourceOrganization: '某某市\n办公室' }), 'bag-info.txt');
    expect(folded).toContain('External-Description: 关于 值班的 通知\n');
    expect(folded).toContain('Source-Organization: 某某市 办公室\n');
    expect(() => build(PAYLOAD, [], { ...INFO, referenceCode: 'A001\n-2024' })).toThrow(BagError);
    expect(() => build(PAYLOAD, [], { ...INFO, externalIdentifier: 'x\ry' })).toThrow(BagError);
    expect(() => build(PAYLOAD, [], { ...INFO, dates: { ...INFO.dates, finalized: '2024-01-08\n' } })).toThrow(BagError);
    expect(() => build(PAYLOAD, [], { ...INFO, fonds: '  ' })).toThrow(/Fonds: empty/);
    expect(() => build(PAYLOAD, [], { ...INFO, externalDescription: '\n' })).toThrow(/External-Description: empty/);
  });

  it('wants Bagging-Date as a real calendar date', () => {
    for (const bad of ['2024-1-9', '2024-02-30', '20240109', '2024-01-09T00:00:00Z', '']) {
      expect(() => build(PAYLOAD, [], { ...INFO, baggingDate: bad }), bad).toThrow(/Bagging-Date/);
    }
  });

  it('gives identical bytes for the same bag, whatever the order of payload and tag files', () => {
    const a = build();
    const b = build([...PAYLOAD].reverse(), [PREMIS, DA46]);
    expect(b.files.map((f) => f.path)).toEqual(a.files.map((f) => f.path));
    b.files.forEach((f, i) => expect(f.content.equals(a.files[i]!.content), f.path).toBe(true));
  });

  it('sorts manifest lines by code point, not by UTF-16 unit or locale', () => {
    // U+FF5E (fullwidth tilde) sorts before U+1F4C4 (an astral character) by code point, after it by UTF-16 unit.
    const bag = build([payloadFile('data/\u{1F4C4}.txt', 'x'), payloadFile('data/\uFF5E.txt', 'y'), payloadFile('data/Z.txt', 'z')], []);
    expect([...manifestEntries(file(bag, 'manifest-sha256.txt')).keys()]).toEqual(['data/Z.txt', 'data/\uFF5E.txt', 'data/\u{1F4C4}.txt']);
  });

  it('lower-cases hex digests', () => {
    const upper = { ...PAYLOAD[0]!, sha256: PAYLOAD[0]!.sha256.toUpperCase(), sm3: PAYLOAD[0]!.sm3.toUpperCase() };
    expect(file(build([upper], []), 'manifest-sm3.txt')).toBe(`${PAYLOAD[0]!.sm3} data/正文.pdf\n`);
  });
});

describe('encodeManifestPath', () => {
  it('encodes %, CR and LF as RFC 8493 §2.1.3 requires, and nothing else', () => {
    expect(encodeManifestPath('data/50%.txt')).toBe('data/50%25.txt');
    expect(encodeManifestPath('data/a%0Ab')).toBe('data/a%250Ab');
    expect(encodeManifestPath('data/a\r\nb')).toBe('data/a%0D%0Ab');
    expect(encodeManifestPath('data/正文 附件#1?.pdf')).toBe('data/正文 附件#1?.pdf');
  });
});

describe('buildBag refuses', () => {
  const bad = (path: string) => [{ ...PAYLOAD[0]!, path }];
  it.each([
    ['../data/x', 'escapes the bag'],
    ['data/../bagit.txt', 'escapes data/'],
    ['data/./x', 'dot segment'],
    ['/data/x', 'absolute'],
    ['data\\x.pdf', 'backslash'],
    ['data/a\\b.pdf', 'backslash inside'],
    ['data/a\nb.pdf', 'LF'],
    ['data/a\rb.pdf', 'CR'],
    ['data/a\u0000b', 'NUL'],
    ['data/a\u007Fb', 'DEL'],
    ['data/a\u0085b', 'C1 control'],
    ['data/\uD800.pdf', 'lone surrogate'],
    ['x.pdf', 'outside data/'],
    ['data', 'the data directory itself'],
    ['data/', 'empty name'],
    ['data//x', 'empty segment'],
    ['', 'empty path'],
  ])('payload path %j (%s)', (path) => {
    expect(() => build(bad(path), [])).toThrow(BagError);
  });

  it('duplicate payload paths and a file that is also a directory', () => {
    expect(() => build([PAYLOAD[0]!, PAYLOAD[0]!], [])).toThrow(/twice/);
    expect(() => build([payloadFile('data/a', '1'), payloadFile('data/a/b', '2')], [])).toThrow(/also a directory/);
  });

  it('bad sizes and digests', () => {
    const p = PAYLOAD[0]!;
    expect(() => build([{ ...p, size: -1 }], [])).toThrow(/size/);
    expect(() => build([{ ...p, size: 1.5 }], [])).toThrow(/size/);
    expect(() => build([{ ...p, sha256: 'abc' }], [])).toThrow(/sha256/);
    expect(() => build([{ ...p, sm3: `${p.sm3.slice(0, 63)}g` }], [])).toThrow(/sm3/);
  });

  it('an empty payload', () => {
    expect(() => build([], [])).toThrow(/at least one payload file/);
  });

  it('tag files in data/, under reserved names, duplicated or escaping the bag', () => {
    const tag = (path: string) => [{ path, content: Buffer.from('x') }];
    for (const path of ['data/x.xml', 'bagit.txt', 'bag-info.txt', 'fetch.txt', 'manifest-md5.txt', 'tagmanifest-sha512.txt', '../x.xml', 'metadata\\x.xml', '/x.xml']) {
      expect(() => build(PAYLOAD, tag(path)), path).toThrow(BagError);
    }
    expect(() => build(PAYLOAD, [DA46, DA46])).toThrow(/twice/);
  });
});

describe('formatBagSize', () => {
  it('writes an approximate size with a decimal unit', () => {
    expect(formatBagSize(0n)).toBe('0 B');
    expect(formatBagSize(999n)).toBe('999 B');
    expect(formatBagSize(1000n)).toBe('1.0 KB');
    expect(formatBagSize(1_234_567n)).toBe('1.2 MB');
    expect(formatBagSize(1_250_000n)).toBe('1.3 MB');
    expect(formatBagSize(42_600_000_000n)).toBe('42.6 GB');
    expect(formatBagSize(5n * 10n ** 18n)).toBe('5000.0 PB');
  });
});

describe('buildBag digests', () => {
  it('gives every tag file its size, SHA-256 and SM3 as taken over its bytes, so the caller need not hash them again', () => {
    const bag = build();
    for (const f of bag.files) expect({ path: f.path, size: f.size, sha256: f.sha256, sm3: f.sm3 }).toEqual({ path: f.path, size: f.content.length, sha256: sha256(f.content), sm3: sm3(f.content) });
  });
});

describe('buildBag with a staged tag file (metadata/eep.xml)', () => {
  const eep = Buffer.from('<电子文件封装包/>\n');
  const staged = { path: 'metadata/eep.xml', size: eep.length, sha256: sha256(eep), sm3: sm3(eep) };

  it('lists it in both tag manifests with the caller’s digests, and does not write it', () => {
    const bag = buildBag({ payload: PAYLOAD, tagFiles: [DA46, PREMIS], stagedTagFiles: [staged], info: INFO });
    expect(bag.files.map((f) => f.path)).not.toContain('metadata/eep.xml');
    expect(bag.staged).toEqual([staged]);
    expect(manifestEntries(file(bag, 'tagmanifest-sha256.txt')).get('metadata/eep.xml')).toBe(sha256(eep));
    expect(manifestEntries(file(bag, 'tagmanifest-sm3.txt')).get('metadata/eep.xml')).toBe(sm3(eep));
    expect([...manifestEntries(file(bag, 'tagmanifest-sha256.txt')).keys()]).toEqual([...manifestEntries(file(bag, 'tagmanifest-sha256.txt')).keys()].sort());
  });

  it('refuses one under data/, one named twice, or one without its digests', () => {
    expect(() => buildBag({ payload: PAYLOAD, tagFiles: [], stagedTagFiles: [{ ...staged, path: 'data/eep.xml' }], info: INFO })).toThrow(BagError);
    expect(() => buildBag({ payload: PAYLOAD, tagFiles: [{ path: 'metadata/eep.xml', content: eep }], stagedTagFiles: [staged], info: INFO })).toThrow(/tag file/);
    expect(() => buildBag({ payload: PAYLOAD, tagFiles: [], stagedTagFiles: [{ ...staged, sm3: 'x' }], info: INFO })).toThrow(/64 hex digits/);
  });
});
