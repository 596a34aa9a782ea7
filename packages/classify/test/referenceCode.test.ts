import { describe, expect, it } from 'vitest';
import { formatReferenceCode, isIncoming, orderComponents, previewReferenceCode } from '../src/index.ts';

const DEFAULT = '{fonds}-{category}·{year}-{retention}-{org}-{item}';

describe('archival reference code (档号)', () => {
  it('formats the DA/T 13 example', () => {
    expect(formatReferenceCode(DEFAULT, { fonds: 'A182', category: 'WS', year: 2022, retention: 'Y', org: 'BGS', item: 1 }, 4)).toBe('A182-WS·2022-Y-BGS-0001');
  });

  it('pads item numbers and keeps large ones whole', () => {
    expect(formatReferenceCode(DEFAULT, { fonds: 'A182', category: 'ZP', year: 2025, retention: 'D30', org: 'CWK', item: 37 }, 4)).toBe('A182-ZP·2025-D30-CWK-0037');
    expect(formatReferenceCode(DEFAULT, { fonds: 'A182', category: 'WS', year: 2025, retention: 'D10', org: 'CWK', item: 12345 }, 4)).toBe('A182-WS·2025-D10-CWK-12345');
  });

  it('drops the organisation segment and its separator when the agency has none', () => {
    expect(formatReferenceCode(DEFAULT, { fonds: 'A182', category: 'WS', year: 2025, retention: 'Y', org: '', item: 8 }, 4)).toBe('A182-WS·2025-Y-0008');
  });

  it('follows an agency’s own template', () => {
    expect(formatReferenceCode('{fonds}.{year}.{category}.{retention}.{item}', { fonds: 'Z01', category: 'LY', year: 2024, retention: 'D10', org: 'BGS', item: 3 }, 3)).toBe('Z01.2024.LY.D10.003');
  });

  it('previews a code before its number exists', () => {
    expect(previewReferenceCode(DEFAULT, { fonds: 'A182', category: 'WS', year: 2025, retention: 'Y', org: 'BGS' }, 4)).toBe('A182-WS·2025-Y-BGS-????');
  });
});

describe('component order inside an item (DA/T 22)', () => {
  const c = (ordinal: number, role: string) => ({ ordinal, role });
  it('puts the text before attachments and the signed copy before the final draft and drafting form', () => {
    const ordered = orderComponents([c(1, '发文稿纸'), c(2, '定稿'), c(3, '附件'), c(4, '正文'), c(5, '附件')], { incoming: false });
    expect(ordered.map((x) => `${x.role}${x.ordinal}`)).toEqual(['正文4', '附件3', '附件5', '定稿2', '发文稿纸1']);
  });

  it('puts the handling slip before an incoming document', () => {
    const ordered = orderComponents([c(1, '正文'), c(2, '附件'), c(3, '处理单')], { incoming: true });
    expect(ordered.map((x) => x.role)).toEqual(['处理单', '正文', '附件']);
  });

  it('tells incoming from outgoing documents', () => {
    expect(isIncoming({ workflow: { type: '收文' }, issuer: { relation: '本机关' } })).toBe(true);
    expect(isIncoming({ workflow: { type: '发文' }, issuer: { relation: '上级' } })).toBe(true);
    expect(isIncoming({ workflow: { type: '发文' }, issuer: { relation: '本机关' } })).toBe(false);
  });
});

describe('reference code pattern (authenticity of a 档号’s form)', () => {
  it('accepts what the template produces and nothing else', async () => {
    const { referenceCodePattern } = await import('../src/index.ts');
    const pattern = referenceCodePattern(DEFAULT, 4);
    expect(pattern.test('A182-WS·2022-Y-BGS-0001')).toBe(true);
    expect(pattern.test('A182-WS·2025-Y-0008')).toBe(true);
    expect(pattern.test('A182-WS·2025-D15-BGS-0001')).toBe(false);
    expect(pattern.test('A182-WS.2025-Y-BGS-0001')).toBe(false);
    expect(pattern.test('A182-WS·2025-Y-BGS-01')).toBe(false);
    expect(referenceCodePattern('{fonds}.{year}.{category}.{retention}.{item}', 3).test('Z01.2024.LY.D10.003')).toBe(true);
  });
});
