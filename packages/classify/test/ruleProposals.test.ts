import { describe, expect, it } from 'vitest';
import { classify, dryRunRule, parseSchedule, proposeRules, scheduleTextWithRule, titleTerms, type SettledDocument, type Settlement } from '../src/index.ts';
import { documentData, textComponent } from './helpers.ts';

/** A small schedule of its own, so the default schedule's evolution does not move these cases. */
export const LEARNING_SCHEDULE = `# a test schedule
schema: oa-archive/retention-schedule@1
version: "t.1"
title: 测试归档范围表
agency:
  name: 测试机关
  fonds: T001
  organisations: { BGS: BGS, CWK: CWK, RSK: RSK }
  unknownDepartment: review
referenceCode: { template: "{fonds}-{category}·{year}-{retention}-{org}-{item}", itemDigits: 4 }
categories: { default: WS, byMediaKind: { photo: ZP } }
security: { openLevels: [公开] }
documentTypes:
  请示: [请示件]
  函: [复函, 便函]
  纪要: [会议纪要]
duplicates: exclude
findings: { unsafe: quarantine, integrity: review, authenticity: review }
rules:
  - id: EX-DRAFT
    priority: 900
    outcome: EXCLUDE
    explain: 修改稿不归档
    when: { titleMatches: ["修改稿"] }
  # 请示 cannot be told 重要 from 一般 by rules
  - id: REVIEW-REQUEST
    priority: 300
    outcome: REVIEW
    explain: 请示的重要程度无法判定
    candidates:
      - { retention: Y, basis: [第七条（四）], when: 重要问题 }
      - { retention: D30, basis: [第八条（五）], when: 一般问题 }
    when: { documentType: [请示] }
  - id: D30-LETTER
    priority: 200
    outcome: FILE
    retention: D30
    explain: 来函定期保管
    when: { documentType: [函] }
`;

const schedule = parseSchedule(LEARNING_SCHEDULE, 'learning.yaml');

let n = 0;
function settled(title: string, settlement: Settlement, overrides: Parameters<typeof documentData>[0] = {}): SettledDocument {
  n++;
  return { ingestId: `ing-${String(n).padStart(3, '0')}`, data: documentData({ documentType: '请示', title, ...overrides }), components: [textComponent()], settlement, settledBy: 'wang' };
}
const Y: Settlement = { outcome: 'FILE', category: 'WS', retention: 'Y' };
const D10: Settlement = { outcome: 'FILE', category: 'WS', retention: 'D10' };

describe('title terms', () => {
  it('takes the subject out of a title: no 文种, joining words, numbers or punctuation', () => {
    const terms = titleTerms('关于2025年度安全生产检查经费的请示', ['请示']);
    expect(terms.has('安全生产')).toBe(true);
    expect([...terms].some((t) => t.includes('请示') || t.includes('关于') || /\d/.test(t))).toBe(false);
  });

  it('removes the longest 文种 label first, so nothing of 会议纪要 is left', () => {
    expect(titleTerms('办公会议纪要', ['纪要', '会议纪要', '办公会议纪要']).size).toBe(0);
  });
});

