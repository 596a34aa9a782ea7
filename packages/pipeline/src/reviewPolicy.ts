import type { ClassificationRecord } from '@oa-archive/catalog';
import type { Retention, RetentionSchedule } from '@oa-archive/classify';
import type { MessageCode, MessageParams } from '@oa-archive/messages';
import type { ReviewBasis } from './operations.ts';

/** What the schedule's own rule would file a waiting document as: the form's preselection, never a blanket 永久. */
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

type Filing = { category: string; retention: Retention };

/**
 * A filing departs from the rule when no rule suggested one, or it takes another category or retention
 * than the rule's: its basis is then the person's written reason, confirmed.
 */
export const departsFromRule = (filing: Filing, suggestion: RuleSuggestion | undefined) =>
  !suggestion || filing.category !== suggestion.category || filing.retention !== suggestion.retention;

/** Why a file decision is refused, as a message code and its parameters; undefined when it may go ahead. */
export function refusalOf(decision: Filing & { note?: string | undefined; confirmed?: boolean | undefined }, suggestion: RuleSuggestion | undefined): { code: MessageCode; params: MessageParams } | undefined {
  if (!departsFromRule(decision, suggestion)) return undefined;
  if (!decision.note?.trim()) {
    return suggestion
      ? { code: 'review.needReason', params: { chosen: `${decision.category} · ${decision.retention}`, suggested: `${suggestion.category} · ${suggestion.retention}` } }
      : { code: 'review.needReasonNoRule', params: {} };
  }
  if (decision.confirmed !== true) return { code: 'review.needConfirmation', params: {} };
  return undefined;
}

/**
 * What a decision rests on: the rule when the person files as it suggests (or retries, keeping the
 * rule's decision, without a note), the person's note otherwise.
 */
export function basisOf(decision: { action: string; category?: string; retention?: Retention; note?: string | undefined }, suggestion: RuleSuggestion | undefined): ReviewBasis | undefined {
  const note = decision.note?.trim();
  if (decision.action === 'file' && suggestion && !departsFromRule(decision as Filing, suggestion)) return { kind: 'rule', ruleId: suggestion.ruleId };
  if (note) return { kind: 'note', note };
  if (decision.action === 'retry' && suggestion) return { kind: 'rule', ruleId: suggestion.ruleId };
  return undefined;
}
