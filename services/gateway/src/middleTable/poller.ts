import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@oa-archive/observability';
import type { GatewayMetrics } from '../metrics.ts';
import type { GatewaySource } from '../sources.ts';
import { DeliveryError, type SubmitOutcome, type Submitter } from '../submit.ts';
import type { MiddleTable, MiddleTableRow, RowOutcome } from './table.ts';

/**
 * Polls one OA's middle table: claims ready rows, reads each through the source's mapping (the same as
 * a push), publishes it, and writes the outcome back to the row. A row the archive cannot accept is
 * rejected with the reason; a row that could not be delivered (Kafka or the catalog unavailable) goes
 * back to ready and the poller backs off. Several pollers, in one process or many, share a table.
 */

export interface PollerOptions {
  source: GatewaySource;
  table: MiddleTable;
  submitter: Submitter;
  pollerId: string;
  batchSize: number;
  pollMs: number;
  leaseMs: number;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Longest pause after repeated failures. */
  maxBackoffMs?: number;
}

export interface PollResult {
  claimed: number;
  published: number;
  rejected: number;
  released: number;
}

/** What a row says once the gateway has dealt with it. */
export function rowOutcomeOf(outcome: SubmitOutcome): RowOutcome {
  switch (outcome.kind) {
    case 'accepted':
      return {
        status: 'published',
        ingestId: outcome.ingestId,
        result: outcome.duplicate ? `already published as event ${outcome.eventId} at ${outcome.acceptedAt.toISOString()}; not published again` : `published as event ${outcome.eventId}`,
      };
    case 'conflict':
      return { status: 'rejected', result: outcome.message };
    case 'refused':
      return { status: 'rejected', result: [outcome.message, ...outcome.issues.map((i) => `- ${i.path}${i.sourceField ? ` (${i.sourceField})` : ''}: ${i.message}`)].join('\n') };
  }
}

export class MiddleTablePoller {
  readonly #options: PollerOptions;
  #running: Promise<void> | undefined;
  readonly #stop = new AbortController();
  #failures = 0;

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  /** One round: claim a batch and deal with every row of it. */
  async pollOnce(): Promise<PollResult> {
    const { table, submitter, source, pollerId, batchSize, leaseMs, logger, metrics } = this.#options;
    const rows = await table.claim(pollerId, batchSize, leaseMs);
    const result: PollResult = { claimed: rows.length, published: 0, rejected: 0, released: 0 };
    for (const [index, row] of rows.entries()) {
      let outcome: SubmitOutcome;
      try {
        outcome = await submitter.submit(source, row.payload, 'middle-table', { expected: { documentId: row.docId, version: row.docVersion } });
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        // Nothing was published for this row or the ones after it: back to ready, to be claimed again.
        for (const left of rows.slice(index)) await table.release(left.id, pollerId, `not yet delivered (will retry): ${error.message}`);
        result.released += rows.length - index;
        throw error;
      }
      const written = rowOutcomeOf(outcome);
      const mine = await table.finish(row.id, pollerId, written);
      if (!mine) logger.warn({ source: source.id, row: row.id }, 'the row was claimed again by another poller before this one finished it (lease ran out); it is published once all the same');
      if (written.status === 'published') {
        result.published++;
        metrics.accepted(source.id, 'middle-table', outcome.kind === 'accepted' && outcome.duplicate);
      } else {
        result.rejected++;
        metrics.refused(source.id, outcome.kind === 'conflict' ? 'version-conflict' : 'invalid-document', 'middle-table');
        logRejection(logger, source.id, row, written.result);
      }
    }
    return result;
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#loop();
  }

  async #loop(): Promise<void> {
    const { pollMs, logger, source, table } = this.#options;
    const maxBackoff = this.#options.maxBackoffMs ?? 60_000;
    while (!this.#stop.signal.aborted) {
      let pause = pollMs;
      try {
        const result = await this.pollOnce();
        this.#failures = 0;
        // A full batch means more may be waiting: go again at once.
        if (result.claimed >= this.#options.batchSize) pause = 0;
      } catch (error) {
        this.#failures++;
        pause = Math.min(maxBackoff, pollMs * 2 ** Math.min(this.#failures, 10));
        logger.warn({ err: error, source: source.id, table: table.description, retryInMs: pause }, 'middle-table poll failed');
      }
      if (pause > 0) await sleep(pause, undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  /** Lets the current round finish, then stops. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }
}

function logRejection(logger: Logger, source: string, row: MiddleTableRow, reason: string): void {
  logger.warn({ source, row: row.id, documentId: row.docId, version: row.docVersion, reason: reason.slice(0, 1000) }, 'middle-table row rejected');
}
