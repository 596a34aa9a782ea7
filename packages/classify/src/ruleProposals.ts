import { createHash } from 'node:crypto';
import type { DocumentFinalizedData } from '@oa-archive/contracts';
import { documentTypeOf } from './documentTypes.ts';
import { classify, documentMediaKind, matchingRules, type ComponentFacts } from './engine.ts';
import type { Retention, RetentionSchedule, Rule } from './schedule.ts';

/**
 * The review queue teaches the schedule. From documents people settled in review (after classify, so
 * no rule could decide them), finds groups settled the same way that share a small, explainable set
 * of facts (文种 by its statutory name, the issuer's relation, a title term they all contain, the
 * department when it is needed to keep other settlements apart) and proposes the rule that would
 * have decided them, in the schedule's own rule shape. Pure: the caller gathers the settlements.
 *
 * A proposal is only made when at least `minItems` documents back it, when the rule decides every
 * one of them as people did, and when it matches no settled document that people decided otherwise.
 */

/** How a person settled a document: filed in a class, or excluded. */
export type Settlement = { outcome: 'FILE'; category: string; retention: Retention } | { outcome: 'EXCLUDE' };

export interface SettledDocument {
  ingestId: string;
  data: DocumentFinalizedData;
  components: ComponentFacts[];
  settlement: Settlement;
  settledBy: string;
}

export interface RuleProposal {
  /** Identifies the rule by what it says (conditions and outcome), whatever documents back it. */
  key: string;
  rule: Rule;
  settlement: Settlement;
  /** The settled documents the rule would have decided, as people did. */
  ingestIds: string[];
  /** The facts the documents share, for the reader. */
  basis: { documentType: string; issuerRelation: string; titleTerm?: string; department?: string };
}

export interface ProposalOptions {
  /** Documents settled the same way before a rule is proposed (default 3). */
  minItems?: number;
  /**
   * Proposals people rejected, with the documents they were made from: no rule is proposed again from
   * those documents alone, only when documents the rejection did not see back it too.
   */
  rejected?: readonly { key: string; ingestIds: readonly string[] }[];
}

export const DEFAULT_MIN_ITEMS = 3;
export const LEARNED_RULE_PREFIX = 'LEARNED-';

/** Words that join a title and say nothing about its subject. */
const STOP = ['关于', '对于', '有关', '的', '和', '与', '及'];
const MAX_TERM = 8;
const MIN_TERM = 2;

const verdictOf = (s: Settlement) => (s.outcome === 'FILE' ? `FILE/${s.category}/${s.retention}` : 'EXCLUDE');

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');

/**
 * The subject terms of a title: every run of 2–8 characters inside the stretches left once digits,
 * punctuation, joining words and the 文种 labels are taken out. `〔2025〕12号`, `关于`, `的通知` never
 * make two titles alike.
 */
export function titleTerms(title: string, typeLabels: readonly string[]): Set<string> {
  let text = title.normalize('NFKC');
  // Longest labels first, so 会议纪要 goes before 纪要 leaves 会议 behind.
  for (const label of [...typeLabels].sort((a, b) => b.length - a.length)) text = text.replaceAll(label, ' ');
  for (const word of STOP) text = text.replaceAll(word, ' ');
  const stretches = text.split(/[\s\p{P}\p{S}\p{N}A-Za-z]+/u).filter((s) => [...s].length >= MIN_TERM);
  const terms = new Set<string>();
  for (const stretch of stretches) {
    const chars = [...stretch];
    for (let i = 0; i < chars.length; i++) {
      for (let n = MIN_TERM; n <= MAX_TERM && i + n <= chars.length; n++) terms.add(chars.slice(i, i + n).join(''));
    }
  }
  return terms;
}

/** Every 文种 label the schedule knows (names and variants), plus the document's own label. */
function typeLabelsOf(schedule: RetentionSchedule): string[] {
  return Object.entries(schedule.documentTypes ?? {}).flatMap(([name, variants]) => [name, ...variants]);
}

/** The key a rule is known by: a digest of its conditions and outcome (never of its id or wording). */
export function ruleKeyOf(rule: Pick<Rule, 'outcome' | 'retention' | 'category' | 'when'>): string {
  const canonical = JSON.stringify({ outcome: rule.outcome, retention: rule.retention ?? null, category: rule.category ?? null, when: sortKeys(rule.when) });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}

