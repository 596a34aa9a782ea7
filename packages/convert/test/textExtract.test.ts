import { describe, expect, it } from 'vitest';
import { foldWhitespace } from '../src/textExtract.ts';

describe('text extracted for search', () => {
  it('folds layout whitespace, and joins Chinese characters a wrapped line or spaced glyphs split', () => {
    expect(foldWhitespace('  通 信\n  保障\u3000工作   Party  A\n\n\nB 中')).toBe('通信保障工作 Party A\nB 中');
  });

  it('drops NUL, which PostgreSQL text cannot hold, and the replacement character of a cut multibyte sequence', () => {
    expect(foldWhitespace('档案\u0000移交\uFFFD')).toBe('档案移交');
  });
});
