import type pg from 'pg';
import type { Producer } from 'kafkajs';
import { latestGatewayVersionOf, submitOnce, type GatewaySubmission } from '@oa-archive/catalog';
import type { OaSource } from '@oa-archive/config';
import type { Logger } from '@oa-archive/observability';
import { describeChange } from './changes.ts';
import { canonicalDocument, type DocumentIssue, type DocumentResult, type ExpectedIdentity, type Limits } from './document.ts';
import type { PayloadInput } from './payload.ts';
import type { GatewaySource } from './sources.ts';

/**
 * One document from an OA, by push or from a middle-table row, to Kafka at most once per
 * (source, document, version): decoded, mapped and judged (document.ts), then published and
 * recorded together (submitOnce). The same document sent again is answered as the first time; a
 * different one under the same version is refused, since the archive cannot tell which is right.
 */

export type Channel = 'push' | 'middle-table' | 'package';

export type SubmitOutcome =
  | { kind: 'accepted'; duplicate: boolean; ingestId: string; eventId: string; documentId: string; version: number; acceptedAt: Date }
  | { kind: 'conflict'; ingestId: string; documentId: string; version: number; message: string; changed: string[] }
  | { kind: 'refused'; reason: 'unreadable' | 'invalid' | 'too-large'; message: string; issues: DocumentIssue[] };

/** Kafka did not acknowledge, or the submission could not be recorded: nothing was kept, the OA (or the poller) should send again. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

export interface SubmitterOptions {
  pool: pg.Pool;
  producer: Producer;
  topic: string;
  /** OA_SOURCES: the origins the archive fetches each source's files from. */
  origins: Record<string, OaSource>;
  limits: Limits;
  /** How long to wait for Kafka's acknowledgement. */
  ackTimeoutMs: number;
  logger: Logger;
}

export class Submitter {
  readonly #options: SubmitterOptions;

  constructor(options: SubmitterOptions) {
    this.#options = options;
  }

  async submit(source: GatewaySource, body: PayloadInput, channel: Channel, options: { expected?: ExpectedIdentity; receivedAt?: Date } = {}): Promise<SubmitOutcome> {
    const origins = this.#options.origins[source.id];
    if (!origins) throw new Error(`source ${source.id} has no entry in OA_SOURCES`);
    const receivedAt = options.receivedAt ?? new Date();
    const result = canonicalDocument({ source: source.id, origins, mapping: source.mapping, body, limits: this.#options.limits, receivedAt, ...(options.expected ? { expected: options.expected } : {}) });
    return this.submitDocument(source, result, channel);
  }

  /** What the gateway's own checks allow of a source's documents: its origins and the limits (for a document judged elsewhere, a package's). */
  judgeArgs(source: GatewaySource): { source: string; origins: OaSource; limits: Limits } {
    const origins = this.#options.origins[source.id];
    if (!origins) throw new Error(`source ${source.id} has no entry in OA_SOURCES`);
    return { source: source.id, origins, limits: this.#options.limits };
  }

  /** Publishes a judged document once (see submit); a refused one is answered as refused. */
  async submitDocument(source: GatewaySource, result: DocumentResult, channel: Channel): Promise<SubmitOutcome> {
    if (!result.ok) return { kind: 'refused', reason: result.kind, message: result.message, issues: result.issues };
    const { document } = result;
    const { data } = document.event;
    const { producer, topic, ackTimeoutMs } = this.#options;
    let recorded: { created: boolean; submission: GatewaySubmission };
    try {
      recorded = await submitOnce(
        this.#options.pool,
        {
          source: source.id,
          documentId: data.documentId,
          version: data.version,
          ingestId: document.ingestId,
          eventId: document.event.id,
          channel,
          contentSha256: document.contentSha256,
          files: document.files,
          event: document.event as unknown as Record<string, unknown>,
        },
        async () => {
          try {
            // acks -1: every in-sync replica has the event before the OA is told it was accepted.
            await producer.send({ topic, acks: -1, timeout: ackTimeoutMs, messages: [document.record] });
          } catch (error) {
            throw new DeliveryError(`Kafka did not acknowledge the event for ${data.documentId} version ${data.version}: ${(error as Error).message}`, { cause: error });
          }
        },
      );
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      throw new DeliveryError(`the gateway could not record the submission: ${(error as Error).message}`, { cause: error });
    }
    const { created, submission } = recorded;
    if (created || submission.contentSha256 === document.contentSha256) {
      if (created) this.#options.logger.info({ source: source.id, channel, ingestId: submission.ingestId, documentId: data.documentId, version: data.version }, 'document published');
      return { kind: 'accepted', duplicate: !created, ingestId: submission.ingestId, eventId: submission.eventId, documentId: data.documentId, version: data.version, acceptedAt: submission.acceptedAt };
    }
    const latest = (await latestGatewayVersionOf(this.#options.pool, source.id, data.documentId)) ?? data.version;
    const change = describeChange(submission, document, latest + 1);
    this.#options.logger.warn({ source: source.id, channel, ingestId: submission.ingestId, changed: change.changed }, 'refused: a different document under an accepted version');
    return { kind: 'conflict', ingestId: submission.ingestId, documentId: data.documentId, version: data.version, message: change.message, changed: change.changed };
  }
}
