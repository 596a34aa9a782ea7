import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentFinalizedData } from '@oa-archive/contracts';
import { classify, isKnownDocumentType, loadSchedule, parseSchedule, STATUTORY_DOCUMENT_TYPES, documentTypeOf, type RetentionSchedule } from '../src/index.ts';
import { documentData, textComponent } from './helpers.ts';

let schedule: RetentionSchedule;
beforeAll(async () => {
  schedule = await loadSchedule();
});

const at = '2025-03-03T09:00:00+08:00';
const steps = (...actions: string[]) => actions.map((action, i) => ({ step: `第${i + 1}步`, actor: '经办人', action, at }));
const incoming = (overrides: Partial<DocumentFinalizedData>, actions: string[]) =>
  classify({ data: documentData({ ...overrides, workflow: { type: '收文', steps: steps(...actions) } }), components: [textComponent()] }, schedule);

describe('facts from the workflow, not only the title', () => {
  const circular = { title: '省政府关于做好2025年冬季安全生产工作的通知', documentType: '通知', issuer: { name: '示范省人民政府', relation: '上级' as const } };

  it('excludes a superior’s 普发 document that was only registered and read (第四条（一）)', () => {
    for (const actions of [['登记', '阅知'], ['签收', '传阅'], ['登记', '传阅', '阅知']]) {
      expect(incoming({ ...circular, distribution: '普发' }, actions)).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['EX-SUPERIOR-READ-ONLY'] });
    }
  });

  it('files the same document when someone handled it (承办/办理)', () => {
    const d = incoming({ ...circular, distribution: '普发' }, ['登记', '拟办', '承办']);
    expect(d.outcome).toBe('FILE');
    expect(d.ruleIds).not.toContain('EX-SUPERIOR-READ-ONLY');
  });

  it('lets relation and distribution decide together: the same read-only steps from a superior’s 主送 are not taken for 普发', () => {
    expect(incoming({ ...circular, distribution: '主送' }, ['登记', '阅知']).ruleIds).not.toContain('EX-SUPERIOR-READ-ONLY');
    // A peer's document read and not acted on needs no implementing here, whatever its distribution (第四条（三）).
    expect(incoming({ ...circular, issuer: { name: '市财政局', relation: '同级' }, distribution: '主送' }, ['登记', '阅知'])).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['EX-PEER-READ-ONLY'] });
    // A subordinate's report sent past its superior is excluded whatever was done with it (第四条（四）).
    expect(incoming({ title: '某街道关于防汛工作的报告', documentType: '报告', issuer: { name: '某街道', relation: '下级' }, distribution: '越级抄报' }, ['登记', '承办'])).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['EX-BYPASS-COPY'] });
  });

  it('reads 主办 and 协办 from the workflow for NPC motions and CPPCC proposals', () => {
    const motion = { title: '代表关于加快老旧小区改造的议案', documentType: '议案', issuer: { name: '市人大代表', relation: '外部' as const } };
    expect(incoming(motion, ['登记', '主办'])).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: ['Y-MOTION-LEAD'] });
    expect(incoming(motion, ['登记', '协办'])).toMatchObject({ outcome: 'FILE', retention: 'D30', ruleIds: ['D30-MOTION-ASSIST'] });
    expect(incoming(motion, ['登记', '办理'])).toMatchObject({ outcome: 'REVIEW', ruleIds: ['R-MOTION'] });
  });
});

describe('年度 and 年度以下 told apart', () => {
  const own = (title: string, documentType = '总结') => classify({ data: documentData({ title, documentType, distribution: undefined }), components: [textComponent()] }, schedule);
  const sub = (title: string, documentType = '总结') => incoming({ title, documentType, issuer: { name: '东城区人民政府办公室', relation: '下级' }, distribution: '主送' }, ['登记', '承办']);

  it('files the agency’s own annual summary 永久 and its half-year, quarterly and monthly ones 定期', () => {
    expect(own('市政府办公室2025年度工作总结')).toMatchObject({ outcome: 'FILE', retention: 'Y' });
    for (const title of ['市政府办公室2025年上半年工作总结', '市政府办公室2025年第三季度工作总结', '市政府办公室2025年11月份工作总结']) {
      expect(own(title)).toMatchObject({ outcome: 'FILE', retention: 'D30', ruleIds: ['D30-OWN-SUBANNUAL'] });
    }
  });

  it('keeps a subordinate’s annual plan or statistics 定期 and leaves out its quarterly and monthly ones (第八条（九）)', () => {
    expect(sub('东城区2025年工作计划', '计划')).toMatchObject({ outcome: 'FILE', retention: 'D10', ruleIds: ['D10-SUB-PLAN'] });
    expect(sub('东城区2025年第二季度统计报表', '统计报表')).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['EX-SUB-SUBANNUAL'] });
    expect(sub('东城区2025年8月份工作总结')).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['EX-SUB-SUBANNUAL'] });
  });
});

