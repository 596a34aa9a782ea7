import { isSeq, parseDocument } from 'yaml';
import { classify, type ClassificationInput, type ClassificationOutcome } from './engine.ts';
import { parseSchedule, ScheduleError, type Retention, type RetentionSchedule, type Rule } from './schedule.ts';

/**
 * What adding one rule to a schedule does: the new schedule's YAML (the agency's file with the rule
 * appended, comments kept), and a dry run over documents the archive holds showing each whose
 * outcome would change, from the schedule as it is to the schedule with the rule. Pure.
 */

export interface Verdict {
  outcome: ClassificationOutcome;
  category: string | null;
  retention: Retention | null;
  ruleIds: string[];
}

export interface DryRunDocument {
  ingestId: string;
  documentId: string;
  title: string;
  input: ClassificationInput;
}

export interface DryRunChange {
  ingestId: string;
  documentId: string;
  title: string;
  from: Verdict;
  to: Verdict;
}

export interface DryRunResult {
  /** Documents the dry run went over. */
  documents: number;
  changes: DryRunChange[];
}

const verdictOf = (d: ReturnType<typeof classify>): Verdict => ({ outcome: d.outcome, category: d.category ?? null, retention: d.retention ?? null, ruleIds: d.ruleIds });
const same = (a: Verdict, b: Verdict) => a.outcome === b.outcome && a.category === b.category && a.retention === b.retention;

/** The schedule with the rule added (its version unchanged: only the decisions are compared). */
export function withRule(schedule: RetentionSchedule, rule: Rule): RetentionSchedule {
  return { ...schedule, rules: [...schedule.rules, rule] };
}

/** Every document whose outcome, category or retention the rule would change. */
export function dryRunRule(schedule: RetentionSchedule, rule: Rule, documents: Iterable<DryRunDocument>): DryRunResult {
  const after = withRule(schedule, rule);
  const changes: DryRunChange[] = [];
  let count = 0;
  for (const doc of documents) {
    count++;
    const from = verdictOf(classify(doc.input, schedule));
    const to = verdictOf(classify(doc.input, after));
    if (!same(from, to)) changes.push({ ingestId: doc.ingestId, documentId: doc.documentId, title: doc.title, from, to });
  }
  return { documents: count, changes };
}

/**
 * The schedule's YAML with `rule` appended to `rules` and `version` set, validated as any schedule
 * file is. Built on the agency's own text, so its comments and layout survive.
 */
export function scheduleTextWithRule(text: string, rule: Rule, version: string, source = 'schedule.yaml'): { text: string; schedule: RetentionSchedule } {
  const doc = parseDocument(text);
  const rules = doc.get('rules');
  if (!isSeq(rules)) throw new ScheduleError(source, ['the schedule has no rules list to add the rule to']);
  if (rules.items.some((r) => (r as { get?: (k: string) => unknown }).get?.('id') === rule.id)) throw new ScheduleError(source, [`the schedule already has a rule ${rule.id}`]);
  const node = doc.createNode(JSON.parse(JSON.stringify(rule)) as Record<string, unknown>);
  node.commentBefore = ` learned from the review queue (${rule.id})`;
  rules.items.push(node);
  doc.set('version', version);
  const out = doc.toString({ lineWidth: 0 });
  return { text: out, schedule: parseSchedule(out, source) };
}
