import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { testLogger, uniqueName } from '@oa-archive/testing';
import { loadGatewayConfig, startGateway, type GatewayProcess } from '../src/index.ts';
import { oaSourcesFor, writeSourcesFile } from './support/gateway.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let gateway: GatewayProcess;

beforeAll(async () => {
  db = await createTestCatalog();
  const sourcesFile = writeSourcesFile(`sources:
  oa-canon:
    mapping: mappings/canonical.yaml
    bearer: [{ token: canon-bearer-token-0123456789 }]
`);
  gateway = await startGateway(
    loadGatewayConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_FINALIZED: uniqueName('gateway-openapi'), GATEWAY_PORT: '0', GATEWAY_SOURCES_FILE: sourcesFile, GATEWAY_POLLERS: 'false', OA_SOURCES: oaSourcesFor('oa-canon') }),
    testLogger(),
  );
});

afterAll(async () => {
  await gateway?.close();
  await db?.drop();
});

type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>; parameters?: { name: string; in: string }[]; security?: unknown[] }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>; securitySchemes: Record<string, unknown> };
};

describe('/openapi.json', () => {
  it('describes the push and status routes with their schemas, generated from the routes', async () => {
    const response = await fetch(`${gateway.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as OpenApi;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/v1/documents/{source}', '/v1/documents/{source}/{documentId}/versions/{version}']);

    const push = doc.paths['/v1/documents/{source}']!.post!;
    expect(Object.keys(push.requestBody!.content).sort()).toEqual(['application/json', 'application/xml', 'text/xml']);
    expect(Object.keys(push.responses).sort()).toEqual(['202', '400', '401', '403', '404', '409', '413', '415', '422', '503']);
    expect(push.responses['202']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/Accepted');
    expect(push.responses['422']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/Problem');
    expect(push.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(['path:source']);
    // The signature headers are described once, as security schemes, rather than as parameters of each route.
    expect(push.security).toEqual([{ hmac: [], hmacTimestamp: [], hmacNonce: [], hmacSignature: [] }, { bearer: [] }]);

    const status = doc.paths['/v1/documents/{source}/{documentId}/versions/{version}']!.get!;
    expect(status.parameters!.filter((p) => p.in === 'path').map((p) => p.name).sort()).toEqual(['documentId', 'source', 'version']);
    expect(status.responses['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/DocumentStatus');

    const schemas = doc.components.schemas;
    expect(schemas.Problem!.required).toEqual(['error', 'message']);
    expect(Object.keys(schemas.Accepted!.properties!)).toEqual(expect.arrayContaining(['ingestId', 'eventId', 'statusUrl']));
    expect(Object.keys(schemas.DocumentStatus!.properties!)).toEqual(expect.arrayContaining(['status', 'referenceCode', 'reasons', 'fourProperties', 'classification']));
    // The canonical body, from the contract's own schema.
    expect(schemas.DocumentFinalizedData!.required).toEqual(expect.arrayContaining(['documentId', 'version', 'title', 'components']));
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'hmac', 'hmacNonce', 'hmacSignature', 'hmacTimestamp']);
  });
});
