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
    expect(summary).toEqual({ lines: 2, invalid: 0, outcomes: { FILE: 1, QUARANTINE: 1 } });
  });

  it('reports a line it cannot read and carries on', async () => {
    const { decisions, summary } = await dryRun(['{not json', JSON.stringify({ title: 'x' }), JSON.stringify(exampleDocumentFinalizedEvent.data)]);
    expect(decisions.map((d) => d.outcome)).toEqual(['INVALID', 'INVALID', 'FILE']);
    expect(decisions[1].error).toMatch(/documentId/);
    expect(summary.invalid).toBe(2);
  });
});
