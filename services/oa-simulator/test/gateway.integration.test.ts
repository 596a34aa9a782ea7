import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { parseDocumentFinalized } from '@oa-archive/contracts';
import { loadGatewayConfig, LOCAL_SOURCES_FILE, startGateway, type GatewayProcess } from '@oa-archive/gateway';
import { readTopic, testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { outboxRowsOf, PUSH_SHAPES, pushDocuments, writeMiddleTableRows, type PushShape } from '../src/index.ts';

const BASE = 'http://127.0.0.1:8088';
const ADMIN = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const withDatabase = (url: string, database: string) => Object.assign(new URL(url), { pathname: `/${database}` }).toString();

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let gateway: GatewayProcess;
let topic: string;
const oaDatabase = `oa_sim_outbox_${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  db = await createTestCatalog();
  const admin = new pg.Client({ connectionString: withDatabase(ADMIN, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${oaDatabase}`);
  await admin.end();
  // The demo's sources, with the middle table in a database of this test's own.
  const mappings = path.join(path.dirname(LOCAL_SOURCES_FILE), 'mappings');
  const sourcesFile = path.join(mkdtempSync(path.join(tmpdir(), 'sim-gateway-')), 'sources.yaml');
  const hmac = (shape: PushShape) => `[{ appId: ${PUSH_SHAPES[shape].credentials.appId}, secret: ${PUSH_SHAPES[shape].credentials.secret} }]`;
  writeFileSync(
    sourcesFile,
    `schema: oa-archive/gateway-sources@1
sources:
  oa-simulator: { mapping: ${mappings}/canonical.yaml, hmac: ${hmac('canonical')} }
  oa-sim-json: { mapping: ${mappings}/oa-json-nested.yaml, hmac: ${hmac('json')} }
  oa-sim-xml: { mapping: ${mappings}/oa-xml.yaml, hmac: ${hmac('xml')} }
  oa-sim-table:
    mapping: ${mappings}/oa-json-nested.yaml
    middleTable: { driver: postgresql, url: '${withDatabase(ADMIN, oaDatabase)}', table: oa_simulator_outbox, pollMs: 100, create: true }
`,
  );
  topic = uniqueName('sim-gateway');
  const origins = Object.fromEntries(['oa-simulator', 'oa-sim-json', 'oa-sim-xml', 'oa-sim-table'].map((id) => [id, { allowedOrigins: [BASE] }]));
  gateway = await startGateway(
    loadGatewayConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_FINALIZED: topic, GATEWAY_PORT: '0', GATEWAY_SOURCES_FILE: sourcesFile, OA_SOURCES: JSON.stringify(origins) }),
    testLogger(),
  );
});

afterAll(async () => {
  await gateway?.close();
  await db?.drop();
  const admin = new pg.Client({ connectionString: withDatabase(ADMIN, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${oaDatabase} WITH (FORCE)`);
  await admin.end();
});

describe('the simulator speaks to the gateway', () => {
  it.each(['canonical', 'json', 'xml'] as const)('pushes %s documents, signed, and each is accepted', async (shape) => {
    const pushed = await pushDocuments({ gatewayUrl: gateway.url, shape, seed: 23, count: 4, baseUrl: BASE });
    expect(pushed.map((p) => [p.status, p.answer.status])).toEqual(Array(4).fill([202, 'accepted']));
    const again = await pushDocuments({ gatewayUrl: gateway.url, shape, seed: 23, count: 1, baseUrl: BASE });
    expect(again[0]).toMatchObject({ status: 202, ingestId: pushed[0]!.ingestId, answer: { status: 'duplicate' } });
  });

  it('writes middle-table rows that the gateway publishes and marks published', async () => {
    const rows = outboxRowsOf({ seed: 29, count: 5, baseUrl: BASE });
    await writeMiddleTableRows({ driver: 'postgresql', url: withDatabase(ADMIN, oaDatabase), table: 'oa_simulator_outbox' }, rows);
    const client = new pg.Client({ connectionString: withDatabase(ADMIN, oaDatabase) });
    await client.connect();
    try {
      const finished = await waitFor(
        async () => {
          const { rows: states } = await client.query<{ doc_id: string; status: string; ingest_id: string | null }>('SELECT doc_id, status, ingest_id FROM oa_simulator_outbox ORDER BY id');
          return states.every((s) => s.status === 'published') && states.length === 5 ? states : undefined;
        },
        { what: 'the middle-table rows to be published' },
      );
      expect(finished.map((s) => s.doc_id)).toEqual(rows.map((r) => r.docId));
    } finally {
      await client.end();
    }
    const events = await readTopic(testKafka(), topic, 3 * 4 + 5);
    const bySource = new Map<string, number>();
    for (const message of events) {
      const parsed = parseDocumentFinalized({ value: Buffer.from(message.value), headers: message.headers });
      if (!parsed.ok) throw new Error(parsed.reason);
      bySource.set(parsed.event.source, (bySource.get(parsed.event.source) ?? 0) + 1);
    }
    expect(Object.fromEntries(bySource)).toEqual({ 'oa-simulator': 4, 'oa-sim-json': 4, 'oa-sim-xml': 4, 'oa-sim-table': 5 });
  });
});
