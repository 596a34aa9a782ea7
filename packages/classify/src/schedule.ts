import { z } from 'zod';
import { validateYamlFile, type YamlProblem } from '@oa-archive/config';
import { ACCESS_ROLES } from './access.ts';
import { documentTypeTableProblems } from './documentTypes.ts';
import { REPORTING_PERIODS } from './period.ts';
import { isRegulationItem } from './regulationItems.ts';

/**
 * The retention schedule (归档范围与保管期限表) as an agency edits it: a versioned YAML file.
 * Loading validates it completely and reports every problem with its line.
 */

export const RETENTIONS = ['Y', 'D30', 'D10'] as const;
export type Retention = (typeof RETENTIONS)[number];
export const MEDIA_KINDS = ['text', 'photo', 'audio', 'video', 'archive', 'other'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

const list = z.array(z.string().min(1)).min(1);

const conditionsSchema = z
  .object({
    documentType: list.optional(),
    /** Regular expressions; any one matching the title (题名) is enough. */
    titleMatches: list.optional(),
    /** Regular expressions; none may match the title. */
    titleNotMatches: list.optional(),
    issuerRelation: list.optional(),
    /** Regular expressions on the issuer's name (责任者). */
    issuerMatches: list.optional(),
    distribution: list.optional(),
    department: list.optional(),
    workflowType: list.optional(),
    mediaKind: z.array(z.enum(MEDIA_KINDS)).min(1).optional(),
    urgency: list.optional(),
    hasDocumentNumber: z.boolean().optional(),
    /**
     * The workflow's steps (收文 登记 → 拟办 → 承办 …), as regular expressions: `workflowStepsOnly` — every
     * step's action matches one (a document only registered and read: 登记, 阅知, 传阅); `workflowStepsAny`
     * — some step's action, name or opinion matches (承办, 主办, 协办); `workflowStepsNone` — none does.
     */
    workflowStepsOnly: list.optional(),
    workflowStepsAny: list.optional(),
    workflowStepsNone: list.optional(),
    /** The period a plan, summary, report or statistic covers, read from its title (period.ts). */
    period: z.array(z.enum(REPORTING_PERIODS)).min(1).optional(),
    /** Any other event field by dotted path (e.g. `extra.meetingType`): its value must be one of these. */
    fields: z.record(z.string().min(1), list).optional(),
  })
  .strict();
export type RuleConditions = z.infer<typeof conditionsSchema>;

const ruleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'rule ids use letters, digits, ".", "_" and "-"'),
    priority: z.number().int().min(0).max(10_000),
    outcome: z.enum(['FILE', 'EXCLUDE', 'REVIEW']),
    retention: z.enum(RETENTIONS).optional(),
    category: z.string().regex(/^[A-Z]{2}$/, 'category codes are two capital letters (WS, ZP, LY …)').optional(),
    /** One line a records officer reads in the decision, ideally citing the article. */
    explain: z.string().min(1),
    /** The items of 8号令 the rule applies (regulationItems.ts ids: 第七条（三）, 第四条（二）3, 表4.2 …). */
    basis: list.optional(),
    /**
     * REVIEW only: where 8号令 distinguishes 重要 from 一般 and the event cannot tell which, the
     * dispositions a person chooses between, each with its basis; shown in the decision.
     */
    candidates: z
      .array(
        z
          .object({
            retention: z.enum(RETENTIONS),
            category: z.string().regex(/^[A-Z]{2}$/).optional(),
            basis: list,
            /** e.g. 重要问题 / 一般问题. */
            when: z.string().min(1),
          })
          .strict(),
      )
      .min(2)
      .optional(),
    when: conditionsSchema,
  })
  .strict();
export type Rule = z.infer<typeof ruleSchema>;

const filingDeadlineSchema = z.object({ workingDays: z.number().int().min(0).max(366) }).strict();
const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/**
 * Filing deadlines (归档时间节点): within N working days of finalization (办结), by default, per OA
 * department, per category; where several apply, the earliest deadline holds. Working days are Monday
 * to Friday in the agency's timezone; public holidays count only when listed, and weekend days worked
 * in their place (调休) only when listed as workdays.
 */
