import { createHash } from 'node:crypto';
import type { SimulatedDocument } from './documents.ts';

const MINUTE = 60_000;
/** Finalized between 10 minutes and 3 days before `now`: recent enough that filing delays mean something. */
const EARLIEST = 10 * MINUTE;
const SPREAD = 72 * 60 * MINUTE;

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/**
 * The document as if finalized shortly before `now`: every date (created, signed, finalized, workflow
 * steps) moves by the same amount, so their order and gaps stay as simulated; how long before `now`
 * follows from the document id, so a run is reproducible for a given `now`. Files are not touched
 * (the file server regenerates them from the id alone).
 */
export function datedBefore(document: SimulatedDocument, now: Date): SimulatedDocument {
  const { data } = document;
  const hash = createHash('sha256').update(`${data.documentId}@${data.version}`).digest().readUInt32BE(0);
  const finalizedAt = now.getTime() - EARLIEST - (hash % SPREAD);
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
