import { beforeAll, describe, expect, it } from 'vitest';
import { loadEvaluationSet } from '../evaluation/evaluation.ts';
import { classify, declaredComponentFacts, documentTypeOf, loadSchedule, parseSchedule, ScheduleError, type RetentionSchedule } from '../src/index.ts';
import { documentData, textComponent } from './helpers.ts';

let schedule: RetentionSchedule;
beforeAll(async () => {
  schedule = await loadSchedule();
});

const decide = (data = documentData()) => classify({ data, components: [textComponent()] }, schedule);
const verdict = (d: ReturnType<typeof decide>) => ({ outcome: d.outcome, retention: d.retention, category: d.category, ruleIds: d.ruleIds });

/** The 15 文种 of 《党政机关公文处理工作条例》第八条. */
const STATUTORY = ['决议', '决定', '命令', '公报', '公告', '通告', '意见', '通知', '通报', '报告', '请示', '批复', '议案', '函', '纪要'];

describe('文种 normalisation in the default schedule', () => {
  it('lists every statutory 文种 of the 条例, beside the common 事务文书', () => {
    expect(Object.keys(schedule.documentTypes ?? {})).toEqual(expect.arrayContaining([...STATUTORY]));
    expect(Object.keys(schedule.documentTypes ?? {})).toEqual(expect.arrayContaining(['计划', '总结', '方案', '统计报表', '简报', '合同', '证书']));
  });

  it('files a 党组会 纪要 permanently, exactly as the same document sent as 会议纪要', () => {
    const base = { title: '示范市人民政府办公室2025年第3次党组会议纪要', issuer: { relation: '本机关' as const, name: '示范市人民政府办公室' } };
    const asMinutes = decide(documentData({ ...base, documentType: '会议纪要' }));
    const asStatutory = decide(documentData({ ...base, documentType: '纪要' }));
    expect(asMinutes).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: ['Y-MINUTES'] });
    expect(verdict(asStatutory)).toEqual(verdict(asMinutes));
  });

  it('sends a 纪要 of another meeting to review like a 会议纪要 (R-MINUTES-OTHER), not for an unknown 文种', () => {
    const d = decide(documentData({ title: '关于档案数字化工作的专题会议纪要', documentType: '纪要', issuer: { relation: '本机关', name: '示范市人民政府办公室' } }));
    expect(d).toMatchObject({ outcome: 'REVIEW', ruleIds: ['R-MINUTES-OTHER'] });
  });

  it.each([
    ['令', '命令'],
    ['命令（令）', '命令'],
    ['命令(令)', '命令'],
    ['复函', '函'],
    ['商洽函', '函'],
    ['批覆', '批复'],
    ['请示件', '请示'],
    ['转发通知', '通知'],
    ['情况通报', '通报'],
    ['指导意见', '意见'],
    ['会议决议', '决议'],
    ['统计公报', '公报'],
    [' 纪 要 ', '纪要'],
    ['会议记要', '纪要'],
  ])('reads %s as %s', (label, name) => {
    expect(documentTypeOf(schedule.documentTypes, label)).toBe(name);
  });

  it('keeps labels for other kinds of document apart: 决定书, 请示报告 and 会议记录 are not 决定, 请示 or 纪要', () => {
    expect(documentTypeOf(schedule.documentTypes, '决定书')).toBe('决定书');
    expect(documentTypeOf(schedule.documentTypes, '请示报告')).toBe('请示报告');
    expect(documentTypeOf(schedule.documentTypes, '会议记录')).toBe('会议记录');
  });

  it('decides every evaluation document the same whichever label of its 文种 it carries', async () => {
    const table = schedule.documentTypes ?? {};
    const labelsOf = (name: string) => [name, ...(table[name] ?? [])];
    const sets = await Promise.all(['documents.jsonl', 'holdout.jsonl', 'holdout-2.jsonl'].map((f) => loadEvaluationSet(new URL(`../evaluation/${f}`, import.meta.url).pathname)));
    let compared = 0;
    for (const doc of sets.flat()) {
      const name = documentTypeOf(table, doc.data.documentType);
      if (!(name in table)) continue;
      const components = declaredComponentFacts(doc.data);
      const original = verdict(classify({ data: doc.data, components }, schedule));
      for (const label of labelsOf(name)) {
        const relabelled = verdict(classify({ data: { ...doc.data, documentType: label }, components }, schedule));
        expect({ id: doc.id, label, ...relabelled }).toEqual({ id: doc.id, label, ...original });
        compared++;
      }
    }
    // The sets hold well over a hundred documents of statutory 文种; each is tried under every label.
    expect(compared).toBeGreaterThan(300);
  });

  it('names the statutory 文种 it read when no rule decides', () => {
    const d = decide(documentData({ documentType: '联合公报', title: '关于某事项的联合公报', issuer: { relation: '外部', name: '某公司' } }));
    expect(d.outcome).toBe('REVIEW');
    expect(d.explanation).toContain('文种：联合公报，按公报');
  });
});

describe('文种 table in a schedule', () => {
  const withTable = (table: string) =>
    parseSchedule(`schema: oa-archive/retention-schedule@1
version: t
title: t
agency: { name: a, fonds: A1, organisations: { BGS: BGS }, unknownDepartment: review }
referenceCode: { template: "{fonds}-{category}·{year}-{retention}-{org}-{item}", itemDigits: 4 }
categories: { default: WS, byMediaKind: {} }
security: { openLevels: [公开] }
duplicates: exclude
findings: { unsafe: quarantine, integrity: review, authenticity: review }
documentTypes: ${table}
rules:
  - { id: A, priority: 100, outcome: FILE, retention: D30, explain: a, when: { documentType: [会议纪要] } }
`);

  it('lets a rule written with one label match a document sent with another', () => {
    const s = withTable('{ 纪要: [会议纪要] }');
    expect(classify({ data: documentData({ documentType: '纪要' }), components: [textComponent()] }, s)).toMatchObject({ outcome: 'FILE', ruleIds: ['A'] });
  });

  it('without a table, compares labels as they are (only width and spacing are ignored)', () => {
    const s = withTable('{}');
    expect(classify({ data: documentData({ documentType: '纪要' }), components: [textComponent()] }, s)).toMatchObject({ outcome: 'REVIEW', ruleIds: [] });
    expect(classify({ data: documentData({ documentType: '会议 纪要' }), components: [textComponent()] }, s)).toMatchObject({ outcome: 'FILE' });
  });

  it('refuses a label listed under two 文种, naming both', () => {
    expect(() => withTable('{ 纪要: [会议纪要], 报告: [会议纪要] }')).toThrow(ScheduleError);
    expect(() => withTable('{ 纪要: [会议纪要], 报告: [会议纪要] }')).toThrow(/"会议纪要" is listed under "报告" and is already "纪要"/);
  });

  it('refuses a 文种 that is also another one’s label', () => {
    expect(() => withTable('{ 函: [复函], 复函: [答复函] }')).toThrow(/"复函"|复函/);
  });
});
