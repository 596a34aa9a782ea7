import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { z } from 'zod';
import { documentFinalizedDataSchema } from '@oa-archive/contracts';
import { HEADER_APP_ID, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP } from '../auth.ts';
import { registerDocumentRoutes, type DocumentRoutesDeps } from './documents.ts';
import { acceptedSchema, problemSchema, statusSchema } from './schemas.ts';

export interface GatewayAppDeps extends DocumentRoutesDeps {
  bodyLimit: number;
  /** Named dependency → a probe that throws when it does not answer (for /readyz). */
  ready: Record<string, () => Promise<unknown>>;
}

/** The contract's data as JSON Schema, for the reader of /openapi.json (the canonical source's body). */
function canonicalDataSchema(): Record<string, unknown> {
  const { $schema: _draft, ...schema } = z.toJSONSchema(documentFinalizedDataSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, description: 'The canonical data of oa.document.finalized (packages/contracts): what every mapping produces.' };
}

/** The gateway's HTTP side: the push API, its OpenAPI description, and the operational endpoints. */
export async function buildGatewayApp(deps: GatewayAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino is Fastify's own logger; only the type parameters differ.
    loggerInstance: deps.logger.child({ component: 'http' }) as unknown as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit,
  });
  // The body stays bytes: the signature covers exactly what was sent, and the source's mapping decides how to read it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/xml', 'text/xml'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OA archive gateway',
        description: 'How OA systems hand finished documents to the archive: push them here (JSON or XML, in their own field names), or write them into a middle table the gateway polls. See docs/oa-integration.md.',
        version: '1.0.0',
      },
      tags: [{ name: 'documents', description: 'The push API' }],
      components: {
        securitySchemes: {
          hmac: { type: 'apiKey', in: 'header', name: HEADER_APP_ID, description: `With ${HEADER_TIMESTAMP}, ${HEADER_NONCE} and ${HEADER_SIGNATURE}: hex HMAC-SHA256 of METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex SHA-256(body)` },
          hmacTimestamp: { type: 'apiKey', in: 'header', name: HEADER_TIMESTAMP },
          hmacNonce: { type: 'apiKey', in: 'header', name: HEADER_NONCE },
          hmacSignature: { type: 'apiKey', in: 'header', name: HEADER_SIGNATURE },
          bearer: { type: 'http', scheme: 'bearer', description: "A token configured for the source" },
        },
        schemas: { DocumentFinalizedData: canonicalDataSchema() as never },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  app.addSchema(problemSchema);
  app.addSchema(acceptedSchema);
  app.addSchema(statusSchema);

  // Fastify's own refusals (body too large, unknown media type, a malformed path parameter) in the API's shape.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal', message: 'the gateway could not handle the request; its log says why' });
    }
    const code = { 413: 'too-large', 415: 'unsupported-media-type' }[status] ?? 'bad-request';
    return reply.code(status).send({ error: code, message: error.message });
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const names = Object.keys(deps.ready);
    const results = await Promise.allSettled(names.map((name) => deps.ready[name]!()));
    const failed = names.filter((_name, i) => results[i]!.status === 'rejected');
    return failed.length > 0 ? reply.code(503).send({ ready: false, failed }) : { ready: true };
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));

  await registerDocumentRoutes(app, deps);
  return app;
}
