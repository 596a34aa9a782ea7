import { describe, expect, it } from 'vitest';
import type { RebuildSummary } from '@oa-archive/pipeline';
import { progressLine, summaryLines } from '../src/index.ts';

const summary: RebuildSummary = {
  bucket: 'oa-archive',
  anchors: 4,
  auditEvents: 812,
  trailEndsAt: 812,
  filed: 30,
  quarantined: 2,
  counters: 7,
  notRestored: [{ ingestId: 'ing_a', source: 'oa-sim-json', documentId: 'SIM-1-00003', version: 1, lastStatus: 'REVIEW' }],
  filedAfterTrail: [],
  bagsWithoutRecord: [],
  holds: 2,
  dispositionDecisions: 1,
  scheduleVersions: 1,
  scheduleVersionsWithoutText: ['2025.1-default+learned.1'],
  destroyed: [{ ingestId: 'ing_d', referenceCode: 'A182-WS·2010-D10-BGS-0003', at: '2026-03-01T08:00:00.000Z' }],
};

describe('the rebuild summary as a person reads it', () => {
  it('is in Chinese by default, every count and id in place', () => {
    expect(summaryLines(summary, 'zh-CN')).toEqual([
      '审计链：从 s3://oa-archive/audit-anchors/ 的4个锚点重放了812个事件，至第812个事件；最后一个锚点之后的事件从未写入存储，已丢失',
      '从信息包恢复的已归档文件：30；从隔离记录恢复的已隔离文件：2',
      '已设置7个类别的件号计数器（该类下一份文件取下一个件号）',
      '未恢复（不归档、待鉴定、失败或未完成：存储中没有它们的任何内容；请OA重新发送，或执行 archive reconsume）：1',
      '  ing_a  oa-sim-json SIM-1-00003 第1版  最后状态 REVIEW',
      '从审计链恢复的冻结（含已解除）：2；已恢复文件的处置决定：1',
      '从审计链恢复的（由待鉴定学习规则生成的）保管期限表版本：1',
      '未恢复的保管期限表版本（接受时审计链尚未记录其全文；请重新接受这些规则）：2025.1-default+learned.1',
      '已按处置决定销毁（其对象按决定已删除，审计链保留记录）：1',
      '  ing_d  A182-WS·2010-D10-BGS-0003  销毁于 2026-03-01T08:00:00.000Z',
      expect.stringMatching(/^按设计不恢复：/),
    ]);
  });

  it('speaks English when asked, and leaves out what an older rebuild did not record', () => {
    const { holds: _h, dispositionDecisions: _d, scheduleVersions: _s, scheduleVersionsWithoutText: _w, destroyed: _x, ...older } = summary;
    const lines = summaryLines(older, 'en');
    expect(lines[0]).toBe('audit trail: 812 events replayed from 4 anchors in s3://oa-archive/audit-anchors/, up to event 812; events after the last anchor were never in the store and are lost');
    expect(lines.join('\n')).not.toMatch(/holds restored|schedule versions|destroyed by disposition/);
    expect(lines.at(-1)).toMatch(/^not restored by design: /);
  });
});

describe('the rebuild as it goes', () => {
  it('reports each step in the reader’s language', () => {
    expect(progressLine({ step: 'trail', replayedTo: 812, anchor: 812 }, 'zh-CN')).toBe('审计链：已重放至第812个事件（锚点 812）');
    expect(progressLine({ step: 'bags', done: 20, total: 30, restored: 20 }, 'zh-CN')).toBe('信息包 20/30（本次恢复：20）');
    expect(progressLine({ step: 'quarantine', done: 2, total: 2, restored: 2 }, 'zh-CN')).toBe('隔离记录 2/2（本次恢复：2）');
    expect(progressLine({ step: 'counters', classes: 7 }, 'zh-CN')).toBe('件号计数器：7个类别');
    expect(progressLine({ step: 'custody', holds: 2, decisions: 1, scheduleVersions: 1 }, 'zh-CN')).toBe('冻结：2；处置决定：1；保管期限表版本：1');
    expect(progressLine({ step: 'bags', done: 20, total: 30, restored: 20 }, 'en')).toBe('bags 20/30 (restored in this run: 20)');
  });
});