/** Does the rule's `when` hold for this document? (The engine's own matching, with the schedule's 文种 table.) */
function ruleMatches(schedule: RetentionSchedule, rule: Rule, doc: SettledDocument): boolean {
  return matchingRules({ ...schedule, rules: [rule] }, doc.data, documentMediaKind(doc.components)).length > 0;
}

/**
 * The settled documents a rule could teach from: the schedule as it stands would not decide them as
 * people did, and what held them was the rules (no rule, rules in conflict, a rule that asks for
 * review), not a finding, a 密级, a duplicate or a department without a code, which no scope rule
 * changes.
 */
export function teachable(schedule: RetentionSchedule, doc: SettledDocument): boolean {
  const input = { data: doc.data, components: doc.components };
  const now = classify(input, schedule);
  if (verdictOfDecision(now) === verdictOf(doc.settlement)) return false;
  // Would any rule get there? One that matches this document alone and says what people said.
  const s = doc.settlement;
  const probe: Rule = { id: 'probe', priority: 10_000, explain: 'probe', outcome: s.outcome, ...(s.outcome === 'FILE' ? { retention: s.retention, category: s.category } : {}), when: { documentType: [doc.data.documentType] } };
  return verdictOfDecision(classify(input, { ...schedule, rules: [...schedule.rules, probe] })) === verdictOf(s);
}

const verdictOfDecision = (d: ReturnType<typeof classify>) => (d.outcome === 'FILE' ? `FILE/${d.category}/${d.retention}` : d.outcome);

function explainOf(basis: RuleProposal['basis'], settlement: Settlement, count: number): string {
  const facts = [`文种${basis.documentType}`, `责任者关系${basis.issuerRelation}`, ...(basis.titleTerm ? [`题名含“${basis.titleTerm}”`] : []), ...(basis.department ? [`部门${basis.department}`] : [])].join('、');
  const verdict = settlement.outcome === 'FILE' ? `归档，门类${settlement.category}，保管期限${settlement.retention}` : '不归档';
  return `由待鉴定学习：${count}件同类文件（${facts}）经人工鉴定均${verdict}`;
}

/**
 * Proposes rules from settled documents. Within documents settled the same way and sharing 文种 and
 * issuer relation, the title term most of them share (longest first among equally common ones)
 * gathers a group; the group becomes a rule when it is large enough and no differently settled
 * document would match it (the department is added when that separates them). What is left of a
 * partition, when still large enough, may become a rule without a title term.
 */
