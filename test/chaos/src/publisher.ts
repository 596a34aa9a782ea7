import type { Producer } from 'kafkajs';
import { documentIdOf, publishDocuments, type DocumentMix } from '@oa-archive/oa-simulator';

export interface PublishedRecord {
  documentId: string;
  /** Epoch ms of the first attempt to publish it: the OA finalized it then. */
  publishedAt: number;
  /** Every event id sent for it: a send that failed may still have been written, and is resent. */
  eventIds: string[];
}

/**
 * Publishes documents first..first+count-1 of a seed at a steady rate, as an OA system finalizes
 * them. A send that fails (the broker is down) is retried with the same documents until it goes
 * through; their publish time stays that of the first attempt, so the outage counts in their delay.
 */
export class PacedPublisher {
  readonly records = new Map<string, PublishedRecord>();
  readonly failedSends: { at: number; documents: number; error: string }[] = [];
  readonly #producer: Producer;
  readonly #options: { topic: string; source: string; seed: number; mix: DocumentMix; baseUrl: string };
  #stopped = false;

  constructor(producer: Producer, options: { topic: string; source: string; seed: number; mix: DocumentMix; baseUrl: string }) {
    this.#producer = producer;
    this.#options = options;
  }

  stop(): void {
    this.#stopped = true;
  }

  async publish(first: number, count: number, perSecond: number): Promise<void> {
    const started = Date.now();
    let next = first;
    const last = first + count - 1;
    while (next <= last && !this.#stopped) {
      const due = Math.min(last, first + Math.floor(((Date.now() - started) / 1000) * perSecond));
      if (due < next) {
        await new Promise((r) => setTimeout(r, Math.max(20, 1000 / perSecond / 2)));
        continue;
      }
      for (let index = next; index <= due; index++) {
        const documentId = documentIdOf(this.#options.seed, index, this.#options.mix);
        if (!this.records.has(documentId)) this.records.set(documentId, { documentId, publishedAt: Date.now(), eventIds: [] });
      }
      try {
        const sent = await publishDocuments(this.#producer, { ...this.#options, first: next, count: due - next + 1 });
        for (const document of sent) this.records.get(document.documentId)!.eventIds.push(document.eventId);
        next = due + 1;
      } catch (error) {
        this.failedSends.push({ at: Date.now(), documents: due - next + 1, error: (error as Error).message });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
