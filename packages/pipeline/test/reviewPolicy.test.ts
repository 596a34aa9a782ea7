import { describe, expect, it } from 'vitest';
import { loadSchedule } from '@oa-archive/classify';
import { basisOf, departsFromRule, refusalOf, suggestionOf } from '../src/reviewPolicy.ts';

const schedule = await loadSchedule();
const filingRule = schedule.rules.find((r) => r.outcome === 'FILE' && r.retention === 'D30')!;

describe('the review policy', () => {
  it('suggests the FILE decision a document waiting after conversion or validation already had', () => {
    const s = suggestionOf({ outcome: 'FILE', category: 'WS', retention: 'D10', ruleIds: ['D10-X', 'builtin:duplicate'] }, schedule);
    expect(s).toEqual({ category: 'WS', retention: 'D10', ruleId: 'D10-X' });
  });

  it('suggests the matched filing rule of a document a finding held back, and nothing when no rule decided', () => {
    const s = suggestionOf({ outcome: 'REVIEW', category: null, retention: null, ruleIds: [filingRule.id, 'builtin:integrity:corrupt'] }, schedule);
    expect(s).toEqual({ category: filingRule.category ?? schedule.categories.default, retention: 'D30', ruleId: filingRule.id });
    expect(suggestionOf({ outcome: 'REVIEW', category: null, retention: null, ruleIds: [] }, schedule)).toBeUndefined();
    expect(suggestionOf(undefined, schedule)).toBeUndefined();
  });

  it('asks for a reason and a confirmation when the filing departs from the rule, or no rule suggests one', () => {
    const d30 = { category: 'WS', retention: 'D30' as const, ruleId: filingRule.id };
    expect(departsFromRule({ category: 'WS', retention: 'D30' }, d30)).toBe(false);
    expect(departsFromRule({ category: 'WS', retention: 'Y' }, d30)).toBe(true);
    expect(departsFromRule({ category: 'ZP', retention: 'D30' }, d30)).toBe(true);
    expect(departsFromRule({ category: 'WS', retention: 'D10' }, undefined)).toBe(true);
    expect(refusalOf({ category: 'WS', retention: 'D30' }, d30)).toBeUndefined();
    expect(refusalOf({ category: 'WS', retention: 'Y' }, d30)).toEqual({ code: 'review.needReason', params: { chosen: 'WS · Y', suggested: 'WS · D30' } });
    expect(refusalOf({ category: 'WS', retention: 'Y', note: '  ', confirmed: true }, d30)?.code).toBe('review.needReason');
    expect(refusalOf({ category: 'WS', retention: 'Y', note: '具有长期保存价值' }, d30)?.code).toBe('review.needConfirmation');
    expect(refusalOf({ category: 'WS', retention: 'Y', note: '具有长期保存价值', confirmed: true }, d30)).toBeUndefined();
    expect(refusalOf({ category: 'WS', retention: 'D10' }, undefined)).toEqual({ code: 'review.needReasonNoRule', params: {} });
    expect(refusalOf({ category: 'WS', retention: 'D10', note: '倡议书具有参考价值', confirmed: true }, undefined)).toBeUndefined();
  });

  it('names the basis of a decision: the rule when followed, the person’s note otherwise', () => {
    const d30 = { category: 'WS', retention: 'D30' as const, ruleId: filingRule.id };
    expect(basisOf({ action: 'file', category: 'WS', retention: 'D30', note: '批量：按规则' }, d30)).toEqual({ kind: 'rule', ruleId: filingRule.id });
    expect(basisOf({ action: 'file', category: 'WS', retention: 'Y', note: '具有长期保存价值' }, d30)).toEqual({ kind: 'note', note: '具有长期保存价值' });
    expect(basisOf({ action: 'exclude', note: '重复件' }, d30)).toEqual({ kind: 'note', note: '重复件' });
    expect(basisOf({ action: 'retry' }, d30)).toEqual({ kind: 'rule', ruleId: filingRule.id });
    expect(basisOf({ action: 'file', category: 'WS', retention: 'D10' }, undefined)).toBeUndefined();
  });
});
