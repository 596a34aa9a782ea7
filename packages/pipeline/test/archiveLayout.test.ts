import { describe, expect, it } from 'vitest';
import { archiveComponentKeyOf, archivePrefixOf, filedPrefixOf, filedVersionPrefixOf, idSegment, safeSegment } from '../src/index.ts';

describe('archive object keys', () => {
  it('never let an OA file name become a path', () => {
    expect(safeSegment('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeSegment('..\\..\\boot.ini')).not.toContain('\\');
    expect(safeSegment('a/b')).toBe('a_b');
    expect(safeSegment('关于做好档案移交工作的通知（定稿）.docx')).toBe('关于做好档案移交工作的通知_定稿_.docx');
  });

  it('keep long names within bounds and keep the extension', () => {
    const long = safeSegment(`${'很长的题名'.repeat(40)}.pdf`);
    expect(long.length).toBe(120);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('file a document under fonds / year / category / retention / 档号, components in item order', () => {
    const prefix = filedPrefixOf({ referenceCode: 'A182-WS·2025-Y-BGS-0001', year: 2025, category: 'WS', retention: 'Y' }, 'A182');
    expect(prefix).toBe('A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001');
    expect(archiveComponentKeyOf(prefix, 2, { fileName: '附件1：工作安排.docx' })).toBe('A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001/original/002-附件1_工作安排.docx');
  });
});

describe('quarantine object keys', () => {
  const prefixOf = (source: string, documentId: string, version = 1) => archivePrefixOf({ source, documentId, version, finalizedAt: new Date('2025-03-14T01:30:00Z') });

  it.each([
    ['a/b', 'a_b'],
    ['a b', 'a_b'],
    ['a//b', 'a/b'],
    ['a__b', 'a_b'],
    ['../x', '_.._x'],
    ['.hidden', '_hidden'],
    ['caf\u00e9', 'cafe\u0301'],
    ['发文（2025）1号', '发文_2025_1号'],
    ['发文（2025）1号', '发文(2025)1号'],
    [`${'x'.repeat(130)}1`, `${'x'.repeat(130)}2`],
    [`${'档'.repeat(100)}甲`, `${'档'.repeat(100)}乙`],
    ['a~b', 'a_b'],
  ])('give distinct document ids %j and %j distinct prefixes', (one, other) => {
    expect(one).not.toBe(other);
    expect(prefixOf('oa-main', one)).not.toBe(prefixOf('oa-main', other));
  });

  it('gives distinct sources distinct prefixes', () => {
    expect(prefixOf('oa/finance', 'D-1')).not.toBe(prefixOf('oa_finance', 'D-1'));
  });

  it('keeps a plain id as it is and shows any other readably, never as a path', () => {
    expect(prefixOf('oa-simulator', 'FW-2025-0137', 2)).toBe('oa-simulator/2025/FW-2025-0137/v2');
    const segment = idSegment('../../etc/passwd');
    expect(segment).toMatch(/^_.._etc_passwd~[0-9a-f]{64}$/);
    expect(segment).not.toContain('/');
    expect(idSegment(`${'很长的文号'.repeat(60)}`).length).toBeLessThanOrEqual(80 + 1 + 64);
  });

  it('maps the same id to the same segment every time (a replayed deposit finds its objects)', () => {
    expect(idSegment('发文（2025）1号')).toBe(idSegment('发文（2025）1号'));
  });
});

describe('where versions of a filed item lie', () => {
  it('puts a later version beside the first bag, never inside it', () => {
    const first = filedPrefixOf({ referenceCode: 'A182-WS·2025-Y-BGS-0001', year: 2025, category: 'WS', retention: 'Y' }, 'A182');
    const second = filedVersionPrefixOf(first, 2);
    expect(second).toBe('A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001.v2');
    // A listing of the first bag (its prefix and a slash) never reaches into the second.
    expect(`${second}/bagit.txt`.startsWith(`${first}/`)).toBe(false);
    expect(filedVersionPrefixOf(first, 12)).not.toBe(filedVersionPrefixOf(first, 1));
  });
});
