import { canonicalLabel, documentTypeOf } from './documentTypes.ts';
import type { RetentionSchedule } from './schedule.ts';

/** The 15 文种 of 《党政机关公文处理工作条例》第八条 (GB/T 9704-2012), by the names a schedule's table uses. */
export const STATUTORY_DOCUMENT_TYPES = ['决议', '决定', '命令', '公报', '公告', '通告', '意见', '通知', '通报', '报告', '请示', '批复', '议案', '函', '纪要'] as const;

const known = new WeakMap<RetentionSchedule, Set<string>>();

/**
 * Whether a schedule knows a 文种 label: the label is a name or variant in its `documentTypes` table, or
 * a rule names it. A label it does not know is decided by title and issuer alone, or goes to review;
 * the dry run flags it so the agency adds it to the table.
 */
export function isKnownDocumentType(schedule: RetentionSchedule, label: string): boolean {
  let names = known.get(schedule);
  if (!names) {
    names = new Set();
    for (const [name, variants] of Object.entries(schedule.documentTypes ?? {})) for (const l of [name, ...variants]) names.add(canonicalLabel(l));
    for (const rule of schedule.rules) for (const l of rule.when.documentType ?? []) names.add(documentTypeOf(schedule.documentTypes, l));
    known.set(schedule, names);
  }
  return names.has(documentTypeOf(schedule.documentTypes, label));
}
