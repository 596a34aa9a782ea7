import type { ClassificationRecord } from '@oa-archive/catalog';
import type { Retention, RetentionSchedule } from '@oa-archive/classify';
import type { MessageCode, MessageParams } from '@oa-archive/messages';

/** What the schedule's own rule would file a waiting document as: a suggestion, never a preselection. */
export interface RuleSuggestion {
  category: string;
  retention: Retention;
  ruleId: string;
}

/**
 * The rule's suggestion for a document waiting for review: its FILE decision when it had one (it waits
 * after conversion or validation), else the first matched rule of the schedule that files (it was held
 * back by a finding). None when no rule decided.
 */
export function suggestionOf(classification: Pick<ClassificationRecord, 'outcome' | 'category' | 'retention' | 'ruleIds'> | null | undefined, schedule: RetentionSchedule): RuleSuggestion | undefined {
  if (!classification) return undefined;
  const ruleId = classification.ruleIds.find((id) => !id.startsWith('builtin:'));
  if (classification.outcome === 'FILE' && classification.category && classification.retention) {
    return { category: classification.category, retention: classification.retention, ruleId: ruleId ?? classification.ruleIds[0] ?? '—' };
  }
  for (const id of classification.ruleIds) {
    const rule = schedule.rules.find((r) => r.id === id);
    if (rule?.outcome === 'FILE' && rule.retention) return { category: rule.category ?? schedule.categories.default, retention: rule.retention, ruleId: rule.id };
  }
  return undefined;
}

/**
 * A filing that departs from the rule needs a written reason and an explicit confirmation: another
 * retention than the rule's, or 永久 (Y) when the rule did not say so (or said nothing).
 */
export const departsFromRule = (retention: Retention, suggestion: RuleSuggestion | undefined) => (suggestion ? retention !== suggestion.retention : retention === 'Y');

/** Why a file decision is refused, as a message code and its parameters; undefined when it may go ahead. */
export function refusalOf(decision: { retention: Retention; note?: string | undefined; confirmed?: boolean | undefined }, suggestion: RuleSuggestion | undefined): { code: MessageCode; params: MessageParams } | undefined {
  if (!departsFromRule(decision.retention, suggestion)) return undefined;
  if (!decision.note?.trim()) return { code: 'review.needReason', params: { chosen: decision.retention, suggested: suggestion?.retention ?? '—' } };
  if (decision.confirmed !== true) return { code: 'review.needConfirmation', params: {} };
  return undefined;
}
