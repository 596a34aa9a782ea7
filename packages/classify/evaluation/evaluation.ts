import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { documentFinalizedDataSchema, type DocumentFinalizedData } from '@oa-archive/contracts';
import { classify, declaredComponentFacts, securityDispositionOf, type ClassificationOutcome, type RetentionSchedule } from '../src/index.ts';

export interface LabelledDocument {
  id: string;
  data: DocumentFinalizedData;
  expected: { outcome: ClassificationOutcome; retention?: string; category?: string };
  why: string;
}

export const EVALUATION_SET = path.join(import.meta.dirname, 'documents.jsonl');

export async function loadEvaluationSet(file = EVALUATION_SET): Promise<LabelledDocument[]> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim());
  return lines.map((line, i) => {
    const raw = JSON.parse(line) as LabelledDocument;
    const data = documentFinalizedDataSchema.safeParse(raw.data);
    if (!data.success) throw new Error(`${path.basename(file)}:${i + 1} (${raw.id}): data is not a valid event: ${data.error.message}`);
    return { ...raw, data: data.data };
  });
}

export interface EvaluationResult {
  id: string;
  expected: LabelledDocument['expected'];
  actual: { outcome: ClassificationOutcome; retention?: string; category?: string; ruleIds: string[]; explanation: string };
  correct: boolean;
  title: string;
  why: string;
}

/**
 * The three figures, never one: right; sent to review though the label decides it; filed, but not as
 * labelled (wrong retention or category, or filed when the label excludes it or sends it to review),
 * the one that must be near zero. `otherWrong` is the rest (excluded or quarantined against the label),
 * so the four add up to the documents scored.
 */
export interface EvaluationFigures {
  total: number;
  right: number;
  toReview: number;
  filedWrong: number;
  otherWrong: number;
}

export interface EvaluationOptions {
  /**
   * A set written for another agency uses department codes this schedule does not map; which codes an
   * agency has is its own configuration, not scope or retention, so such a set is evaluated as if every
   * department were mapped. Nothing else about the decision changes.
   */
  anyDepartment?: boolean;
}

export interface EvaluationReport {
  results: EvaluationResult[];
  figures: EvaluationFigures;
  accuracy: number;
  perOutcome: Record<string, { total: number; correct: number }>;
  classifiedOutsideQuarantine: EvaluationResult[];
  excludedFiledPermanently: EvaluationResult[];
  meetsTargets: boolean;
}

/** A decision is correct when outcome, and for FILE retention and category, agree with the label. */
export function evaluate(set: LabelledDocument[], schedule: RetentionSchedule, options: EvaluationOptions = {}): EvaluationReport {
  if (options.anyDepartment) schedule = { ...schedule, agency: { ...schedule.agency, unknownDepartment: { useCode: 'ZZZ' } } };
  // The sets carry no bytes. In the pipeline a 重份 is found by its SM3/SHA-256 matching a filed
  // component; here a document repeating an earlier one's 文号 and 题名 stands in for that.
  const seen = new Map<string, string>();
  const results = set.map((doc): EvaluationResult => {
    const key = doc.data.documentNumber ? `${doc.data.documentNumber}\0${doc.data.title}` : undefined;
    const duplicateOf = key ? seen.get(key) : undefined;
    if (key && !duplicateOf) seen.set(key, doc.id);
    const components = declaredComponentFacts(doc.data).map((c) => ({ ...c, duplicateOf }));
    const d = classify({ data: doc.data, components }, schedule);
    const actual = { outcome: d.outcome, ...(d.retention ? { retention: d.retention } : {}), ...(d.category ? { category: d.category } : {}), ruleIds: d.ruleIds, explanation: d.explanation };
    const correct =
      actual.outcome === doc.expected.outcome &&
      (doc.expected.outcome !== 'FILE' || (actual.retention === doc.expected.retention && actual.category === doc.expected.category));
    return { id: doc.id, expected: doc.expected, actual, correct, title: doc.data.title, why: doc.why };
  });
  const perOutcome: EvaluationReport['perOutcome'] = {};
  for (const r of results) {
    const bucket = (perOutcome[r.expected.outcome] ??= { total: 0, correct: 0 });
    bucket.total++;
    if (r.correct) bucket.correct++;
  }
  const secret = new Set(set.filter((d) => securityDispositionOf(schedule.security, d.data.securityLevel).kind === 'quarantine').map((d) => d.id));
  const classifiedOutsideQuarantine = results.filter((r) => secret.has(r.id) && r.actual.outcome !== 'QUARANTINE');
  const excludedFiledPermanently = results.filter((r) => r.expected.outcome === 'EXCLUDE' && r.actual.outcome === 'FILE' && r.actual.retention === 'Y');
  const accuracy = results.filter((r) => r.correct).length / results.length;
  const wrong = results.filter((r) => !r.correct);
  const toReview = wrong.filter((r) => r.actual.outcome === 'REVIEW').length;
  const filedWrong = wrong.filter((r) => r.actual.outcome === 'FILE').length;
  const figures = { total: results.length, right: results.length - wrong.length, toReview, filedWrong, otherWrong: wrong.length - toReview - filedWrong };
  return {
    results,
    figures,
    accuracy,
    perOutcome,
    classifiedOutsideQuarantine,
    excludedFiledPermanently,
    meetsTargets: accuracy >= 0.95 && classifiedOutsideQuarantine.length === 0 && excludedFiledPermanently.length === 0,
  };
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const verdict = (v: { outcome: string; retention?: string; category?: string }) => (v.outcome === 'FILE' ? `FILE ${v.category ?? '?'}·${v.retention ?? '?'}` : v.outcome);

export function formatReport(report: EvaluationReport, options: { verbose: boolean }): string {
  const lines = [`evaluation set: ${report.results.length} hand-labelled documents`, ''];
  lines.push('outcome      correct / labelled   accuracy');
  for (const [outcome, { total, correct }] of Object.entries(report.perOutcome).sort()) {
    lines.push(`${outcome.padEnd(12)} ${String(correct).padStart(7)} / ${String(total).padEnd(10)} ${pct(correct / total)}`);
  }
  lines.push(`${'overall'.padEnd(12)} ${String(report.figures.right).padStart(7)} / ${String(report.figures.total).padEnd(10)} ${pct(report.accuracy)}   (target ≥ 95%)`);
  const f = report.figures;
  lines.push(`right ${f.right} (${pct(f.right / f.total)}) · sent to review ${f.toReview} (${pct(f.toReview / f.total)}) · filed wrongly ${f.filedWrong} (${pct(f.filedWrong / f.total)}) · other wrong ${f.otherWrong}`);
  lines.push(`密级 documents outside QUARANTINE: ${report.classifiedOutsideQuarantine.length} (target 0)`);
  lines.push(`clear 不归档 documents filed as 永久: ${report.excludedFiledPermanently.length} (target 0)`);
  const wrong = report.results.filter((r) => !r.correct);
  if (wrong.length > 0) {
    lines.push('', 'disagreements (label → classifier):');
    for (const r of wrong) {
      lines.push(`  ${r.id} ${r.title}`);
      lines.push(`      ${verdict(r.expected)} → ${verdict(r.actual)}  [${r.actual.ruleIds.join(', ') || 'no rule'}]`);
      if (options.verbose) lines.push(`      label: ${r.why}`, `      classifier: ${r.actual.explanation}`);
    }
  }
  lines.push('', report.meetsTargets ? 'targets met' : 'TARGETS MISSED');
  return `${lines.join('\n')}\n`;
}