const filingSchema = z
  .object({
    timezone: z.string().regex(/^[+-](0\d|1[0-4]):[0-5]\d$/, 'a UTC offset such as +08:00').default('+08:00'),
    default: filingDeadlineSchema.optional(),
    byDepartment: z.record(z.string().min(1), filingDeadlineSchema).default({}),
    byCategory: z.record(z.string().regex(/^[A-Z]{2}$/, 'category codes are two capital letters'), filingDeadlineSchema).default({}),
    holidays: z.array(calendarDate).default([]),
    workdays: z.array(calendarDate).default([]),
  })
  .strict();

export const scheduleSchema = z
  .object({
    schema: z.literal('oa-archive/retention-schedule@1'),
    version: z.string().min(1),
    title: z.string().min(1),
    agency: z
      .object({
        name: z.string().min(1),
        fonds: z.string().regex(/^[A-Z0-9]{1,8}$/, 'fonds (全宗号) is up to 8 capital letters or digits, e.g. A182'),
        /** OA department code → organisation code (机构代码) in the 档号. Empty map: the agency does not classify by organisation. */
        organisations: z.record(z.string().min(1), z.string().regex(/^[A-Z0-9]{1,6}$/)),
        /** A department missing from `organisations` sends the document to review, or files it under this code. */
        unknownDepartment: z.union([z.literal('review'), z.object({ useCode: z.string().regex(/^[A-Z0-9]{1,6}$/) }).strict()]),
        /** OA department code → the department's name, for people (pages, reports); never part of a decision. */
        departmentNames: z.record(z.string().min(1), z.string().min(1)).optional(),
      })
      .strict(),
    referenceCode: z
      .object({
        template: z.string().min(1),
        itemDigits: z.number().int().min(1).max(8),
      })
      .strict(),
    categories: z
      .object({
        default: z.string().regex(/^[A-Z]{2}$/),
        byMediaKind: z.partialRecord(z.enum(MEDIA_KINDS), z.string().regex(/^[A-Z]{2}$/)),
      })
      .strict(),
    /**
     * 密级 field → what happens (access.ts): open levels are filed; restricted levels (内部, which is
     * no 密级) are filed with their content limited to `restrictedAccessRole` and above; quarantined
     * levels (秘密, 机密, 绝密) and any level not listed are quarantined before any rule is consulted.
     */
    security: z
      .object({
        openLevels: list,
        restrictedLevels: z.array(z.string().min(1)).default([]),
        quarantinedLevels: z.array(z.string().min(1)).default([]),
        restrictedAccessRole: z.enum(ACCESS_ROLES).default('admin'),
      })
      .strict(),
    /**
     * 文种 normalisation: statutory name → the labels OA systems use for it. Rules and documents are
     * compared by the statutory name, so `纪要` and `会议纪要` are one 文种 (see documentTypes.ts).
     */
    documentTypes: z.record(z.string().min(1), z.array(z.string().min(1))).optional(),
    /** 8号令 items (regulationItems.ts ids) no rule applies yet → why; listed with the coverage. */
    notCovered: z.record(z.string().min(1), z.string().min(1)).optional(),
    /** 重份: a document whose every component was filed before. */
    duplicates: z.enum(['exclude', 'review', 'file']),
    /** What characterization findings do, by severity. */
    findings: z
      .object({
        unsafe: z.literal('quarantine'),
        integrity: z.enum(['review', 'ignore']),
        authenticity: z.enum(['review', 'ignore']),
      })
      .strict(),
    /** 归档时间节点: how soon after finalization a document is due in the archive (see filing.ts). */
    filing: filingSchema.optional(),
    /** What the AIP carries beside the BagIt bag: `eep` adds metadata/eep.xml, the DA/T 48 EEP (docs/preservation.md). */
    output: z.object({ eep: z.boolean().default(false) }).strict().default({ eep: false }),
    rules: z.array(ruleSchema).min(1),
  })
  .strict();
export type RetentionSchedule = z.infer<typeof scheduleSchema>;
export type FilingSchedule = z.infer<typeof filingSchema>;

