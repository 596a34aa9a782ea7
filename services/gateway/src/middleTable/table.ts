/**
 * One middle table, whatever the database: claim ready rows, write back what became of them. The
 * claim takes rows FOR UPDATE SKIP LOCKED and marks them claimed in one short transaction, so pollers
 * in several processes never take the same row; a claim older than the lease (its poller died) is
 * taken again. Publishing is idempotent per (source, document, version), so a row claimed twice after
 * a crash is still published once.
 */

export interface MiddleTableRow {
  id: string;
  docId: string;
  docVersion: number;
  payload: string;
  attempts: number;
}

/** A row as the completeness check reads it: what the OA wrote, and what the gateway made of it. */
export interface WrittenRow {
  docId: string;
  docVersion: number;
  status: string;
  result: string | null;
  createdAt: Date;
}

export type RowOutcome = { status: 'published'; ingestId: string; result: string } | { status: 'rejected'; result: string };

export interface MiddleTable {
  readonly description: string;
  /** Creates the table with the documented DDL if it is missing. */
  create(): Promise<void>;
  claim(pollerId: string, limit: number, leaseMs: number): Promise<MiddleTableRow[]>;
  /** False when the row is no longer this poller's (its lease ran out and another took it). */
  finish(id: string, pollerId: string, outcome: RowOutcome): Promise<boolean>;
  /** Puts a claimed row back to ready (Kafka or the catalog was unavailable), saying why. */
  release(id: string, pollerId: string, reason: string): Promise<void>;
  ping(): Promise<void>;
  /** The rows the OA wrote in [since, until): its own list of what it finalized (completeness, 应归尽归). */
  listWritten(since: Date, until: Date): Promise<WrittenRow[]>;
  close(): Promise<void>;
}

/** `result` is TEXT (64 KiB in MySQL): long refusals are cut. */
export const MAX_RESULT_CHARS = 4000;

export const clip = (text: string) => (text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS - 1)}…` : text);
