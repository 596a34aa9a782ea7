import type { Producer } from 'kafkajs';
import { claimPendingReceipts, inTransaction, markReceiptsFailed, markReceiptsSent, type Catalog, type PendingReceipt } from '@oa-archive/catalog';
import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE } from '@oa-archive/contracts';
import { describeError } from './errors.ts';

/** The Kafka header carrying the receipt id consumers dedupe on (also the CloudEvent's `id`). */
export const RECEIPT_ID_HEADER = 'receipt-id';

export interface ReceiptRelayDeps {
  catalog: Catalog;
  producer: Producer;
  topic: string;
}

/**
 * Publishes pending receipts from the outbox and marks them sent, one batch per transaction: the rows
 * stay locked (other relays skip them) while Kafka takes the batch. A publish that fails leaves them
 * pending, with the error noted, for the next try; a crash after publishing and before marking sends
 * them again with the same receipt id. Each ingest's receipts leave in the order they were reached.
 */
export async function publishPendingReceipts(deps: ReceiptRelayDeps, options: { ingestId?: string; batchSize?: number; maxBatches?: number } = {}): Promise<string[]> {
  const published: string[] = [];
  const batchSize = options.batchSize ?? 100;
  for (let batch = 0; batch < (options.maxBatches ?? 50); batch++) {
    const { sent, later } = await publishBatch(deps, batchSize, options.ingestId);
    published.push(...sent);
    // One ingest's next receipt becomes claimable only once the one before it is sent: for one
    // ingest, go on only while one waits (no empty transaction to find out).
    if (sent.length === 0 || (options.ingestId ? !later : sent.length < batchSize)) break;
  }
  return published;
}

async function publishBatch(deps: ReceiptRelayDeps, limit: number, ingestId: string | undefined): Promise<{ sent: string[]; later: boolean }> {
  let claimed: PendingReceipt[] = [];
  try {
    const sent = await inTransaction(deps.catalog.pool, async (tx) => {
      claimed = await claimPendingReceipts(tx, { limit, ...(ingestId ? { ingestId } : {}) });
      if (claimed.length === 0) return [];
      await deps.producer.send({
        topic: deps.topic,
        messages: claimed.map((r) => ({
          key: r.documentId,
          value: JSON.stringify(r.receipt),
          headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, [RECEIPT_ID_HEADER]: r.receiptId },
        })),
      });
      await markReceiptsSent(tx, claimed);
      return claimed.map((r) => r.receiptId);
    });
    return { sent, later: claimed.some((r) => r.later) };
  } catch (error) {
    if (claimed.length > 0) {
      const { error: name, reason } = describeError(error);
      await markReceiptsFailed(deps.catalog.pool, claimed, `${name}: ${reason}`).catch((noted: unknown) => {
        throw new AggregateError([error, noted], `publishing ${claimed.length} receipt(s) failed, and so did noting it`);
      });
    }
    throw error;
  }
}
