import { createHash } from 'node:crypto';
import type { SimulatedDocument } from './documents.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Finalized between 10 minutes and 3 days before `now`: recent enough that filing delays mean something. */
const EARLIEST = 10 * MINUTE;
const SPREAD = 72 * 60 * MINUTE;

/**
 * Departments that hand their documents over late, as some do in every agency: their documents reach
 * the archive weeks (综合科) or months (人事科) after the workflow ended, so the console's timeliness
 * page and its CSV show a spread, and its deadlines section documents filed late. Days before `now`:
 * at least `minDays`, up to `minDays + spreadDays`.
 */
export const LATE_DEPARTMENTS: Readonly<Record<string, { minDays: number; spreadDays: number }>> = {
  ZHK: { minDays: 14, spreadDays: 35 },
  RSK: { minDays: 45, spreadDays: 90 },
};

/** How long before `now` the document was finalized, from its id alone (and its department's habit). */
function ageOf(documentId: string, version: number, departmentCode: string): number {
  const hash = createHash('sha256').update(`${documentId}@${version}`).digest().readUInt32BE(0);
  const late = LATE_DEPARTMENTS[departmentCode];
  // A fraction of the spread: months of milliseconds exceed the hash's 32 bits.
  return late ? late.minDays * DAY + Math.floor((hash / 2 ** 32) * late.spreadDays * DAY) : EARLIEST + (hash % SPREAD);
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/**
 * The document as if finalized shortly before `now` (weeks or months before, for a late department):
 * every date (created, signed, finalized, workflow steps) moves by the same amount, so their order and
 * gaps stay as simulated; how long before `now` follows from the document id and department, so a run
 * is reproducible for a given `now`. Files are not touched
 * (the file server regenerates them from the id alone).
 */
export function datedBefore(document: SimulatedDocument, now: Date): SimulatedDocument {
  const { data } = document;
  const finalizedAt = now.getTime() - ageOf(data.documentId, data.version, data.departmentCode);
  const shift = finalizedAt - Date.parse(data.dates.finalized);
  const moved = (at: string) => iso(Date.parse(at) + shift);
  return {
    ...document,
    data: {
      ...data,
      dates: { ...data.dates, created: moved(data.dates.created), ...(data.dates.signed ? { signed: moved(data.dates.signed) } : {}), finalized: moved(data.dates.finalized) },
      ...(data.workflow ? { workflow: { ...data.workflow, steps: data.workflow.steps.map((s) => ({ ...s, at: moved(s.at) })) } } : {}),
    },
  };
}
