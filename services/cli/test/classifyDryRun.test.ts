import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSchedule, type RetentionSchedule } from '@oa-archive/classify';
import { exampleDocumentFinalizedEvent } from '@oa-archive/contracts';
import { classifyDryRun } from '../src/commands/classifyDryRun.ts';

let schedule: RetentionSchedule;
beforeAll(async () => {
  schedule = await loadSchedule();
});

async function dryRun(lines: string[]) {
  const output = new PassThrough();
  const collected = text(output);
  const summary = await classifyDryRun(Readable.from(lines.map((l) => `${l}\n`)), output, schedule);
  output.end();
  return { summary, decisions: (await collected).trim().split('\n').map((l) => JSON.parse(l)) };
}

describe('archive classify (schedule dry run)', () => {
  it('writes one decision per document with a reference-code preview, without numbering anything', async () => {
    const data = { ...exampleDocumentFinalizedEvent.data, documentType: '办法', title: '示范市机关公文处理办法' };
    const { decisions, summary } = await dryRun([JSON.stringify(data), JSON.stringify({ ...exampleDocumentFinalizedEvent, data: { ...data, securityLevel: '秘密' } })]);
    expect(decisions[0]).toMatchObject({ line: 1, outcome: 'FILE', category: 'WS', retention: 'Y', referenceCode: 'A182-WS·2025-Y-BGS-????', ruleIds: ['Y-OWN-RULES'], scheduleVersion: '2025.1-default' });
    expect(decisions[0].explanation).toMatch(/保管期限Y/);
    expect(decisions[1]).toMatchObject({ line: 2, outcome: 'QUARANTINE', ruleIds: ['builtin:security-level'] });
    expect(summary).toEqual({ lines: 2, invalid: 0, outcomes: { FILE: 1, QUARANTINE: 1 }, unknownDocumentTypes: {} });
  });

  it('flags a 文种 the schedule does not know, and reads the statutory names and their variants as known', async () => {
    const as = (documentType: string, title: string) => JSON.stringify({ ...exampleDocumentFinalizedEvent.data, documentType, title });
    const { decisions, summary } = await dryRun([as('倡议书', '关于节约用水的倡议书'), as('纪要', '市政府第3次常务会议纪要'), as('会议纪要', '市政府第4次常务会议纪要'), as('令', '示范市人民政府令第2号'), as('倡议书', '关于文明出行的倡议书')]);
    expect(decisions.map((d) => d.unknownDocumentType)).toEqual(['倡议书', undefined, undefined, undefined, '倡议书']);
    expect(summary.unknownDocumentTypes).toEqual({ 倡议书: 2 });
  });

  it('shows both candidates when the rules send a document to review between 重要 and 一般', async () => {
    const { decisions } = await dryRun([JSON.stringify({ ...exampleDocumentFinalizedEvent.data, documentType: '请示', title: '关于调整机关食堂开放时间的请示' })]);
    expect(decisions[0]).toMatchObject({ outcome: 'REVIEW', candidates: [{ retention: 'Y', basis: ['第七条（四）'] }, { retention: 'D30', basis: ['第八条（五）'] }] });
  });

  it('reports a line it cannot read and carries on', async () => {
    const { decisions, summary } = await dryRun(['{not json', JSON.stringify({ title: 'x' }), JSON.stringify(exampleDocumentFinalizedEvent.data)]);
    expect(decisions.map((d) => d.outcome)).toEqual(['INVALID', 'INVALID', 'FILE']);
    expect(decisions[1].error).toMatch(/documentId/);
    expect(summary.invalid).toBe(2);
  });
});
