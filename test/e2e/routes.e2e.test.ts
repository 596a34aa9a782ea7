import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classificationOf, gatewayPackageOf, gatewaySubmissionOf } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { FINAL_STATUSES, ingestIdOf } from '@oa-archive/contracts';
import { completenessReport, completenessTargetOf, loadGatewayConfig, LOCAL_SOURCES_FILE, startGateway, type GatewayProcess } from '@oa-archive/gateway';
import { loadIntakeConfig, startIntake, type IntakeService } from '@oa-archive/intake';
import { createProducer } from '@oa-archive/kafka';
import {
  createFileServer,
  dropPackage,
  ledgerEntryOf,
  listen,
  MemoryLedger,
  outboxRowsOf,
  packageOf,
  PUSH_SHAPES,
  publishDocuments,
  pushDocuments,
  simulateDocument,
  writeMiddleTableRows,
  type PushShape,
} from '@oa-archive/oa-simulator';
import { createS3Client, listKeys } from '@oa-archive/storage';
import { testS3Settings } from '@oa-archive/storage/testing';
import { testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '@oa-archive/worker';

/**
 * Every way an OA hands a document to the archive, through the real pipeline on real infrastructure:
 * the canonical event published to Kafka; a push of the OA's own JSON and of its XML to the gateway;
 * rows in a middle table on PostgreSQL; a folder package and a DA/T 48 EEP package dropped into S3.
 * Intake, a worker and the gateway run in this process with their own topics, buckets and queue
 * prefix. Then the completeness check asks the simulated OA what it finalized, and finds the
 * documents it finalized and never sent.
 */
const TOKEN = 'routes-simulator-token';
const SEED = 2025;
const kafka = testKafka();
const ADMIN = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const withDatabase = (url: string, database: string) => Object.assign(new URL(url), { pathname: `/${database}` }).toString();

/**
 * Which simulated documents go which way (seed 2025): each route its own, some with several files, all
 * of them public 通知 and 报告 of the agency's own, which the default schedule files.
 */
const ROUTES = {
  kafka: { source: 'oa-simulator', indices: [1, 7], channel: null },
  'push JSON': { source: 'oa-sim-json', indices: [11, 18], channel: 'push' },
  'push XML': { source: 'oa-sim-xml', indices: [12, 29], channel: 'push' },
  'middle table': { source: 'oa-sim-table', indices: [22, 23], channel: 'middle-table' },
  'folder package': { source: 'oa-sim-drop', indices: [40, 51], channel: 'package' },
  'EEP package': { source: 'oa-sim-eep', indices: [33, 34], channel: 'package' },
} as const;
/** Finalized by the OA and never sent: the completeness check must name them. */
const GAPS = { 'oa-sim-json': 35, 'oa-sim-drop': 45 } as const;
const EXPECTED = Object.values(ROUTES).reduce((n, r) => n + r.indices.length, 0);
const documentOf = (index: number) => simulateDocument(SEED, index);

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let simulator: Server;
let baseUrl = '';
const ledger = new MemoryLedger();
let producer: Producer;
let intake: IntakeService;
let worker: WorkerProcess;
let gateway: GatewayProcess;
let s3: S3Client;
let sourcesFile = '';
const oaDatabase = `oa_routes_${uniqueName('db').slice(3).replace('-', '')}`;
const dropbox = uniqueName('e2e-dropbox');
const env: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestCatalog();
  simulator = createFileServer({ token: TOKEN, ledger });
  baseUrl = (await listen(simulator, 0)).baseUrl;
  const admin = new pg.Client({ connectionString: withDatabase(ADMIN, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${oaDatabase}`);
  await admin.end();
  s3 = createS3Client(testS3Settings());

  const staging = uniqueName('e2e-staging');
  const http = { allowedOrigins: [new URL(baseUrl).origin], token: TOKEN };
  const staged = (id: string) => ({ allowedS3Prefixes: [`s3://${staging}/oa-packages/${id}/`] });
  Object.assign(env, {
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: uniqueName('routes-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('routes-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('routes-receipts'),
    KAFKA_GROUP_ID: uniqueName('routes-intake'),
    QUEUE_PREFIX: uniqueName('routes'),
    S3_STAGING_BUCKET: staging,
    S3_ARCHIVE_BUCKET: uniqueName('e2e-archive'),
    S3_QUARANTINE_BUCKET: uniqueName('e2e-quarantine'),
    WORKER_OPS_PORT: '0',
    INTAKE_OPS_PORT: '0',
    OA_SOURCES: JSON.stringify({ 'oa-simulator': http, 'oa-sim-json': http, 'oa-sim-xml': http, 'oa-sim-table': http, 'oa-sim-drop': staged('oa-sim-drop'), 'oa-sim-eep': staged('oa-sim-eep') }),
  });

  // The demo's sources, with this test's simulator, middle-table database and dropbox.
  const mappings = path.join(path.dirname(LOCAL_SOURCES_FILE), 'mappings');
  const hmac = (shape: PushShape) => `[{ appId: ${PUSH_SHAPES[shape].credentials.appId}, secret: ${PUSH_SHAPES[shape].credentials.secret} }]`;
  const list = (id: string) => `{ url: '${baseUrl}/finalized?source=${id}', token: ${TOKEN} }`;
  const drop = (id: string) => `{ s3: { bucket: ${dropbox}, prefix: ${id}/ }, pollMs: 200, settleMs: 1000 }`;
  sourcesFile = path.join(mkdtempSync(path.join(tmpdir(), 'routes-gateway-')), 'sources.yaml');
  writeFileSync(
    sourcesFile,
    `schema: oa-archive/gateway-sources@1
sources:
  oa-simulator: { mapping: ${mappings}/canonical.yaml, hmac: ${hmac('canonical')}, finalizedList: ${list('oa-simulator')} }
  oa-sim-json: { mapping: ${mappings}/oa-json-nested.yaml, hmac: ${hmac('json')}, finalizedList: ${list('oa-sim-json')} }
  oa-sim-xml: { mapping: ${mappings}/oa-xml.yaml, hmac: ${hmac('xml')}, finalizedList: ${list('oa-sim-xml')} }
  oa-sim-table:
    mapping: ${mappings}/oa-json-nested.yaml
    middleTable: { driver: postgresql, url: '${withDatabase(ADMIN, oaDatabase)}', table: oa_simulator_outbox, pollMs: 200, create: true }
  oa-sim-drop: { mapping: ${mappings}/package-json.yaml, packageDrop: ${drop('oa-sim-drop')}, finalizedList: ${list('oa-sim-drop')} }
  oa-sim-eep: { mapping: ${mappings}/eep.yaml, packageDrop: ${drop('oa-sim-eep')}, finalizedList: ${list('oa-sim-eep')} }
`,
  );
  worker = await startWorker(loadWorkerConfig(env), testLogger());
  intake = await startIntake(loadIntakeConfig(env), testLogger());
  gateway = await startGateway(loadGatewayConfig({ ...env, GATEWAY_PORT: '0', GATEWAY_SOURCES_FILE: sourcesFile }), testLogger());
  producer = createProducer(kafka);
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await gateway?.close();
  await intake?.close();
  await worker?.close();
  await new Promise((resolve) => simulator?.close(resolve));
  s3?.destroy();
  await db?.drop();
  const admin = new pg.Client({ connectionString: withDatabase(ADMIN, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${oaDatabase} WITH (FORCE)`);
  await admin.end();
});

const ingestOf = (source: string, index: number) => db.catalog.getIngest(ingestIdOf({ source, documentId: documentOf(index).data.documentId, version: 1 }));

describe('every way in, through the real pipeline', () => {
  it('hands documents over by Kafka, push (JSON, XML), middle table and package drop (folder, EEP)', async () => {
    const record = (source: string, indices: readonly number[], route: 'kafka' | 'push' | 'table' | 'package') => ledger.record(indices.map((i) => ledgerEntryOf(documentOf(i), source, route)));
    const { kafka: viaKafka, 'push JSON': json, 'push XML': xml, 'middle table': table, 'folder package': folder, 'EEP package': eep } = ROUTES;

    const published = await Promise.all(viaKafka.indices.map((first) => publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED!, source: viaKafka.source, seed: SEED, count: 1, first, baseUrl })));
    expect(published.flat()).toHaveLength(viaKafka.indices.length);
    await record(viaKafka.source, viaKafka.indices, 'kafka');

    for (const [shape, route] of [['json', json], ['xml', xml]] as const) {
      for (const first of route.indices) {
        const [pushed] = await pushDocuments({ gatewayUrl: gateway.url, shape, seed: SEED, count: 1, first, baseUrl });
        expect(pushed, JSON.stringify(pushed?.answer)).toMatchObject({ status: 202, answer: { status: 'accepted' } });
      }
      await record(route.source, route.indices, 'push');
    }

    const rows = table.indices.flatMap((first) => outboxRowsOf({ seed: SEED, count: 1, first, baseUrl }));
    await waitFor(() => gateway.app.inject({ url: '/readyz' }).then((r) => r.statusCode === 200), { what: 'the gateway (and its middle table) to be ready' });
    await writeMiddleTableRows({ driver: 'postgresql', url: withDatabase(ADMIN, oaDatabase), table: 'oa_simulator_outbox' }, rows);
    await record(table.source, table.indices, 'table');

    for (const [shape, route] of [['folder', folder], ['eep', eep]] as const) {
      for (const index of route.indices) await dropPackage({ kind: 's3', s3, bucket: dropbox, prefix: `${route.source}/` }, packageOf(documentOf(index), shape));
      await record(route.source, route.indices, 'package');
    }
    for (const [source, index] of Object.entries(GAPS)) await ledger.record([ledgerEntryOf(documentOf(index), source, 'none')]);

    await waitFor(
      async () => {
        const ingests = await db.catalog.listIngests();
        return ingests.length === EXPECTED && ingests.every((i) => FINAL_STATUSES.includes(i.status) || i.status === 'REVIEW') && (await worker.deps.queues.backlog()) === 0;
      },
      { timeoutMs: 240_000, intervalMs: 500, what: `${EXPECTED} documents from six routes with an outcome` },
    );
  });

  it.each(Object.entries(ROUTES))('files what came by %s, recorded with its way in', async (_route, { source, indices, channel }) => {
    for (const index of indices) {
      const ingest = await ingestOf(source, index);
      expect(ingest, `${source} ${index}`).toBeDefined();
      expect(ingest!.status, `${source} ${documentOf(index).data.title}: ${ingest!.failureReason ?? ''}`).toBe('FILED');
      const classification = await classificationOf(db.catalog.pool, ingest!.ingestId);
      expect(classification?.referenceCode).toMatch(/^A182-/);
      const components = await db.catalog.listComponents(ingest!.ingestId);
      expect(components.map((c) => c.fileName)).toEqual(documentOf(index).components.map((c) => c.fileName));
      for (const component of components) expect(await worker.deps.store.digestOf(component.archiveBucket!, component.archiveKey!)).toMatchObject({ size: component.size, sha256: component.sha256 });
      const submission = await gatewaySubmissionOf(db.catalog.pool, { source, documentId: ingest!.documentId, version: 1 });
      expect(submission?.channel ?? null).toBe(channel);
      // A package's files were staged by the gateway: fetched from the store, never from the OA over HTTP.
      if (channel === 'package') expect(components.every((c) => c.sourceUrl.startsWith(`s3://${env.S3_STAGING_BUCKET}/oa-packages/${source}/sha256/`))).toBe(true);
      else expect(components.every((c) => c.sourceUrl.startsWith(`${baseUrl}/files/`))).toBe(true);
    }
  });

  it('moves each dropped package to done/ with a receipt naming its ingest', async () => {
    for (const route of [ROUTES['folder package'], ROUTES['EEP package']]) {
      const incoming: string[] = [];
      for await (const key of listKeys(s3, dropbox, `${route.source}/incoming/`)) incoming.push(key);
      expect(incoming).toEqual([]);
      for (const index of route.indices) {
        const name = route.source === 'oa-sim-eep' ? `${documentOf(index).data.documentId}.xml` : documentOf(index).data.documentId;
        expect(await gatewayPackageOf(db.catalog.pool, route.source, name)).toMatchObject({ state: 'done', ingestId: (await ingestOf(route.source, index))!.ingestId });
      }
    }
  });
});

describe('completeness (应归尽归) after the run', () => {
  // The simulator's documents carry 2025 dates (a publish may date them shortly before now): both are inside.
  const period = { since: new Date('2025-01-01T00:00:00+08:00'), until: new Date(Date.now() + 86_400_000) };

  it.each(Object.entries(GAPS))('finds what %s finalized and never sent, and nothing else missing', async (source, gap) => {
    const report = await completenessReport({ db: db.catalog.pool, target: await completenessTargetOf(sourcesFile, source), ...period });
    const sent = Object.values(ROUTES).find((r) => r.source === source)!.indices;
    expect(report.missing.map((d) => d.documentId)).toEqual([documentOf(gap).data.documentId]);
    expect(report.counts).toMatchObject({ listed: sent.length + 1, received: sent.length, final: sent.length, notFinal: 0, unlisted: 0 });
  });

  it('checks a middle-table source against its table: everything written arrived', async () => {
    const report = await completenessReport({ db: db.catalog.pool, target: await completenessTargetOf(sourcesFile, 'oa-sim-table'), since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 60_000) });
    expect(report.listedBy).toContain('oa_simulator_outbox');
    expect(report.counts).toMatchObject({ listed: 2, missing: 0, final: 2 });
  });

  it('checks the Kafka route by the same list: nothing missing', async () => {
    const report = await completenessReport({ db: db.catalog.pool, target: await completenessTargetOf(sourcesFile, 'oa-simulator'), ...period });
    expect(report.counts).toMatchObject({ listed: 2, missing: 0, final: 2 });
  });
});
