import type { Clients } from './clients.ts';
import { SETTLED_STATUSES } from './facts.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits, without a person, until every published document has a settled ingest and no stage job is
 * left, or until nothing has happened in the catalog for `stallMs` (no audit event: nothing will move
 * by itself any more), or `timeoutMs` has passed. Says which.
 */
export async function settle(clients: Clients, options: { documentIds: string[]; timeoutMs: number; stallMs: number }): Promise<{ settled: boolean; how: string }> {
  const began = Date.now();
  let lastActivity = began;
  let lastSeq: string | null = null;
  let last = { settled: 0, backlog: Number.NaN };
  const expected = options.documentIds.length;
  for (;;) {
    try {
      const { rows } = await clients.pool.query<{ settled: number; seq: string | null }>(
        `SELECT (SELECT count(*)::int FROM ingests WHERE document_id = ANY($1) AND status = ANY($2)) AS settled,
                (SELECT max(seq)::text FROM audit_events) AS seq`,
        [options.documentIds, SETTLED_STATUSES],
      );
      const backlog = await clients.queues.backlog();
      last = { settled: rows[0]!.settled, backlog };
      if (rows[0]!.seq !== lastSeq) {
        lastSeq = rows[0]!.seq;
        lastActivity = Date.now();
      }
      if (last.settled === expected && backlog === 0) {
        return { settled: true, how: `all ${expected} documents settled ${((Date.now() - began) / 1000).toFixed(1)} s after publishing and faults ended` };
      }
    } catch {
      // a part is still coming back; the next poll tells
    }
    const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
    if (Date.now() - lastActivity > options.stallMs) {
      return { settled: false, how: `stopped waiting: no audit event for ${seconds(options.stallMs)} with ${last.settled} of ${expected} settled and ${last.backlog} stage jobs left` };
    }
    if (Date.now() - began > options.timeoutMs) {
      return { settled: false, how: `stopped waiting after ${seconds(options.timeoutMs)} with ${last.settled} of ${expected} settled and ${last.backlog} stage jobs left` };
    }
    await sleep(1000);
  }
}