describe('proposing rules from settled review items', () => {
  it('proposes one rule when three 请示 about the same subject were all filed 永久, with the documents it decides', () => {
    const docs = [settled('关于申请安全生产检查经费的请示', Y), settled('关于安全生产专项整治工作的请示', Y), settled('关于开展安全生产月活动的请示', Y)];
    const [proposal, ...more] = proposeRules(schedule, docs);
    expect(more).toEqual([]);
    expect(proposal!.rule).toMatchObject({ outcome: 'FILE', retention: 'Y', category: 'WS', when: { documentType: ['请示'], issuerRelation: ['本机关'], titleMatches: ['安全生产'] } });
    expect(proposal!.rule.id).toMatch(/^LEARNED-[0-9a-f]{16}$/);
    expect(proposal!.ingestIds).toEqual(docs.map((d) => d.ingestId));
    // Above the REVIEW rule that held them, so it decides them.
    expect(proposal!.rule.priority).toBe(301);
    expect(proposal!.rule.explain).toContain('安全生产');
    // People chose the REVIEW rule's 重要问题 candidate every time: the rule cites its item.
    expect(proposal!.rule.basis).toEqual(['第七条（四）']);
    expect(proposal!.rule.explain).toMatch(/（重要问题）$/);
    for (const d of docs) expect(classify({ data: d.data, components: d.components }, { ...schedule, rules: [...schedule.rules, proposal!.rule] })).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: [proposal!.rule.id] });
  });

  it('proposes nothing below the threshold, and honours a threshold of its own', () => {
    const docs = [settled('关于安全生产检查经费的请示', Y), settled('关于安全生产整治的请示', Y)];
    expect(proposeRules(schedule, docs)).toEqual([]);
    expect(proposeRules(schedule, docs, { minItems: 2 })).toHaveLength(1);
  });

  it('counts a 文种 variant (请示件) as the statutory 文种', () => {
    const docs = [settled('关于安全生产经费的请示', Y), settled('关于安全生产整治的请示件', Y, { documentType: '请示件' }), settled('关于安全生产培训的请示', Y)];
    expect(proposeRules(schedule, docs)[0]!.rule.when.documentType).toEqual(['请示']);
  });

  it('does not group documents settled differently, and never proposes a rule that would decide one of them the other way', () => {
    const docs = [
      settled('关于安全生产检查经费的请示', Y, { departmentCode: 'BGS' }),
      settled('关于安全生产整治的请示', Y, { departmentCode: 'BGS' }),
      settled('关于安全生产培训的请示', Y, { departmentCode: 'BGS' }),
      settled('关于安全生产宣传品采购的请示', D10, { departmentCode: 'CWK' }),
    ];
    const [proposal] = proposeRules(schedule, docs);
    // "安全生产" alone would also decide the D10 one: the shared department keeps them apart.
    expect(proposal!.rule.when).toMatchObject({ titleMatches: ['安全生产'], department: ['BGS'] });
    expect(proposal!.ingestIds).toHaveLength(3);
  });

  it('never overrules a settlement the schedule already agrees with', () => {
    // A 请示 filed 定期10年 by a person, which a later schedule change already decides that way, still counts.
    const agreeing = { ...schedule, rules: [...schedule.rules, { id: 'D10-PUBLICITY', priority: 400, outcome: 'FILE' as const, retention: 'D10' as const, explain: '宣传品定期10年', when: { titleMatches: ['宣传'] } }] };
    const docs = [settled('关于安全生产经费的请示', Y), settled('关于安全生产整治的请示', Y), settled('关于安全生产培训的请示', Y), settled('关于安全生产宣传的请示', D10)];
    expect(proposeRules(agreeing, docs)).toEqual([]);
  });

  it('gives up rather than guess when nothing keeps the two settlements apart', () => {
    const docs = [settled('关于安全生产经费的请示', Y), settled('关于安全生产整治的请示', Y), settled('关于安全生产培训的请示', Y), settled('关于安全生产宣传的请示', D10)];
    expect(proposeRules(schedule, docs)).toEqual([]);
  });

  it('learns exclusions too', () => {
    const docs = [settled('关于借用会议室的请示', { outcome: 'EXCLUDE' }), settled('关于借用会议室投影仪的请示', { outcome: 'EXCLUDE' }), settled('关于借用会议室音响的请示', { outcome: 'EXCLUDE' })];
    const [proposal] = proposeRules(schedule, docs);
    expect(proposal!.rule).toMatchObject({ outcome: 'EXCLUDE', when: { titleMatches: ['借用会议室'] } });
    expect(proposal!.rule.retention).toBeUndefined();
    expect(proposal!.rule.basis).toBeUndefined();
  });

  it('skips documents the schedule already decides as people did, and those held by a finding rather than a rule', () => {
    const letters = ['关于安全生产的函', '关于安全生产培训的函', '关于安全生产检查的函'].map((t) => settled(t, { outcome: 'FILE', category: 'WS', retention: 'D30' }, { documentType: '函' }));
    expect(proposeRules(schedule, letters)).toEqual([]);
    const held = ['关于安全生产经费的请示', '关于安全生产整治的请示', '关于安全生产培训的请示'].map((t) => settled(t, Y, { departmentCode: 'XX' }));
    expect(proposeRules(schedule, held)).toEqual([]);
  });

  it('does not propose a rejected rule again for the same documents, but does when new documents back it', () => {
    const docs = [settled('关于安全生产经费的请示', Y), settled('关于安全生产整治的请示', Y), settled('关于安全生产培训的请示', Y)];
    const [first] = proposeRules(schedule, docs);
    const rejected = [{ key: first!.key, ingestIds: first!.ingestIds }];
    expect(proposeRules(schedule, docs, { rejected })).toEqual([]);
    const more = [...docs, settled('关于安全生产考核的请示', Y)];
    expect(proposeRules(schedule, more, { rejected })[0]).toMatchObject({ key: first!.key, ingestIds: more.map((d) => d.ingestId) });
  });

  it('falls back to 文种 and issuer relation when the titles share no term', () => {
    const docs = [settled('关于购置办公设备的请示', D10, { issuer: { relation: '下级' } }), settled('关于调整作息时间的请示', D10, { issuer: { relation: '下级' } }), settled('关于印制信封信纸的请示', D10, { issuer: { relation: '下级' } })];
    const [proposal] = proposeRules(schedule, docs);
    expect(proposal!.rule.when).toEqual({ documentType: ['请示'], issuerRelation: ['下级'] });
  });
});