export const TEMPLATE_FIELDS = ['fonds', 'category', 'year', 'retention', 'org', 'item'] as const;

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`retention schedule ${source} is not valid:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/** Checks a schema alone cannot: unique ids, valid regular expressions, retention only with FILE, the template. */
function semanticProblems(schedule: RetentionSchedule): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const seen = new Map<string, number>();
  schedule.rules.forEach((rule, i) => {
    const first = seen.get(rule.id);
    if (first !== undefined) problems.push({ path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}" (first used by rule ${first + 1})` });
    seen.set(rule.id, i);
    if (rule.outcome === 'FILE' && !rule.retention) problems.push({ path: ['rules', i], message: `rule ${rule.id} files documents but names no retention (Y, D30 or D10)` });
    if (rule.outcome !== 'FILE' && (rule.retention || rule.category)) {
      problems.push({ path: ['rules', i, rule.retention ? 'retention' : 'category'], message: `rule ${rule.id} has outcome ${rule.outcome}: retention and category apply only to FILE` });
    }
    if (rule.candidates && rule.outcome !== 'REVIEW') problems.push({ path: ['rules', i, 'candidates'], message: `rule ${rule.id} has outcome ${rule.outcome}: candidates are for REVIEW rules only` });
    [...(rule.basis ?? []), ...(rule.candidates ?? []).flatMap((c) => c.basis)].forEach((id) => {
      if (!isRegulationItem(id)) problems.push({ path: ['rules', i, 'basis'], message: `rule ${rule.id} cites "${id}", which is no item of 8号令 known here (第四条（一）1 … 表18, see regulationItems.ts)` });
    });
    if (Object.keys(rule.when).length === 0) problems.push({ path: ['rules', i, 'when'], message: `rule ${rule.id} has no conditions and would match every document` });
    for (const key of ['titleMatches', 'titleNotMatches', 'issuerMatches', 'workflowStepsOnly', 'workflowStepsAny', 'workflowStepsNone'] as const) {
      rule.when[key]?.forEach((pattern, j) => {
        try {
          new RegExp(pattern, 'u');
        } catch (error) {
          problems.push({ path: ['rules', i, 'when', key, j], message: `invalid regular expression: ${(error as Error).message}` });
        }
      });
    }
  });
  const cited = new Set(schedule.rules.flatMap((r) => [...(r.basis ?? []), ...(r.candidates ?? []).flatMap((c) => c.basis)]));
  for (const id of Object.keys(schedule.notCovered ?? {})) {
    if (!isRegulationItem(id)) problems.push({ path: ['notCovered', id], message: `"${id}" is no item of 8号令 known here` });
    else if (cited.has(id)) problems.push({ path: ['notCovered', id], message: `"${id}" is listed as not covered, but a rule cites it in its basis` });
  }
  const levels = new Map<string, string>();
  for (const key of ['openLevels', 'restrictedLevels', 'quarantinedLevels'] as const) {
    schedule.security[key].forEach((level, j) => {
      const first = levels.get(level);
      if (first !== undefined) problems.push({ path: ['security', key, j], message: `密级 ${level} is listed under both ${first} and ${key}; a level has one treatment` });
      levels.set(level, key);
    });
  }
  for (const problem of documentTypeTableProblems(schedule.documentTypes ?? {})) problems.push({ path: ['documentTypes', problem.name], message: problem.message });
  for (const key of ['holidays', 'workdays'] as const) {
    schedule.filing?.[key].forEach((day, j) => {
      const date = new Date(`${day}T00:00:00Z`);
      if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day) problems.push({ path: ['filing', key, j], message: `${day} is not a date of the calendar` });
    });
  }
  const fields = [...schedule.referenceCode.template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
  const unknown = fields.filter((f) => !(TEMPLATE_FIELDS as readonly string[]).includes(f));
  if (unknown.length > 0) problems.push({ path: ['referenceCode', 'template'], message: `unknown placeholder(s) ${unknown.map((f) => `{${f}}`).join(', ')}; use ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(' ')}` });
  if (!fields.includes('item')) problems.push({ path: ['referenceCode', 'template'], message: 'the template must contain {item}' });
  return problems;
}

/** Parses and validates a schedule; `source` names the file in messages. */
export function parseSchedule(text: string, source = 'schedule.yaml'): RetentionSchedule {
  const result = validateYamlFile(source, text, scheduleSchema, { check: semanticProblems, describe, noun: 'schedule' });
  if (!result.ok) throw new ScheduleError(source, result.problems);
  return result.value;
}

// `rules.21.retention` reads better as `rules.21 (D10-NOT-ADOPTED).retention`.
function describe(path: (string | number)[], raw: unknown): string {
  const rules = (raw as { rules?: { id?: unknown }[] } | null)?.rules;
  return (
    path
      .map((p, i) => {
        const id = i === 1 && path[0] === 'rules' && typeof p === 'number' ? rules?.[p]?.id : undefined;
        return typeof id === 'string' ? `${p} (${id})` : String(p);
      })
      .join('.') || '(top)'
  );
}
