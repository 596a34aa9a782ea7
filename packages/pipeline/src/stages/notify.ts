import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, ingestReceiptEvent, type IngestReceiptData } from '@oa-archive/contracts';
import { classificationOf } from '@oa-archive/catalog';
import type { StageHandler } from '../context.ts';

/** Answers the OA system with a receipt for the document's outcome, on the receipts topic. */
export const notifyStage: StageHandler = async ({ ingest, deps }) => {
  const { catalog, producer, settings } = deps;
  const current = (await catalog.getIngest(ingest.ingestId)) ?? ingest;
  const [components, classification] = await Promise.all([catalog.listComponents(ingest.ingestId), classificationOf(catalog.pool, ingest.ingestId)]);
  const data: IngestReceiptData = {
    ingestId: current.ingestId,
    documentId: current.documentId,
    version: current.version,
    outcome: current.status,
    ...(current.failureReason ? { reason: current.failureReason } : classification && current.status !== 'FILED' ? { reason: classification.explanation } : {}),
    ...(current.failedStage ? { failedStage: current.failedStage } : {}),
    ...(classification?.referenceCode && current.status === 'FILED' ? { referenceCode: classification.referenceCode } : {}),
    ...(classification
      ? { classification: { outcome: classification.outcome, ruleIds: classification.ruleIds, scheduleVersion: classification.scheduleVersion, explanation: classification.explanation } }
      : {}),
    objects: components
      .filter((c) => c.archiveKey)
      .map((c) => ({ role: c.role, fileName: c.fileName, bucket: c.archiveBucket!, key: c.archiveKey!, size: c.size!, sha256: c.sha256! })),
    decidedAt: (current.completedAt ?? new Date()).toISOString(),
  };
  // One receipt id per ingest and outcome: a resent receipt is recognisable as the same one.
  const receipt = ingestReceiptEvent({ id: `${current.ingestId}-${current.status.toLowerCase()}`, source: 'oa-archive', time: new Date().toISOString(), data });
  await producer.send({
    topic: settings.receiptsTopic,
    messages: [{ key: current.documentId, value: JSON.stringify(receipt), headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE } }],
  });
  return { detail: { receipt: receipt.id, topic: settings.receiptsTopic, outcome: current.status }, next: null };
};
