import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rememberNonce, type Catalog } from '@oa-archive/catalog';
import type { Logger } from '@oa-archive/observability';
import type { Authenticator } from '../auth.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { GatewaySource } from '../sources.ts';
import { documentStatus } from '../status.ts';
import { DeliveryError, type Submitter } from '../submit.ts';
import { problemRef, signedHeaders, SOURCE_PATTERN } from './schemas.ts';

/** The push API: POST a finished document, GET what became of it. */

export interface DocumentRoutesDeps {
  sources: Record<string, GatewaySource>;
  authenticator: Authenticator;
  submitter: Submitter;
  catalog: Catalog;
  metrics: GatewayMetrics;
  logger: Logger;
}

const MEDIA_TYPES = { json: ['application/json'], xml: ['application/xml', 'text/xml'] } as const;

const security: Record<string, string[]>[] = [{ hmac: [], hmacTimestamp: [], hmacNonce: [], hmacSignature: [] }, { bearer: [] }];

function problem(reply: FastifyReply, status: number, error: string, message: string, extra: Record<string, unknown> = {}) {
  return reply.code(status).send({ error, message, ...extra });
}

function mediaTypeOf(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Fastify's body (the raw bytes, see app.ts): what the signature covers is what is decoded. */
function bodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export async function registerDocumentRoutes(app: FastifyInstance, deps: DocumentRoutesDeps): Promise<void> {
  const { sources, authenticator, submitter, catalog, metrics } = deps;

  /** The source and its credentials checked, the nonce spent; or the reply already sent. */
  async function admit(request: FastifyRequest<{ Params: { source: string } }>, reply: FastifyReply): Promise<GatewaySource | undefined> {
    const source = Object.hasOwn(sources, request.params.source) ? sources[request.params.source] : undefined;
    if (!source) {
      problem(reply, 404, 'unknown-source', `no OA source ${JSON.stringify(request.params.source)} is configured on this gateway`);
      return undefined;
    }
    const verdict = authenticator.authenticate(source.id, { method: request.method, url: request.url, headers: request.headers, body: bodyOf(request) }, new Date());
    if (!verdict.ok) {
      metrics.refused(source.id, verdict.status === 401 ? 'unauthorized' : 'forbidden');
      problem(reply, verdict.status, verdict.status === 401 ? 'unauthorized' : 'forbidden', verdict.reason);
      return undefined;
    }
    let fresh = true;
    try {
      if (verdict.nonce) fresh = await rememberNonce(catalog.pool, verdict.nonce.appId, verdict.nonce.value);
    } catch (error) {
      request.log.error({ err: error, source: source.id }, 'could not record the nonce');
      problem(reply.header('retry-after', '30'), 503, 'unavailable', 'the gateway cannot reach its database; nothing was kept, send the request again (with a new nonce)');
      return undefined;
    }
    if (!fresh && verdict.nonce) {
      metrics.refused(source.id, 'replayed');
      problem(reply, 401, 'unauthorized', `nonce ${verdict.nonce.value} was already used: a replayed request is refused; sign each request with a new nonce`);
      return undefined;
    }
    return source;
  }

  app.post<{ Params: { source: string } }>(
    '/v1/documents/:source',
    {
      schema: {
        summary: 'Push a finished document',
        description:
          "The OA's own JSON or XML, read by the source's mapping file into the canonical data of oa.document.finalized and published to Kafka once " +
          'Kafka has acknowledged it. The same document sent again gets the same answer; a different document under an accepted version is refused (409).',
        tags: ['documents'],
        security,
        params: { type: 'object', required: ['source'], properties: { source: { type: 'string', pattern: SOURCE_PATTERN, description: 'The OA system, as configured on the gateway' } } },
        headers: signedHeaders,
        body: {
          content: {
            'application/json': { schema: { description: "The OA's JSON document, in its own field names (the source's mapping reads it). The canonical source takes DocumentFinalizedData." } },
            'application/xml': { schema: { description: "The OA's XML document (UTF-8, or GBK/GB18030 as declared); no DOCTYPE" } },
            'text/xml': { schema: { description: 'As application/xml' } },
          },
        },
        response: {
          202: { $ref: 'Accepted#' },
          400: problemRef,
          401: problemRef,
          403: problemRef,
          404: problemRef,
          409: problemRef,
          413: problemRef,
          415: problemRef,
          422: problemRef,
          503: problemRef,
        },
      },
    },
    async (request, reply) => {
      const source = await admit(request, reply);
      if (!source) return reply;
      const expected: readonly string[] = MEDIA_TYPES[source.mapping.format];
      if (!expected.includes(mediaTypeOf(request))) {
        metrics.refused(source.id, 'unsupported-media-type');
        return problem(reply, 415, 'unsupported-media-type', `source ${source.id} sends ${source.mapping.format.toUpperCase()}: use Content-Type ${expected.join(' or ')}`);
      }
      let outcome;
      try {
        outcome = await submitter.submit(source, bodyOf(request), 'push');
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        request.log.error({ err: error, source: source.id }, 'push not delivered');
        metrics.refused(source.id, 'unavailable');
        return problem(reply.header('retry-after', '30'), 503, 'unavailable', `${error.message}; nothing was kept, send the document again`);
      }
      switch (outcome.kind) {
        case 'accepted': {
          metrics.accepted(source.id, 'push', outcome.duplicate);
          const statusUrl = `/v1/documents/${encodeURIComponent(source.id)}/${encodeURIComponent(outcome.documentId)}/versions/${outcome.version}`;
          return reply.code(202).header('location', statusUrl).send({
            status: outcome.duplicate ? 'duplicate' : 'accepted',
            ingestId: outcome.ingestId,
            eventId: outcome.eventId,
            source: source.id,
            documentId: outcome.documentId,
            version: outcome.version,
            acceptedAt: outcome.acceptedAt.toISOString(),
            statusUrl,
          });
        }
        case 'conflict':
          metrics.refused(source.id, 'version-conflict');
          return problem(reply, 409, 'version-conflict', outcome.message, { changed: outcome.changed });
        case 'refused': {
          const status = outcome.reason === 'unreadable' ? 400 : outcome.reason === 'too-large' ? 413 : 422;
          const error = outcome.reason === 'unreadable' ? 'unreadable-body' : outcome.reason === 'too-large' ? 'too-large' : 'invalid-document';
          metrics.refused(source.id, error);
          return problem(reply, status, error, outcome.message, { issues: outcome.issues });
        }
      }
    },
  );

  app.get<{ Params: { source: string; documentId: string; version: number } }>(
    '/v1/documents/:source/:documentId/versions/:version',
    {
      schema: {
        summary: 'What became of one version of a document',
        description: 'ACCEPTED until intake has recorded it; then the ingest status, 档号, the reasons, the classification and the four-properties (四性) results from the catalog.',
        tags: ['documents'],
        security,
        params: {
          type: 'object',
          required: ['source', 'documentId', 'version'],
          properties: {
            source: { type: 'string', pattern: SOURCE_PATTERN },
            documentId: { type: 'string', minLength: 1, maxLength: 200 },
            version: { type: 'integer', minimum: 1, maximum: 2147483647 },
          },
        },
        headers: signedHeaders,
        response: { 200: { $ref: 'DocumentStatus#' }, 400: problemRef, 401: problemRef, 403: problemRef, 404: problemRef, 503: problemRef },
      },
    },
    async (request, reply) => {
      const source = await admit(request, reply);
      if (!source) return reply;
      const { documentId, version } = request.params;
      const status = await documentStatus(catalog, { source: source.id, documentId, version });
      if (!status) return problem(reply, 404, 'not-found', `the archive knows no version ${version} of ${documentId} from ${source.id}`);
      return status;
    },
  );
}
