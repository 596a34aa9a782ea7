import type { DocumentFinalizedData } from '@oa-archive/contracts';
import { renderFinding } from '@oa-archive/messages';
import { securityDispositionOf } from './access.ts';
import { documentTypeOf } from './documentTypes.ts';
import { reportingPeriodOf } from './period.ts';
import type { MediaKind, Retention, RetentionSchedule, Rule, RuleConditions } from './schedule.ts';

export type ClassificationOutcome = 'FILE' | 'EXCLUDE' | 'REVIEW' | 'QUARANTINE';

/** What classification knows about one component, from characterization. */
export interface ComponentFacts {
  ordinal: number;
  role: string;
  mediaKind: MediaKind;
  findings: { code: string; severity: 'unsafe' | 'integrity' | 'authenticity' | 'info'; message: string; params?: Record<string, string | number> | undefined }[];
  /** The component's bytes were filed before under another ingest (重份). */
  duplicateOf?: string | undefined;
}

export interface ClassificationInput {
  data: DocumentFinalizedData;
  components: ComponentFacts[];
  /** Findings about the document as a whole, e.g. missing mandatory metadata. */
  findings?: ComponentFacts['findings'];
}

export interface ClassificationDecision {
  outcome: ClassificationOutcome;
  /** FILE only. */
  category?: string;
  retention?: Retention;
  organisationCode?: string;
  /** 年度: the signing date's year (the finalization date's when unsigned). */
  year?: number;
  /** The rules (or built-in checks, prefixed `builtin:`) that decided. */
  ruleIds: string[];
  scheduleVersion: string;
  /** One line a records officer reads. */
  explanation: string;
  /**
   * REVIEW by a rule that names them: the dispositions 8号令 allows (重要 → 永久, 一般 → 定期 …), each with
   * its basis, so the person settling the review chooses between them rather than starting blank.
   */
  candidates?: { category: string; retention: Retention; basis: string[]; when: string }[];
}

const get = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);

/** The document's media kind: its main text's, else its first component's. */
export function documentMediaKind(components: readonly ComponentFacts[]): MediaKind {
  const main = components.find((c) => c.role === '正文') ?? [...components].sort((a, b) => a.ordinal - b.ordinal)[0];
  return main?.mediaKind ?? 'other';
}

// Patterns are compiled once, not once per rule per document (schedule loading has already checked them).
const compiled = new Map<string, RegExp>();
const regex = (pattern: string) => {
  let r = compiled.get(pattern);
  if (!r) compiled.set(pattern, (r = new RegExp(pattern, 'u')));
  return r;
};

function matches(conditions: RuleConditions, data: DocumentFinalizedData, mediaKind: MediaKind, typeOf: (label: string) => string): boolean {
  const oneOf = (allowed: string[] | undefined, value: string | undefined) => !allowed || (value !== undefined && allowed.includes(value));
  const anyRegex = (patterns: string[] | undefined, value: string) => !patterns || patterns.some((p) => regex(p).test(value));
  return (
    oneOf(conditions.documentType?.map(typeOf), typeOf(data.documentType)) &&
    anyRegex(conditions.titleMatches, data.title) &&
    !(conditions.titleNotMatches ?? []).some((p) => regex(p).test(data.title)) &&
    oneOf(conditions.issuerRelation, data.issuer.relation) &&
    anyRegex(conditions.issuerMatches, data.issuer.name) &&
    oneOf(conditions.distribution, data.distribution) &&
    oneOf(conditions.department, data.departmentCode) &&
    oneOf(conditions.workflowType, data.workflow.type) &&
    oneOf(conditions.mediaKind, mediaKind) &&
    oneOf(conditions.urgency, data.urgency) &&
    (conditions.hasDocumentNumber === undefined || conditions.hasDocumentNumber === Boolean(data.documentNumber)) &&
    stepsMatch(conditions, data.workflow.steps) &&
    oneOf(conditions.period, conditions.period && reportingPeriodOf(data.title)) &&
    Object.entries(conditions.fields ?? {}).every(([path, allowed]) => {
      const value = get(data, path);
      return value !== undefined && value !== null && allowed.includes(String(value));
    })
  );
}

