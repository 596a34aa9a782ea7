import { describe, expect, it } from 'vitest';
import { archiveComponentKeyOf, filedPrefixOf, safeSegment } from '../src/index.ts';

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