describe('precision before coverage: 重要 or 一般 the event cannot tell', () => {
  it('sends the document to review with both candidates, category and retention, in the decision and its explanation', () => {
    const d = classify({ data: documentData({ title: '关于调整机关食堂就餐时间的请示', documentType: '请示', distribution: undefined }), components: [textComponent()] }, schedule);
    expect(d).toMatchObject({
      outcome: 'REVIEW',
      ruleIds: ['Y-OWN-REQUEST'],
      candidates: [
        { category: 'WS', retention: 'Y', basis: ['第七条（四）'], when: '重要问题' },
        { category: 'WS', retention: 'D30', basis: ['第八条（五）'], when: '一般问题' },
      ],
    });
    expect(d.explanation).toContain('候选：重要问题→WS·Y（第七条（四））；一般问题→WS·D30（第八条（五））');
    expect(d.retention).toBeUndefined();
  });

  it('files a superior’s reply 永久 only when its subject says it is important', () => {
    const reply = (title: string) => incoming({ title, documentType: '批复', issuer: { name: '示范省人民政府', relation: '上级' }, distribution: '主送' }, ['登记', '承办']);
    expect(reply('省政府关于同意设立示范市大数据中心的批复')).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: ['Y-SUPERIOR-REPLY-IMPORTANT'] });
    expect(reply('省政府关于同意示范市延期报送年报的批复')).toMatchObject({ outcome: 'REVIEW', ruleIds: ['Y-SUPERIOR-REPLY'], candidates: [{ retention: 'Y' }, { retention: 'D30' }] });
  });
});

describe('文种: the 条例’s fifteen and the common 事务文书', () => {
  it('knows every statutory 文种 by its own name', () => {
    expect(STATUTORY_DOCUMENT_TYPES).toHaveLength(15);
    for (const name of STATUTORY_DOCUMENT_TYPES) {
      expect(documentTypeOf(schedule.documentTypes, name)).toBe(name);
      expect(isKnownDocumentType(schedule, name)).toBe(true);
    }
  });

  it.each([
    ['会议纪要', '纪要'],
    ['令', '命令'],
    ['命令(令)', '命令'],
    ['复函', '函'],
    ['实施意见', '意见'],
    ['工作要点', '计划'],
    ['工作总结', '总结'],
    ['实施方案', '方案'],
    ['统计表', '统计报表'],
    ['讲话稿', '讲话'],
    ['协议书', '协议'],
    ['不动产权证书', '证书'],
    ['群众来信', '来信'],
    ['代表建议', '建议'],
    ['政协提案', '提案'],
  ])('reads %s as %s', (label, name) => {
    expect(documentTypeOf(schedule.documentTypes, label)).toBe(name);
    expect(isKnownDocumentType(schedule, label)).toBe(true);
  });

  it('decides 纪要 and 会议纪要 alike', () => {
    const minutes = (documentType: string) => classify({ data: documentData({ title: '市政府第5次常务会议纪要', documentType }), components: [textComponent()] }, schedule);
    expect(minutes('纪要')).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: ['Y-MINUTES'] });
    expect(minutes('会议纪要')).toMatchObject({ outcome: 'FILE', retention: 'Y', ruleIds: ['Y-MINUTES'] });
  });

  it('does not know a label that is in neither the table nor a rule', () => {
    expect(isKnownDocumentType(schedule, '倡议书')).toBe(false);
    expect(isKnownDocumentType(schedule, '备忘录')).toBe(false);
  });

  it('knows a label once the agency adds it to the table', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../schedules/default.yaml', import.meta.url), 'utf8');
    const extended = parseSchedule(text.replace('  大事记: []\n', '  大事记: []\n  倡议书: [倡议]\n'));
    expect(isKnownDocumentType(extended, '倡议')).toBe(true);
  });
});

describe('read-only is what was done, not what a step is called', () => {
  it('does not take a step named 登记 whose action was 承办 for reading', async () => {
    const schedule = await loadSchedule();
    const data = documentData({
      title: '省政府关于做好2025年冬季安全生产工作的通知',
      documentType: '通知',
      issuer: { name: '示范省人民政府', relation: '上级' },
      distribution: '普发',
      workflow: { type: '收文', steps: [{ step: '收文登记', actor: '文书', action: '登记', at }, { step: '登记后转办', actor: '科长', action: '承办', at }] },
    });
    expect(classify({ data, components: [textComponent()] }, schedule).ruleIds).not.toContain('EX-SUPERIOR-READ-ONLY');
  });
});