describe('the dry run and the new schedule text', () => {
  it('lists each document whose outcome the rule would change, from → to, and no other', () => {
    const docs = [settled('关于安全生产经费的请示', Y), settled('关于安全生产整治的请示', Y), settled('关于安全生产培训的请示', Y)];
    const [proposal] = proposeRules(schedule, docs);
    const year = [
      { title: '关于安全生产大检查的请示', documentType: '请示' }, // REVIEW → FILE Y
      { title: '关于安全生产的函', documentType: '函' }, // another 文种: unchanged
      { title: '关于安全生产经费的请示（修改稿）', documentType: '请示' }, // the draft rule still wins
      { title: '关于购置电脑的请示', documentType: '请示' }, // no term: unchanged
    ].map((o, i) => ({ ingestId: `y-${i}`, documentId: `D-${i}`, title: o.title, input: { data: documentData(o), components: [textComponent()] } }));
    const result = dryRunRule(schedule, proposal!.rule, year);
    expect(result.documents).toBe(4);
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]).toMatchObject({ ingestId: 'y-0', from: { outcome: 'REVIEW', retention: null, ruleIds: ['REVIEW-REQUEST'] }, to: { outcome: 'FILE', category: 'WS', retention: 'Y', ruleIds: [proposal!.rule.id] } });
  });

  it('writes the new version on the agency’s text, comments kept, and it loads as a schedule', () => {
    const docs = [settled('关于安全生产经费的请示', Y), settled('关于安全生产整治的请示', Y), settled('关于安全生产培训的请示', Y)];
    const [proposal] = proposeRules(schedule, docs);
    const next = scheduleTextWithRule(LEARNING_SCHEDULE, proposal!.rule, 't.1+learned.1');
    expect(next.schedule.version).toBe('t.1+learned.1');
    expect(next.schedule.rules.at(-1)).toEqual(proposal!.rule);
    expect(next.text).toContain('# 请示 cannot be told 重要 from 一般 by rules');
    expect(() => scheduleTextWithRule(next.text, proposal!.rule, 't.1+learned.2')).toThrow(/already has a rule/);
  });
});
