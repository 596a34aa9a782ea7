import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseYamlConfig, type YamlProblem } from '../yamlConfig.ts';
import { COMPONENT_MD5_KEY, DOCUMENT_TARGETS, documentTargetOf, EXTRA_PREFIX, LIST_TARGETS, PACKAGE_FILE_FIELDS, type ValueType } from './targets.ts';

/**
 * A per-source mapping file: how one OA system's own field names become the canonical `data` of
 * `oa.document.finalized`. See docs/oa-integration.md for the language; in short:
 *
 *   format: json | xml
 *   root: 公文                         # where the document is inside the payload (optional)
 *   timezone: '+08:00'                 # for dates sent without an offset
 *   fields:
 *     title: 标题                      # a path in the OA's payload (dots between names, @attr in XML)
 *     issuer.relation: { value: 本机关 }
 *     securityLevel: { from: 密级, map: { 非密: 公开 } }
 *     components: { each: 文件列表.文件, sortBy: 序号, fields: { fileName: 名称, url: 地址 } }
 */

export const MAPPING_SCHEMA_ID = 'oa-archive/gateway-mapping@1';

const NAME = /^(@?[^.@\s][^.]*)$/;
const sourcePath = z
  .string()
  .min(1)
  .refine((p) => p.split('.').every((part) => NAME.test(part)), 'a source path is names separated by dots (an XML attribute as @name), without spaces around them');
const timezone = z.string().regex(/^[+-](0\d|1[0-4]):[0-5]\d$/, 'a UTC offset such as +08:00');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const valueRuleSchema = z
  .object({
    from: sourcePath.optional(),
    /** A constant, for what the OA never sends (every document of this OA is 本机关's own). */
    value: scalar.optional(),
    /** Overrides the kind the target takes (rarely needed: `json` keeps a subtree as it is). */
    type: z.enum(['string', 'integer', 'datetime', 'json']).optional(),
    /** The OA's value → the canonical one (密级 非密 → 公开); values not listed pass unchanged and the contract judges them. */
    map: z.record(z.string(), scalar).optional(),
    /** Used when the OA sends nothing (or an empty string). */
    default: scalar.optional(),
    timezone: timezone.optional(),
  })
  .strict()
  .refine((r) => (r.from === undefined) !== (r.value === undefined), { message: 'give either `from` (a path in the payload) or `value` (a constant), not both' });

export type ValueRule = { kind: 'value'; from?: string; value?: string | number | boolean; type?: ValueType; map?: Record<string, string | number | boolean>; default?: string | number | boolean; timezone?: string };

const pathRule = sourcePath.transform((from): ValueRule => ({ kind: 'value', from }));
const objectRule = valueRuleSchema.transform((r): ValueRule => ({ kind: 'value', ...r }));

/** Parses `input` with `schema` inside a transform, passing its issues on whole (an unknown key keeps its own code, so its line is found). */
function parseWith<T>(schema: z.ZodType<T>, input: unknown, ctx: z.RefinementCtx): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
}

/** A value rule: a path (shorthand) or an object; told apart first so zod's messages name the right keys. */
const itemRule = z.unknown().transform((input, ctx): ValueRule => parseWith(typeof input === 'string' ? pathRule : objectRule, input, ctx));

const listRuleSchema = z
  .object({
    /** The OA's list; one element alone (as XML gives a single child) counts as a list of one. */
    each: sourcePath,
    /** Numeric order of the items (序号); without it the OA's order is kept. */
    sortBy: sourcePath.optional(),
    fields: z.record(z.string().min(1), itemRule),
  })
  .strict()
  .transform((r) => ({ kind: 'list' as const, ...r }));

export type ListRule = z.infer<typeof listRuleSchema>;
export type Rule = ValueRule | ListRule;

const isListRule = (input: unknown) => typeof input === 'object' && input !== null && !Array.isArray(input) && 'each' in input;

const ruleSchema = z.unknown().transform((input, ctx): Rule => (isListRule(input) ? parseWith(listRuleSchema, input, ctx) : parseWith(itemRule, input, ctx)));

export const mappingSchema = z
  .object({
    schema: z.literal(MAPPING_SCHEMA_ID),
    description: z.string().optional(),
    format: z.enum(['json', 'xml']),
    root: sourcePath.optional(),
    timezone: timezone.default('+08:00'),
    /** An empty string from the OA means "not given" (many OA systems send "" for an absent 文号). */
    emptyAsMissing: z.boolean().default(true),
    fields: z.record(z.string().min(1), ruleSchema),
  })
  .strict();

export type Mapping = z.infer<typeof mappingSchema>;

/** What zod cannot say: every target is a field of the contract, every required one has a rule. */
function mappingProblems(mapping: Mapping): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const known = [...Object.keys(DOCUMENT_TARGETS), ...Object.keys(LIST_TARGETS)].join(', ');
  for (const [target, rule] of Object.entries(mapping.fields)) {
    const list = Object.hasOwn(LIST_TARGETS, target) ? LIST_TARGETS[target] : undefined;
    if (list) {
      if (rule.kind !== 'list') {
        problems.push({ path: ['fields', target], message: `${target} is a list: map it with { each: <the OA's list>, fields: { … } }` });
        continue;
      }
      for (const item of Object.keys(rule.fields)) {
        if (!Object.hasOwn(list.items, item)) problems.push({ path: ['fields', target, 'fields', item], message: `${target} items have no field "${item}"; known: ${Object.keys(list.items).join(', ')}` });
      }
      // A package's files are staged by the gateway, which makes their URLs: `path` or `content` stands for `url`.
      const packaged = target === 'components' && PACKAGE_FILE_FIELDS.some((f) => Object.hasOwn(rule.fields, f));
      for (const [item, spec] of Object.entries(list.items)) {
        if (packaged && item === 'url') continue;
        if (spec.required && !Object.hasOwn(rule.fields, item)) problems.push({ path: ['fields', target, 'fields'], message: `no rule for ${target}.${item}, which the contract requires` });
      }
      continue;
    }
    if (rule.kind === 'list') {
      problems.push({ path: ['fields', target], message: `${target} is a single value; \`each\` is only for ${Object.keys(LIST_TARGETS).join(' and ')}` });
    } else if (!documentTargetOf(target)) {
      problems.push({ path: ['fields', target], message: `"${target}" is not a field of the contract; known: ${known}, or ${EXTRA_PREFIX}<name>` });
    } else if (target === `${EXTRA_PREFIX}${COMPONENT_MD5_KEY}`) {
      problems.push({ path: ['fields', target], message: `${target} is where the components' md5 go; map md5 inside components instead` });
    }
  }
  for (const [target, spec] of Object.entries(DOCUMENT_TARGETS)) {
    if (spec.required && !Object.hasOwn(mapping.fields, target)) problems.push({ path: ['fields'], message: `no rule for ${target}, which the contract requires (a constant works: { value: … })` });
  }
  for (const [target, spec] of Object.entries(LIST_TARGETS)) {
    if (spec.required && !Object.hasOwn(mapping.fields, target)) problems.push({ path: ['fields'], message: `no rule for ${target}, which the contract requires` });
  }
  return problems;
}

/** Parses and validates a mapping; `file` names it in messages. Throws YamlConfigError. */
export function parseMapping(text: string, file = 'mapping.yaml'): Mapping {
  return parseYamlConfig('mapping', file, text, mappingSchema, mappingProblems);
}

export async function loadMapping(file: string): Promise<Mapping> {
  return parseMapping(await readFile(file, 'utf8'), path.basename(file));
}
