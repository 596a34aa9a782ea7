import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, documentFinalizedEvent } from '@oa-archive/contracts';
import { eventDataOf, simulateDocument, type DocumentMix } from './documents.ts';
import { datedBefore } from './recentDates.ts';

export interface PublishedDocument {
  eventId: string;
  documentId: string;
  title: string;
  components: number;
}

/** Publishes "document finalized" events for documents first..first+count-1 of a seed. */
export async function publishDocuments(
  producer: Producer,
  /** `now`: date the documents as finalized shortly before it (see recentDates.ts); without it, their simulated 2025 dates. */
  options: { topic: string; source: string; seed: number; count: number; first?: number; baseUrl: string; mix?: DocumentMix; now?: Date },
): Promise<PublishedDocument[]> {
  const first = options.first ?? 1;
  const published: PublishedDocument[] = [];
  const messages = [];
  for (let index = first; index < first + options.count; index++) {
    const simulated = simulateDocument(options.seed, index, options.mix);
    const document = options.now ? datedBefore(simulated, options.now) : simulated;
    const data = eventDataOf(document, options.baseUrl, { declareDigests: index % 4 !== 0 });
    const event = documentFinalizedEvent({ id: randomUUID(), source: options.source, time: new Date().toISOString(), data });
    messages.push({ key: data.documentId, value: JSON.stringify(event), headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE } });
    published.push({ eventId: event.id, documentId: data.documentId, title: data.title, components: data.components.length });
  }
  await producer.send({ topic: options.topic, messages });
  return published;
}
