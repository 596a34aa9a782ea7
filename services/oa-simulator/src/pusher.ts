import { eventDataOf, simulateDocument, type SimulatedDocument } from './documents.ts';
import { datedBefore } from './recentDates.ts';
import type { OutboxRow } from './middleTableWriter.ts';
import { oaJsonPayloadOf, oaXmlPayloadOf, type PushShape } from './oaPayloads.ts';
import { pushDocument, type PushCredentials } from './pushClient.ts';

/**
 * The simulator as OA systems that hand documents to the archive gateway: by push in one of three
 * shapes, or as rows of a middle table. The defaults match services/gateway/sources.local.yaml.
 */

export const PUSH_SHAPES: Record<PushShape, { source: string; credentials: PushCredentials; contentType: string }> = {
  canonical: { source: 'oa-simulator', credentials: { appId: 'oa-simulator', secret: 'local-simulator-hmac-secret' }, contentType: 'application/json' },
  json: { source: 'oa-sim-json', credentials: { appId: 'oa-sim-json', secret: 'local-sim-json-hmac-secret' }, contentType: 'application/json' },
  xml: { source: 'oa-sim-xml', credentials: { appId: 'oa-sim-xml', secret: 'local-sim-xml-hmac-secret' }, contentType: 'application/xml; charset=utf-8' },
};

/** The body a document is pushed with, in a shape. */
export function pushBodyOf(document: SimulatedDocument, shape: PushShape, baseUrl: string): Buffer {
  switch (shape) {
    case 'canonical':
      return Buffer.from(JSON.stringify(eventDataOf(document, baseUrl, { declareDigests: true })));
    case 'json':
      return Buffer.from(JSON.stringify(oaJsonPayloadOf(document, baseUrl)));
    case 'xml':
      return Buffer.from(oaXmlPayloadOf(document, baseUrl));
  }
}

export interface PushedDocument {
  documentId: string;
  title: string;
  status: number;
  ingestId?: string;
  answer: Record<string, unknown>;
}

export async function pushDocuments(options: {
  gatewayUrl: string;
  shape: PushShape;
  seed: number;
  count: number;
  first?: number;
  baseUrl: string;
  source?: string;
  credentials?: PushCredentials;
  /** Date the documents as finalized before it (see recentDates.ts); without it, their simulated 2025 dates. */
  now?: Date;
}): Promise<PushedDocument[]> {
  const defaults = PUSH_SHAPES[options.shape];
  const pushed: PushedDocument[] = [];
  const first = options.first ?? 1;
  for (let index = first; index < first + options.count; index++) {
    const simulated = simulateDocument(options.seed, index);
    const document = options.now ? datedBefore(simulated, options.now) : simulated;
    const answer = await pushDocument({
      gatewayUrl: options.gatewayUrl,
      source: options.source ?? defaults.source,
      credentials: options.credentials ?? defaults.credentials,
      body: pushBodyOf(document, options.shape, options.baseUrl),
      contentType: defaults.contentType,
    });
    pushed.push({
      documentId: document.data.documentId,
      title: document.data.title,
      status: answer.status,
      ...(typeof answer.body.ingestId === 'string' ? { ingestId: answer.body.ingestId } : {}),
      answer: answer.body,
    });
  }
  return pushed;
}

/** Middle-table rows for documents first..first+count-1 of a seed, in the nested JSON shape. */
export function outboxRowsOf(options: { seed: number; count: number; first?: number; baseUrl: string; now?: Date }): OutboxRow[] {
  const first = options.first ?? 1;
  return Array.from({ length: options.count }, (_, i) => {
    const simulated = simulateDocument(options.seed, first + i);
    const document = options.now ? datedBefore(simulated, options.now) : simulated;
    return { docId: document.data.documentId, version: document.data.version, payload: JSON.stringify(oaJsonPayloadOf(document, options.baseUrl)) };
  });
}
