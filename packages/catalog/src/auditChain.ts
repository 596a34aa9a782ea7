import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** One entry of the audit trail, as hashed. */
export interface AuditEvent {
  seq: number;
  at: string;
  ingestId: string | null;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
}

export interface ChainedAuditEvent extends AuditEvent {
  prevHash: string;
  hash: string;
}

export function auditHash(prevHash: string, event: AuditEvent): string {
  const body = canonicalJson({
    seq: event.seq,
    at: event.at,
    ingestId: event.ingestId,
    type: event.type,
    actor: event.actor,
    payload: event.payload,
  });
  return createHash('sha256').update(prevHash, 'utf8').update(body, 'utf8').digest('hex');
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

/**
 * Checks a run of chained events, starting after `previous` (or at the genesis). Pure: the catalog
 * feeds it batches from the database, tests feed it arrays. Returns the first break found.
 */
export function verifyChainSegment(
  events: readonly ChainedAuditEvent[],
  previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): { ok: true; last: { seq: number; hash: string } } | { ok: false; break: ChainBreak } {
  let last = previous;
  for (const event of events) {
    if (event.seq !== last.seq + 1) {
      return { ok: false, break: { seq: event.seq, reason: `sequence jumps from ${last.seq} to ${event.seq}: events are missing` } };
    }
    if (event.prevHash !== last.hash) {
      return { ok: false, break: { seq: event.seq, reason: `prev_hash does not match the hash of event ${last.seq}` } };
    }
    const expected = auditHash(event.prevHash, event);
    if (event.hash !== expected) {
      return { ok: false, break: { seq: event.seq, reason: 'content does not match its hash: the event was altered' } };
    }
    last = { seq: event.seq, hash: event.hash };
  }
  return { ok: true, last };
}
