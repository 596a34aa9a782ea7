import { beforeAll, describe, expect, it } from 'vitest';
import { classify, loadSchedule, parseSchedule, type RetentionSchedule } from '../src/index.ts';
import { documentData, textComponent } from './helpers.ts';

let schedule: RetentionSchedule;
beforeAll(async () => {
  schedule = await loadSchedule();
});

const decide = (data = documentData(), components = [textComponent()]) => classify({ data, components }, schedule);

describe('classification against the default schedule', () => {
  it('files the agency’s own rules permanently, with category, organisation and signing year', () => {
    const d = decide(documentData({ documentType: '办法', title: '示范市机关公文处理办法', dates: { signed: '2024-12-31T16:00:00+08:00' } }));
    expect(d).toMatchObject({ outcome: 'FILE', retention: 'Y', category: 'WS', organisationCode: 'BGS', year: 2024, ruleIds: ['Y-OWN-RULES'], scheduleVersion: '2025.1-default' });
    expect(d.explanation).toMatch(/保管期限Y/);
  });

  it('quarantines the state-secret 密级 (秘密, 机密, 绝密) before looking at rules', () => {
    for (const securityLevel of ['秘密', '机密', '绝密'] as const) {
      expect(decide(documentData({ securityLevel, documentType: '办法' }))).toMatchObject({ outcome: 'QUARANTINE', ruleIds: ['builtin:security-level'] });
    }
  });

  it('files a 内部 document by the rules, as the default schedule lists 内部 as restricted, not secret', () => {
    const d = decide(documentData({ securityLevel: '内部', documentType: '办法' }));
    expect(d).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: ['Y-OWN-RULES'] });
  });

  it('quarantines a document with an unsafe component', () => {
    const components = [textComponent(1), textComponent(2, { findings: [{ code: 'macros', severity: 'unsafe', message: 'contains VBA macros' }] })];
    const d = decide(documentData({ documentType: '办法' }), components);
    expect(d).toMatchObject({ outcome: 'QUARANTINE', ruleIds: ['builtin:unsafe:macros'] });
    expect(d.explanation).toMatch(/组件2.*宏代码/);
  });

  it('excludes drafts by title, whatever else they are', () => {
    expect(decide(documentData({ title: '关于机关公文处理办法（征求意见稿）的通知', documentType: '办法' }))).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['EX-DRAFT'] });
  });

  it('excludes by distribution: 越级抄报 from a subordinate', () => {
    expect(decide(documentData({ issuer: { relation: '下级', name: '某区政府' }, distribution: '越级抄报', documentType: '报告' }))).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['EX-BYPASS-COPY'] });
  });

  it('matches on issuer relation: a superior’s reply on an important matter is permanent, on any other it waits for a person', () => {
    const superior = { name: '示范省人民政府办公厅', relation: '上级' as const };
    expect(decide(documentData({ documentType: '批复', title: '关于同意设立示范市政务服务中心的批复', issuer: superior }))).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: ['Y-SUPERIOR-REPLY-IMPORTANT'] });
    expect(decide(documentData({ documentType: '批复', issuer: superior }))).toMatchObject({ outcome: 'REVIEW', ruleIds: ['Y-SUPERIOR-REPLY'] });
  });

  it('matches on media kind: photos go to ZP, recordings to LY/LX', () => {
    const photo = decide(documentData({ documentType: '照片', title: '2025年档案工作会议照片' }), [{ ...textComponent(), mediaKind: 'photo' }]);
    expect(photo).toMatchObject({ outcome: 'FILE', category: 'ZP', retention: 'Y' });
    const video = decide(documentData({ documentType: '录像', title: '机关运动会录像' }), [{ ...textComponent(), mediaKind: 'video' }]);
    expect(video).toMatchObject({ outcome: 'FILE', category: 'LX', retention: 'D30' });
  });

  it('sends a document no rule decides to review, saying why', () => {
    const d = decide(documentData({ documentType: '倡议书', title: '节约用水倡议书' }));
    expect(d).toMatchObject({ outcome: 'REVIEW', ruleIds: [] });
    expect(d.explanation).toMatch(/没有规则能判定.*倡议书/);
  });

  it('holds a FILE decision for review when a component has an integrity finding', () => {
    const components = [textComponent(1, { findings: [{ code: 'digest-mismatch', severity: 'authenticity', message: 'SHA-256 differs from the OA' }] })];
    expect(decide(documentData({ documentType: '办法' }), components)).toMatchObject({ outcome: 'REVIEW', ruleIds: ['Y-OWN-RULES', 'builtin:authenticity:digest-mismatch'] });
  });

  it('excludes a duplicate (重份) as the schedule says', () => {
    const components = [textComponent(1, { duplicateOf: 'ing_1' }), textComponent(2, { duplicateOf: 'ing_1' })];
    expect(decide(documentData({ documentType: '办法' }), components)).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['Y-OWN-RULES', 'builtin:duplicate'] });
  });

  it('sends a department without an organisation code to review', () => {
    expect(decide(documentData({ documentType: '办法', departmentCode: 'NEW' }))).toMatchObject({ outcome: 'REVIEW', ruleIds: ['Y-OWN-RULES', 'builtin:unknown-department'] });
  });

  it('matches any event field by path', () => {
    const custom = parseSchedule(
      `schema: oa-archive/retention-schedule@1
version: t
title: t
agency: { name: a, fonds: A1, organisations: {}, unknownDepartment: review }
referenceCode: { template: "{fonds}-{category}·{year}-{retention}-{item}", itemDigits: 4 }
categories: { default: WS, byMediaKind: {} }
security: { openLevels: [公开] }
duplicates: review
findings: { unsafe: quarantine, integrity: review, authenticity: review }
rules:
  - { id: R1, priority: 1, outcome: FILE, retention: Y, explain: 党组会, when: { fields: { extra.meetingType: [党组会] } } }
`,
    );
    const withExtra = documentData({ extra: { meetingType: '党组会' } });
    expect(classify({ data: withExtra, components: [textComponent()] }, custom)).toMatchObject({ outcome: 'FILE', retention: 'Y', organisationCode: '' });
    expect(classify({ data: documentData(), components: [textComponent()] }, custom).outcome).toBe('REVIEW');
  });
});

