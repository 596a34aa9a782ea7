import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { classify, declaredComponentFacts, isKnownDocumentType, previewReferenceCode, type RetentionSchedule } from '@oa-archive/classify';
import { documentFinalizedDataSchema } from '@oa-archive/contracts';

/**
 * The schedule dry run: OA event `data` objects (or whole events, or evaluation-set lines with a
 * `data` member) as JSON lines in, one decision per line out. Touches nothing: no catalog, no
 * numbers taken, so a records officer can try a schedule change on last year's documents first.
 * Formats are taken from the declared media types, since no bytes are read. A 文种 the schedule does
 * not know (neither in its `documentTypes` table nor named by a rule) is flagged on its line and counted.
 */
export async function classifyDryRun(input: Readable, output: Writable, schedule: RetentionSchedule): Promise<{ lines: number; invalid: number; outcomes: Record<string, number>; unknownDocumentTypes: Record<string, number> }> {
  const outcomes: Record<string, number> = {};
  const unknownDocumentTypes: Record<string, number> = {};
  let lines = 0;
  let invalid = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    lines++;
    let result: Record<string, unknown>;
    try {
      const json = JSON.parse(line) as Record<string, unknown>;
      const candidate = json.data !== undefined && typeof json.data === 'object' ? json.data : json;
      const parsed = documentFinalizedDataSchema.safeParse(candidate);
      if (!parsed.success) throw new Error(parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const data = parsed.data;
      const d = classify({ data, components: declaredComponentFacts(data) }, schedule);
      const knownType = isKnownDocumentType(schedule, data.documentType);
      if (!knownType) unknownDocumentTypes[data.documentType] = (unknownDocumentTypes[data.documentType] ?? 0) + 1;
      result = {
        line: lines,
        ...(typeof json.id === 'string' ? { id: json.id } : {}),
        documentId: data.documentId,
        title: data.title,
        outcome: d.outcome,
        ...(d.outcome === 'FILE'
          ? {
              category: d.category,
              retention: d.retention,
              referenceCode: previewReferenceCode(schedule.referenceCode.template, { fonds: schedule.agency.fonds, category: d.category!, year: d.year!, retention: d.retention!, org: d.organisationCode! }, schedule.referenceCode.itemDigits),
            }
          : {}),
        ...(d.candidates ? { candidates: d.candidates } : {}),
        ...(knownType ? {} : { unknownDocumentType: data.documentType }),
        ruleIds: d.ruleIds,
        explanation: d.explanation,
        scheduleVersion: d.scheduleVersion,
      };
      outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
    } catch (error) {
      invalid++;
      result = { line: lines, outcome: 'INVALID', error: (error as Error).message };
    }
    output.write(`${JSON.stringify(result)}\n`);
  }
  return { lines, invalid, outcomes, unknownDocumentTypes };
}
