import { describe, expect, it } from 'vitest';
import { loadSchedule } from '@oa-archive/classify';
import { departsFromRule, refusalOf, suggestionOf } from '../src/reviewPolicy.ts';

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

  it('asks for a reason and a confirmation when the retention departs from the rule, or is 永久 without a rule saying so', () => {
    const d30 = { category: 'WS', retention: 'D30' as const, ruleId: filingRule.id };
    expect(departsFromRule('D30', d30)).toBe(false);
    expect(departsFromRule('Y', d30)).toBe(true);
    expect(departsFromRule('D10', undefined)).toBe(false);
    expect(departsFromRule('Y', undefined)).toBe(true);
    expect(refusalOf({ retention: 'D30' }, d30)).toBeUndefined();
    expect(refusalOf({ retention: 'Y' }, d30)).toEqual({ code: 'review.needReason', params: { chosen: 'Y', suggested: 'D30' } });
    expect(refusalOf({ retention: 'Y', note: '  ' , confirmed: true }, d30)?.code).toBe('review.needReason');
    expect(refusalOf({ retention: 'Y', note: '具有长期保存价值' }, d30)?.code).toBe('review.needConfirmation');
    expect(refusalOf({ retention: 'Y', note: '具有长期保存价值', confirmed: true }, d30)).toBeUndefined();
  });
});