describe('conflict resolution', () => {
  const twoRules = (second: string) =>
    parseSchedule(`schema: oa-archive/retention-schedule@1
version: c
title: c
agency: { name: a, fonds: A1, organisations: { BGS: BGS }, unknownDepartment: review }
referenceCode: { template: "{fonds}-{category}·{year}-{retention}-{org}-{item}", itemDigits: 4 }
categories: { default: WS, byMediaKind: {} }
security: { openLevels: [公开] }
duplicates: exclude
findings: { unsafe: quarantine, integrity: review, authenticity: review }
rules:
  - { id: A, priority: 100, outcome: FILE, retention: Y, explain: a, when: { documentType: [通知] } }
${second}
`);

  it('lets the higher priority win', () => {
    const s = twoRules('  - { id: B, priority: 200, outcome: EXCLUDE, explain: b, when: { titleMatches: ["通知"] } }');
    expect(classify({ data: documentData(), components: [textComponent()] }, s)).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['B'] });
  });

  it('sends equal-priority rules that disagree to review, naming both', () => {
    const s = twoRules('  - { id: B, priority: 100, outcome: FILE, retention: D10, explain: b, when: { titleMatches: ["通知"] } }');
    const d = classify({ data: documentData(), components: [textComponent()] }, s);
    expect(d).toMatchObject({ outcome: 'REVIEW', ruleIds: ['A', 'B'] });
    expect(d.explanation).toMatch(/规则冲突：A（归档·Y）与B（归档·D10）/);
  });

  it('accepts equal-priority rules that agree, recording both', () => {
    const s = twoRules('  - { id: B, priority: 100, outcome: FILE, retention: Y, explain: b, when: { titleMatches: ["通知"] } }');
    expect(classify({ data: documentData(), components: [textComponent()] }, s)).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: ['A', 'B'] });
  });
});

describe('document-level findings', () => {
  it('hold a FILE decision for review when mandatory metadata is missing', () => {
    const d = classify({ data: documentData({ documentType: '办法' }), components: [textComponent()], findings: [{ code: 'missing-metadata', severity: 'integrity', message: '缺少必填元数据：文件编号' }] }, schedule);
    expect(d).toMatchObject({ outcome: 'REVIEW', ruleIds: ['Y-OWN-RULES', 'builtin:integrity:missing-metadata'] });
    expect(d.explanation).toMatch(/文件元数据：缺少必填元数据：文件编号/);
  });
});