/** The workflow conditions: what was done to the document, not what its title says. */
function stepsMatch(conditions: RuleConditions, steps: DocumentFinalizedData['workflow']['steps']): boolean {
  const any = (patterns: string[], texts: (string | undefined)[]) => texts.some((t) => t !== undefined && patterns.some((p) => regex(p).test(t)));
  const { workflowStepsOnly: only, workflowStepsAny: some, workflowStepsNone: none } = conditions;
  // Only the action counts here: a step named 收文登记 whose action was 承办 was not read-only.
  if (only && (steps.length === 0 || !steps.every((s) => any(only, [s.action])))) return false;
  if (some && !steps.some((s) => any(some, [s.action, s.step, s.opinion]))) return false;
  if (none && steps.some((s) => any(none, [s.action, s.step, s.opinion]))) return false;
  return true;
}

/** The rules that match a document, highest priority first (ties in schedule order). */
export function matchingRules(schedule: RetentionSchedule, data: DocumentFinalizedData, mediaKind: MediaKind): Rule[] {
  const typeOf = (label: string) => documentTypeOf(schedule.documentTypes, label);
  return schedule.rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => matches(rule.when, data, mediaKind, typeOf))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index)
    .map(({ rule }) => rule);
}

/**
 * Decides one document against the schedule. Pure: same input and schedule, same decision.
 * Order of precedence: 密级 and unsafe components (QUARANTINE) before the scope rules; among the
 * rules the highest priority decides, and rules of equal priority that disagree send the document to
 * review instead of one winning by accident; integrity and authenticity findings hold a FILE
 * decision for review; a document filed before (重份) is handled as the schedule says.
 */
