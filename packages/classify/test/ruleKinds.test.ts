import { describe, expect, it } from 'vitest';
import { classify, parseSchedule, type RuleConditions } from '../src/index.ts';
import { documentData, textComponent } from './helpers.ts';

/** A schedule with one FILE rule under test, and nothing else. */
function scheduleWith(when: RuleConditions) {
  return parseSchedule(`schema: oa-archive/retention-schedule@1
version: kinds
title: kinds
agency: { name: a, fonds: A1, organisations: { BGS: BGS, CWK: CWK }, unknownDepartment: review }
referenceCode: { template: "{fonds}-{category}·{year}-{retention}-{org}-{item}", itemDigits: 4 }
categories: { default: WS, byMediaKind: { photo: ZP } }
security: { openLevels: [公开] }
duplicates: exclude
findings: { unsafe: quarantine, integrity: review, authenticity: review }
rules:
  - { id: R, priority: 1, outcome: FILE, retention: D30, explain: r, when: ${JSON.stringify(when)} }
`);
}

const base = documentData();
const cases: [string, RuleConditions, Parameters<typeof documentData>[0], Parameters<typeof documentData>[0]][] = [
  ['documentType', { documentType: ['通知', '通报'] }, { documentType: '通报' }, { documentType: '请示' }],
  ['titleMatches', { titleMatches: ['档案.*移交'] }, {}, { title: '关于节约用电的通知' }],
  ['titleNotMatches', { documentType: ['通知'], titleNotMatches: ['征求意见稿'] }, {}, { title: '关于档案移交的通知（征求意见稿）' }],
  ['issuerRelation', { issuerRelation: ['上级'] }, { issuer: { relation: '上级' } }, {}],
  ['issuerMatches', { issuerMatches: ['人民政府办公室$'] }, {}, { issuer: { name: '示范市财政局' } }],
  ['distribution', { distribution: ['普发'] }, {}, { distribution: '抄送' }],
  ['department', { department: ['CWK'] }, { departmentCode: 'CWK' }, {}],
  ['workflowType', { workflowType: ['收文'] }, { workflow: { type: '收文' } }, {}],
  ['urgency', { urgency: ['特急', '加急'] }, { urgency: '加急' }, {}],
  ['hasDocumentNumber', { hasDocumentNumber: false }, { documentNumber: undefined }, {}],
  ['fields', { fields: { 'extra.handling': ['主办'] } }, { extra: { handling: '主办' } }, { extra: { handling: '协办' } }],
];

describe('every condition kind a rule can use', () => {
  it.each(cases)('%s: matches when it holds and not otherwise', (_kind, when, matching, notMatching) => {
    const schedule = scheduleWith(when);
    const yes = classify({ data: documentData(matching), components: [textComponent()] }, schedule);
    const no = classify({ data: documentData(notMatching), components: [textComponent()] }, schedule);
    expect(yes).toMatchObject({ outcome: 'FILE', ruleIds: ['R'] });
    expect(no).toMatchObject({ outcome: 'REVIEW', ruleIds: [] });
  });

  it('mediaKind: matches on the main text’s kind and sets the category by it', () => {
    const schedule = scheduleWith({ mediaKind: ['photo'] });
    const photo = classify({ data: base, components: [{ ...textComponent(), mediaKind: 'photo' }] }, schedule);
    expect(photo).toMatchObject({ outcome: 'FILE', category: 'ZP' });
    expect(classify({ data: base, components: [textComponent()] }, schedule).outcome).toBe('REVIEW');
  });

  it('all conditions of a rule must hold together', () => {
    const schedule = scheduleWith({ documentType: ['通知'], issuerRelation: ['上级'] });
    expect(classify({ data: documentData(), components: [textComponent()] }, schedule).outcome).toBe('REVIEW');
    expect(classify({ data: documentData({ issuer: { relation: '上级' } }), components: [textComponent()] }, schedule).outcome).toBe('FILE');
  });
});
