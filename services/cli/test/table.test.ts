import { describe, expect, it } from 'vitest';
import { displayWidth, formatTable } from '../src/table.ts';

describe('formatTable', () => {
  it('counts Chinese characters as two columns', () => {
    expect(displayWidth('通知')).toBe(4);
    expect(displayWidth('A182〔2025〕')).toBe(4 + 4 + 4);
  });

  it('lines columns up with mixed Chinese and Latin text', () => {
    const table = formatTable(['doc', '题名'], [['SIM-1', '关于做好档案移交工作的通知'], ['SIM-22', 'x']]);
    const lines = table.split('\n');
    const column = (line: string) => displayWidth(line.slice(0, line.indexOf(line.trim().split(/\s{2,}/)[1]!)));
    expect(column(lines[2]!)).toBe(column(lines[3]!));
  });

  it('truncates long cells with an ellipsis', () => {
    const table = formatTable(['t'], [['一二三四五六七八九十']], 7);
    expect(table.split('\n')[2]).toBe('一二三…');
  });
});

describe('progress bar', () => {
  it('fills in proportion and shows the count', async () => {
    const { progressBar } = await import('../src/commands/operate.ts');
    expect(progressBar(0, 4, 8)).toBe('[        ] 0/4');
    expect(progressBar(2, 4, 8)).toBe('[####    ] 2/4');
    expect(progressBar(0, 0, 4)).toBe('[####] 0/0');
  });
});