export function proposeRules(schedule: RetentionSchedule, settled: readonly SettledDocument[], options: ProposalOptions = {}): RuleProposal[] {
  const minItems = Math.max(1, options.minItems ?? DEFAULT_MIN_ITEMS);
  const candidates = settled.filter((d) => teachable(schedule, d));
  const labels = typeLabelsOf(schedule);
  const typeOf = (d: SettledDocument) => documentTypeOf(schedule.documentTypes, d.data.documentType);
  const partitions = Map.groupBy(candidates, (d) => `${verdictOf(d.settlement)}\u0000${typeOf(d)}\u0000${d.data.issuer.relation}`);
  const proposals: RuleProposal[] = [];

  for (const [, members] of [...partitions].sort(([a], [b]) => a.localeCompare(b))) {
    if (members.length < minItems) continue;
    const settlement = members[0]!.settlement;
    // Every settlement counts against a rule, even one the schedule already decides: a learned rule must not overrule a person.
    const others = settled.filter((d) => verdictOf(d.settlement) !== verdictOf(settlement));
    const termsOf = new Map(members.map((d) => [d.ingestId, titleTerms(d.data.title, [...labels, d.data.documentType])]));
    const documentType = typeOf(members[0]!);
    const issuerRelation = members[0]!.data.issuer.relation;
    let remaining = [...members];
    const tried = new Set<string>();

    const attempt = (group: SettledDocument[], titleTerm: string | undefined): RuleProposal | undefined => {
      const departments = [...new Set(group.map((d) => d.data.departmentCode))];
      const variants: (string | undefined)[] = [undefined, ...(departments.length === 1 ? [departments[0]] : [])];
      for (const department of variants) {
        const basis = { documentType, issuerRelation, ...(titleTerm ? { titleTerm } : {}), ...(department ? { department } : {}) };
        const when: Rule['when'] = { documentType: [documentType], issuerRelation: [issuerRelation], ...(titleTerm ? { titleMatches: [escapeRegex(titleTerm)] } : {}), ...(department ? { department: [department] } : {}) };
        const shape = { outcome: settlement.outcome, ...(settlement.outcome === 'FILE' ? { retention: settlement.retention, category: settlement.category } : {}), when };
        const key = ruleKeyOf(shape);
        const rule: Rule = { id: `${LEARNED_RULE_PREFIX}${key}`, priority: 0, explain: '', ...shape };
        if (others.some((d) => ruleMatches(schedule, rule, d))) continue;
        const decided = members.filter((d) => ruleMatches(schedule, rule, d));
        if (decided.length < minItems) return undefined;
        const ingestIds = decided.map((d) => d.ingestId).sort();
        // A person said no to a rule for these documents: no other rule is proposed from them alone.
        if (options.rejected?.some((r) => ingestIds.every((id) => r.ingestIds.includes(id)))) return undefined;
        rule.priority = priorityFor(schedule, decided);
        const cited = basisFromCandidates(schedule, decided, settlement);
        rule.explain = `${explainOf(basis, settlement, decided.length)}${cited ? `（${cited.when}）` : ''}`;
        if (cited) rule.basis = cited.basis;
        return { key, rule, settlement, ingestIds, basis };
      }
      return undefined;
    };

    for (;;) {
      const counts = new Map<string, number>();
      for (const d of remaining) for (const term of termsOf.get(d.ingestId)!) if (!tried.has(term)) counts.set(term, (counts.get(term) ?? 0) + 1);
      const best = [...counts]
        .filter(([, n]) => n >= minItems)
        .sort(([a, n], [b, m]) => m - n || [...b].length - [...a].length || a.localeCompare(b))[0]?.[0];
      if (best === undefined) break;
      tried.add(best);
      const group = remaining.filter((d) => termsOf.get(d.ingestId)!.has(best));
      const proposal = attempt(group, best);
      if (!proposal) continue;
      proposals.push(proposal);
      remaining = remaining.filter((d) => !proposal.ingestIds.includes(d.ingestId));
    }
    if (remaining.length >= minItems) {
      const proposal = attempt(remaining, undefined);
      if (proposal) proposals.push(proposal);
    }
  }
  return proposals;
}

/**
 * The regulation items the learned rule applies: when the 请示 (or 纪要 …) waited on a REVIEW rule
 * whose candidates say which item each disposition rests on, and people chose the same candidate for
 * every document, the rule cites that candidate's basis. None when they did not agree or no
 * candidate names the class people chose.
 */
function basisFromCandidates(schedule: RetentionSchedule, docs: readonly SettledDocument[], settlement: Settlement): { basis: string[]; when: string } | undefined {
  if (settlement.outcome !== 'FILE') return undefined;
  let found: { basis: string[]; when: string } | undefined;
  for (const doc of docs) {
    const held = matchingRules(schedule, doc.data, documentMediaKind(doc.components)).find((r) => r.outcome === 'REVIEW' && r.candidates);
    const candidate = held?.candidates?.find((c) => c.retention === settlement.retention && (!c.category || c.category === settlement.category));
    if (!candidate || (found && found.basis.join('|') !== candidate.basis.join('|'))) return undefined;
    found = candidate;
  }
  return found && { basis: [...found.basis], when: found.when };
}

/**
 * A priority just above every rule that matched the documents today, so the learned rule decides
 * them; never below the lowest rule a document could meet by accident (1).
 */
function priorityFor(schedule: RetentionSchedule, docs: readonly SettledDocument[]): number {
  let top = 0;
  for (const doc of docs) {
    for (const rule of schedule.rules) {
      if (rule.priority >= top && ruleMatches(schedule, rule, doc)) top = rule.priority + 1;
    }
  }
  return Math.min(Math.max(top, 1), 10_000);
}
