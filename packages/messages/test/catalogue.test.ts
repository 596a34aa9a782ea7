import { describe, expect, it } from 'vitest';
import { CATALOGUE, renderFinding, formatDateTime, formatDuration, isMessageCode, LOCALES, negotiateLocale, parametersOf, render, renderStored, type MessageCode } from '../src/index.ts';

describe('the message catalogue', () => {
  const codes = Object.keys(CATALOGUE) as MessageCode[];

  it('has every code in both languages, non-empty, with the same parameters', () => {
    expect(codes.length).toBeGreaterThan(100);
    for (const code of codes) {
      const entry = CATALOGUE[code] as Record<string, string>;
      expect(Object.keys(entry).sort(), code).toEqual([...LOCALES].sort());
      for (const locale of LOCALES) expect(entry[locale]!.trim(), `${code} ${locale}`).not.toBe('');
      expect(parametersOf(entry.en!), code).toEqual(parametersOf(entry['zh-CN']!));
    }
  });

  it('speaks Chinese in zh-CN: no zh-CN template is plain ASCII prose', () => {
    // A zh-CN text with letters but no CJK character is an untranslated English one.
    const untranslated = codes.filter((code) => {
      const text = CATALOGUE[code]['zh-CN'].replace(/\{\w+\}/g, '');
      return /[a-z]{3}/i.test(text) && !/[\u4e00-\u9fff]/.test(text);
    });
    expect(untranslated).toEqual([]);
  });

  it('renders named parameters in the chosen language', () => {
    expect(render('review.title', { count: 3 }, 'zh-CN')).toBe('待鉴定（3）');
    expect(render('review.title', { count: 3 }, 'en')).toBe('Review queue (3)');
    expect(render('finding.corrupt.detail', { detail: 'no %%EOF marker' })).toBe('文件已损坏或无法读取（no %%EOF marker），请向OA系统索取完整副本');
    expect(render('review.title', {}, 'en')).toBe('Review queue ({count})');
  });

  it('falls back to the stored text for a message without a known code', () => {
    expect(renderStored({ code: 'encrypted' }, 'stored', 'en')).toBe('stored');
    expect(renderStored({ code: 'finding.encrypted' }, 'stored', 'en')).toMatch(/^The file is encrypted/);
    expect(renderStored({}, '按规则归档', 'zh-CN')).toBe('按规则归档');
    expect(isMessageCode('nav.review')).toBe(true);
    expect(isMessageCode('constructor')).toBe(false);
  });
});

describe('findings', () => {
  it('renders structural problems stored by code in the reader\'s language, with nothing left in English', () => {
    const corrupt = { code: 'corrupt', params: { detail: 'no %%EOF marker at the end (file is truncated); startxref points to byte 9', problems: 'pdf-no-eof;pdf-bad-startxref=9' }, message: 'PDF is damaged or unreadable' };
    expect(renderFinding(corrupt, 'zh-CN')).toBe('文件已损坏或无法读取（文件末尾没有%%EOF结束标记（文件被截断）；startxref指向第9字节，该处没有交叉引用表），请向OA系统索取完整副本');
    expect(renderFinding(corrupt, 'en')).toBe('The file is damaged or unreadable (no %%EOF marker at the end (file is truncated); startxref points to byte 9, where there is no cross-reference table); request a complete copy from the OA system.');
    // An unknown code: the stored detail, not a half-translated list.
    expect(renderFinding({ ...corrupt, params: { detail: 'odd', problems: 'pdf-no-eof;something-new' } }, 'en')).toBe('The file is damaged or unreadable (odd); request a complete copy from the OA system.');
  });

  it('renders a finding from its code, with the tool detail when it carries one, else its stored sentence', () => {
    const corrupt = { code: 'corrupt', params: { detail: 'no %%EOF marker' }, message: 'PDF is damaged or unreadable: no %%EOF marker' };
    expect(renderFinding(corrupt, 'zh-CN')).toBe('文件已损坏或无法读取（no %%EOF marker），请向OA系统索取完整副本');
    expect(renderFinding({ code: 'encrypted', message: 'PDF is encrypted' }, 'en')).toMatch(/^The file is encrypted and cannot/);
    expect(renderFinding({ code: 'something-new', message: 'stored text' }, 'zh-CN')).toBe('stored text');
  });
});

describe('locale negotiation', () => {
  it('defaults to zh-CN, honours a valid choice, then Accept-Language by q-value', () => {
    expect(negotiateLocale(undefined, undefined)).toBe('zh-CN');
    expect(negotiateLocale('en', 'zh-CN')).toBe('en');
    expect(negotiateLocale('fr', 'en-US,en;q=0.9')).toBe('en');
    expect(negotiateLocale(undefined, 'zh-TW;q=0.5, en-GB;q=0.8')).toBe('en');
    expect(negotiateLocale(undefined, 'de-DE, zh;q=0.3')).toBe('zh-CN');
    expect(negotiateLocale(undefined, 'de-DE')).toBe('zh-CN');
    expect(negotiateLocale(undefined, 'en;q=0')).toBe('zh-CN');
  });
});

describe('formatting', () => {
  it('shows times in the agency time zone', () => {
    expect(formatDateTime(new Date('2026-12-01T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-02 00:30');
    expect(formatDateTime('2026-12-01T16:30:05Z', 'UTC', true)).toBe('2026-12-01 16:30:05');
    expect(formatDateTime(null, 'UTC')).toBe('—');
  });

  it('says durations in the unit a person would', () => {
    expect(formatDuration(30, 'zh-CN')).toBe('30.0 秒');
    expect(formatDuration(5400, 'en')).toBe('90.0 min');
    expect(formatDuration(3 * 3600, 'zh-CN')).toBe('3.0 小时');
    expect(formatDuration(3 * 86_400, 'en')).toBe('3.0 d');
    expect(formatDuration(null, 'en')).toBe('—');
  });
});
