import type { StageHandler } from '../context.ts';
import { publishPendingReceipts } from '../receiptRelay.ts';

/**
 * Answers the OA system: publishes the ingest's pending receipts from the outbox, where the outcome's
 * transaction wrote them. A receipt the relay has already sent is not sent again. A failure here is
 * retried, and the relay keeps trying after the last attempt; it never changes the outcome reported.
 */
export const notifyStage: StageHandler = async ({ ingest, deps }) => {
  const published = await publishPendingReceipts({ catalog: deps.catalog, producer: deps.producer, topic: deps.settings.receiptsTopic }, { ingestId: ingest.ingestId });
  deps.metrics?.receiptsPublished.inc(published.length);
  return { detail: { receipts: published, topic: deps.settings.receiptsTopic }, next: null };
};