export function classify(input: ClassificationInput, schedule: RetentionSchedule): ClassificationDecision {
  const { data } = input;
  // Document-level findings count as those of a pseudo-component 0, so one path handles both.
  const components = input.findings?.length ? [...input.components, { ordinal: 0, role: '文件', mediaKind: 'other' as const, findings: input.findings }] : input.components;
  const base = { scheduleVersion: schedule.version };

  // 内部 and other restricted levels are filed (with their use restricted, see access.ts); only the
  // quarantined levels, and levels the schedule does not know, stay out of the archive.
  const security = securityDispositionOf(schedule.security, data.securityLevel);
  if (security.kind === 'quarantine') {
    const why = security.listed ? '不进入档案库，隔离保存待涉密载体管理' : '保管期限表未列此密级，按涉密隔离保存，请核查';
    return { ...base, outcome: 'QUARANTINE', ruleIds: ['builtin:security-level'], explanation: `密级为${data.securityLevel}，${why}` };
  }
  const unsafe = components.flatMap((c) => c.findings.filter((f) => f.severity === 'unsafe').map((f) => ({ c, f })));
  if (unsafe.length > 0) {
    const first = unsafe[0]!;
    return {
      ...base,
      outcome: 'QUARANTINE',
      ruleIds: [...new Set(unsafe.map(({ f }) => `builtin:unsafe:${f.code}`))],
      explanation: `${where(first.c.ordinal)}存在安全风险（${renderFinding(first.f, 'zh-CN')}）${unsafe.length > 1 ? `等${unsafe.length}项` : ''}，隔离待查`,
    };
  }

  const mediaKind = documentMediaKind(input.components);
  const matched = matchingRules(schedule, data, mediaKind);
  if (matched.length === 0) {
    return { ...base, outcome: 'REVIEW', ruleIds: [], explanation: `归档范围表中没有规则能判定此文件（文种：${typeLabel(schedule, data.documentType)}，责任者关系：${data.issuer.relation}），请人工鉴定` };
  }
  const top = matched.filter((r) => r.priority === matched[0]!.priority);
  const verdict = (r: Rule) => `${r.outcome}/${r.retention ?? ''}/${r.category ?? ''}`;
  if (new Set(top.map(verdict)).size > 1) {
    return {
      ...base,
      outcome: 'REVIEW',
      ruleIds: top.map((r) => r.id),
      explanation: `规则冲突：${top.map((r) => `${r.id}（${r.outcome === 'FILE' ? `归档·${r.retention}` : r.outcome === 'EXCLUDE' ? '不归档' : '待鉴定'}）`).join('与')}优先级相同而结论不同，请人工鉴定`,
    };
  }
  const rule = top[0]!;
  const ruleIds = top.map((r) => r.id);
  if (rule.outcome === 'EXCLUDE') return { ...base, outcome: 'EXCLUDE', ruleIds, explanation: `不归档：${rule.explain}` };
  if (rule.outcome === 'REVIEW') {
    if (!rule.candidates) return { ...base, outcome: 'REVIEW', ruleIds, explanation: `待鉴定：${rule.explain}` };
    const category = schedule.categories.byMediaKind[mediaKind] ?? schedule.categories.default;
    const candidates = rule.candidates.map((c) => ({ category: c.category ?? category, retention: c.retention, basis: c.basis, when: c.when }));
    const listed = candidates.map((c) => `${c.when}→${c.category}·${c.retention}（${c.basis.join('、')}）`).join('；');
    return { ...base, outcome: 'REVIEW', ruleIds, candidates, explanation: `待鉴定：${rule.explain}。候选：${listed}` };
  }

  const held = components.flatMap((c) =>
    c.findings.filter((f) => (f.severity === 'integrity' && schedule.findings.integrity === 'review') || (f.severity === 'authenticity' && schedule.findings.authenticity === 'review')).map((f) => ({ c, f })),
  );
  if (held.length > 0) {
    return {
      ...base,
      outcome: 'REVIEW',
      ruleIds: [...ruleIds, ...new Set(held.map(({ f }) => `builtin:${f.severity}:${f.code}`))],
      explanation: `按${rule.id}应归档，但${where(held[0]!.c.ordinal)}：${renderFinding(held[0]!.f, 'zh-CN')}${held.length > 1 ? `（共${held.length}项问题）` : ''}，请人工核实`,
    };
  }
  if (input.components.length > 0 && input.components.every((c) => c.duplicateOf)) {
    const explanation = `重份：全部组件与已归档文件（${input.components[0]!.duplicateOf}）相同`;
    if (schedule.duplicates === 'exclude') return { ...base, outcome: 'EXCLUDE', ruleIds: [...ruleIds, 'builtin:duplicate'], explanation: `不归档：${explanation}` };
    if (schedule.duplicates === 'review') return { ...base, outcome: 'REVIEW', ruleIds: [...ruleIds, 'builtin:duplicate'], explanation: `${explanation}，请人工核实` };
  }

  const organisationCode = organisationOf(schedule, data.departmentCode);
  if (organisationCode === undefined) {
    return { ...base, outcome: 'REVIEW', ruleIds: [...ruleIds, 'builtin:unknown-department'], explanation: `部门${data.departmentCode}在归档范围表中没有机构代码，请补充后再归档` };
  }
  const category = rule.category ?? schedule.categories.byMediaKind[mediaKind] ?? schedule.categories.default;
  const year = Number((data.dates.signed ?? data.dates.finalized).slice(0, 4));
  return { ...base, outcome: 'FILE', category, retention: rule.retention!, organisationCode, year, ruleIds, explanation: `归档，保管期限${rule.retention}：${rule.explain}` };
}

/** The 文种 as sent, with the statutory name it was read as when that differs. */
const typeLabel = (schedule: RetentionSchedule, label: string) => {
  const name = documentTypeOf(schedule.documentTypes, label);
  return name === label ? label : `${label}，按${name}`;
};

const where = (ordinal: number) => (ordinal === 0 ? '文件元数据' : `组件${ordinal}`);

function organisationOf(schedule: RetentionSchedule, department: string): string | undefined {
  const { organisations, unknownDepartment } = schedule.agency;
  if (Object.keys(organisations).length === 0) return '';
  return organisations[department] ?? (unknownDepartment === 'review' ? undefined : unknownDepartment.useCode);
}
