import { REGULATION_ITEMS, type RegulationItem } from './regulationItems.ts';
import type { RetentionSchedule } from './schedule.ts';

/** Coverage of 8号令 by a schedule: computed from the rules' `basis`, never written by hand. */
export interface RegulationCoverage {
  /** Items at least one rule cites in its basis (or REVIEW candidates), with those rules. */
  covered: { item: RegulationItem; ruleIds: string[] }[];
  /** Items no rule cites, with the schedule's reason (`notCovered`), or none given. */
  uncovered: { item: RegulationItem; reason: string | undefined }[];
}

/** Which items of 8号令 the schedule's rules apply, computed from each rule's `basis` (and its REVIEW candidates'). */
export function regulationCoverage(schedule: RetentionSchedule): RegulationCoverage {
  const rulesOf = new Map<string, string[]>();
  for (const rule of schedule.rules) {
    const cited = new Set([...(rule.basis ?? []), ...(rule.candidates ?? []).flatMap((c) => c.basis)]);
    for (const id of cited) rulesOf.set(id, [...(rulesOf.get(id) ?? []), rule.id]);
  }
  const covered: RegulationCoverage['covered'] = [];
  const uncovered: RegulationCoverage['uncovered'] = [];
  for (const regulationItem of REGULATION_ITEMS) {
    const ruleIds = rulesOf.get(regulationItem.id);
    if (ruleIds) covered.push({ item: regulationItem, ruleIds });
    else uncovered.push({ item: regulationItem, reason: schedule.notCovered?.[regulationItem.id] });
  }
  return { covered, uncovered };
}

/** The coverage list as a Markdown table, for docs/retention-schedule.md (a test keeps the page current). */
export function coverageMarkdown(schedule: RetentionSchedule): string {
  const { covered, uncovered } = regulationCoverage(schedule);
  const byId = new Map(covered.map((c) => [c.item.id, c.ruleIds]));
  const reasonOf = new Map(uncovered.map((u) => [u.item.id, u.reason]));
  const lines = ['| item | says | disposition | rules (schedule ' + schedule.version + ') |', '|---|---|---|---|'];
  for (const i of REGULATION_ITEMS) {
    const rules = byId.get(i.id);
    const cell = rules ? rules.map((r) => `\`${r}\``).join(' ') : `**not covered yet**: ${reasonOf.get(i.id) ?? '(no reason given)'}`;
    lines.push(`| ${i.id} | ${i.text} | ${i.disposition} | ${cell} |`);
  }
  lines.push('', `${covered.length} of ${REGULATION_ITEMS.length} items have a rule; ${uncovered.length} are not covered yet.`);
  return lines.join('\n');
}
