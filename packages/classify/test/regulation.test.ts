import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { coverageMarkdown, loadSchedule, parseSchedule, REGULATION_ITEMS, regulationCoverage, type RetentionSchedule } from '../src/index.ts';

let schedule: RetentionSchedule;
let text: string;
beforeAll(async () => {
  schedule = await loadSchedule();
  text = await readFile(new URL('../schedules/default.yaml', import.meta.url), 'utf8');
});

const DOC = new URL('../../../docs/retention-schedule.md', import.meta.url);

describe('8号令 item by item', () => {
  it('knows every item of 第四条, 第七条 and 第八条 and the rows of the attached 表', () => {
    const count = (article: string) => REGULATION_ITEMS.filter((i) => i.article === article).length;
    // 第四条 has four items, split into the kinds of document each lists; 第七条 eight; 第八条 nine.
    expect([count('第四条'), count('第七条'), count('第八条')]).toEqual([14, 8, 9]);
    expect(count('期限表')).toBeGreaterThanOrEqual(18);
    expect(new Set(REGULATION_ITEMS.map((i) => i.id)).size).toBe(REGULATION_ITEMS.length);
  });

  it('has a rule for every item of 第四条, 第七条 and 第八条 in the default schedule', () => {
    const { uncovered } = regulationCoverage(schedule);
    expect(uncovered.filter((u) => u.item.article !== '期限表').map((u) => u.item.id)).toEqual([]);
  });

  it('lists the items no rule covers yet, each with its reason', () => {
    const { uncovered } = regulationCoverage(schedule);
    // The list is computed from the rules' basis, not written here: this is what it says today.
    expect(uncovered.map((u) => u.item.id)).toEqual(['表1.2', '表1.3', '表5.1', '表5.2', '表6']);
    expect(uncovered.filter((u) => !u.reason).map((u) => u.item.id)).toEqual([]);
  });

  it('counts a REVIEW rule’s candidates as applying their items', () => {
    const { covered } = regulationCoverage(schedule);
    expect(covered.find((c) => c.item.id === '第八条（五）')?.ruleIds).toEqual(expect.arrayContaining(['Y-OWN-REQUEST', 'Y-SUPERIOR-REPLY']));
  });

  it('keeps docs/retention-schedule.md current with the schedule', async () => {
    const page = await readFile(DOC, 'utf8');
    expect(page).toContain(coverageMarkdown(schedule));
  });

  it('refuses a rule citing an item the regulation does not have, and a not-covered item a rule cites', () => {
    const bad = text.replace('basis: [第四条（二）3]', 'basis: [第四条（九）]');
    expect(() => parseSchedule(bad)).toThrow(/EX-DRAFT.*第四条（九）.*no item of 8号令/s);
    const stale = text.replace('notCovered:\n', 'notCovered:\n  第四条（二）3: 还没有规则\n');
    expect(() => parseSchedule(stale)).toThrow(/第四条（二）3.*listed as not covered, but a rule cites it/s);
  });

  it('refuses candidates on a rule that does not send to review', () => {
    const bad = text.replace(/( {2}- id: D30-CONTRACT\n(?:.*\n)*? {4}explain: .*\n)/u, '$1    candidates:\n      - { retention: Y, basis: [表15], when: 重要 }\n      - { retention: D30, basis: [表15], when: 一般 }\n');
    expect(bad).not.toBe(text);
    expect(() => parseSchedule(bad)).toThrow(/D30-CONTRACT has outcome FILE: candidates are for REVIEW rules only/);
  });
});
