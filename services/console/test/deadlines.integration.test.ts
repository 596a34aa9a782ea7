import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { ingestIdOf, type IngestStatus } from '@oa-archive/contracts';
import { StageQueues } from '@oa-archive/pipeline';
import { testKafka, testLogger, uniqueName } from '@oa-archive/testing';
import { buildConsole, loadConsoleConfig, type ConsoleDeps } from '../src/index.ts';
import { scheduleDeps } from './harness.ts';

/**
 * Filing deadlines (归档时间节点) and the completeness check on the console, against a real catalog and
 * the default schedule (5 working days): overdue documents on the timeliness page, in the API and in
 * /metrics per department; the completeness page naming a document the OA finalized and never sent.
 */
const TOKEN = 'console-completeness-token-01';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
let oa: Server;
let viewer = '';

async function seed(documentId: string, departmentCode: string, finalized: Date, status: IngestStatus) {
  const event = exampleEventFor(documentId);
  const data = { ...event.data, departmentCode, dates: { ...event.data.dates, created: new Date(finalized.getTime() - 86_400_000).toISOString(), finalized: finalized.toISOString() } };
  await seedIngestAt(db.catalog, ingestIdOf({ source: 'oa-list', documentId, version: 1 }), { ...event, source: 'oa-list', data }, { status });
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

beforeAll(async () => {
  db = await createTestCatalog();
  oa = createServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return void response.writeHead(401).end();
    const documents = ['D-OVERDUE-REVIEW', 'D-FILED-ON-TIME', 'D-NEVER-SENT'].map((documentId) => ({ documentId, version: 1, finalizedAt: daysAgo(60).toISOString(), departmentCode: 'BGS' }));
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ documents }));
  });
  await new Promise<void>((resolve) => oa.listen(0, '127.0.0.1', resolve));
  const sourcesFile = path.join(mkdtempSync(path.join(tmpdir(), 'console-sources-')), 'sources.yaml');
  writeFileSync(
    sourcesFile,
    `schema: oa-archive/gateway-sources@1
sources:
  oa-list:
    mapping: mappings/oa-json-nested.yaml
    bearer: [{ token: push-token-0123456789abcdef }]
    finalizedList: { url: 'http://127.0.0.1:${(oa.address() as AddressInfo).port}/finalized', token: ${TOKEN} }
  oa-push-only:
    mapping: mappings/oa-json-nested.yaml
    bearer: [{ token: push-token-0123456789abcdef }]
`,
  );
  const config = loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('console-deadlines'), GATEWAY_SOURCES_FILE: sourcesFile });
  redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  deps = { config, catalog: db.catalog, queues: new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: 2, backoffMs: 10 } }), redis, kafka: testKafka(), ...(await scheduleDeps()), logger: testLogger() };
  app = await buildConsole(deps);
  viewer = (await createApiToken(db.catalog.pool, 'viewer-deadlines', 'viewer')).token;
  await seed('D-OVERDUE-REVIEW', 'BGS', daysAgo(60), 'REVIEW');
  await seed('D-OVERDUE-FAILED', 'CWK', daysAgo(30), 'FAILED');
  await seed('D-FRESH', 'BGS', new Date(), 'IN_PROGRESS');
  await seed('D-FILED-ON-TIME', 'BGS', new Date(), 'FILED');
  await seed('D-EXCLUDED', 'CWK', daysAgo(60), 'EXCLUDED');
});

afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  oa?.close();
  await db?.drop();
});

const as = () => ({ authorization: `Bearer ${viewer}` });

describe('overdue documents', () => {
  it('are listed by the API, most overdue first, with their deadline and the rule that set it', async () => {
    const body = (await app.inject({ url: '/api/timeliness/overdue', headers: as() })).json();
    expect(body.overdue.map((d: { documentId: string; status: string; rule: string; workingDays: number }) => [d.documentId, d.status, d.rule, d.workingDays])).toEqual([
      ['D-OVERDUE-REVIEW', 'REVIEW', 'default', 5],
      ['D-OVERDUE-FAILED', 'FAILED', 'default', 5],
    ]);
    expect(body.byDepartment).toEqual([
      { department: 'BGS', overdue: 1 },
      { department: 'CWK', overdue: 1 },
    ]);
    expect(new Date(body.overdue[0].dueBy).getTime()).toBeLessThan(Date.now());
  });

  it('are a gauge per department in /metrics', async () => {
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/oa_archive_filing_overdue\{department="BGS"\} 1/);
    expect(metrics).toMatch(/oa_archive_filing_overdue\{department="CWK"\} 1/);
  });

  it('show on the timeliness page, beside on-time, late and pending per department', async () => {
    const page = (await app.inject({ url: '/timeliness', headers: { ...as(), 'accept-language': 'en' } })).body;
    expect(page).toContain('<table id="deadlines">');
    expect(page).toMatch(/<tr data-department="BGS">.*?<td>1<\/td><td>0<\/td><td class="fail">1<\/td><td>1<\/td><\/tr>/s);
    expect([...page.matchAll(/<tr data-ingest="([^"]+)"/g)].map((m) => m[1])).toEqual([ingestIdOf({ source: 'oa-list', documentId: 'D-OVERDUE-REVIEW', version: 1 }), ingestIdOf({ source: 'oa-list', documentId: 'D-OVERDUE-FAILED', version: 1 })]);
  });
});

describe('the completeness page', () => {
  it('offers the sources that can be checked, and names what the OA finalized and never sent', async () => {
    const blank = (await app.inject({ url: '/completeness', headers: { ...as(), 'accept-language': 'en' } })).body;
    expect([...blank.matchAll(/<option[^>]*>([^<]+)<\/option>/g)].map((m) => m[1])).toEqual(['oa-list']);
    const since = daysAgo(90).toISOString().slice(0, 10);
    const until = daysAgo(-1).toISOString().slice(0, 10);
    const page = (await app.inject({ url: `/completeness?source=oa-list&since=${since}&until=${until}`, headers: { ...as(), 'accept-language': 'en' } })).body;
    expect(page).toMatch(/<p id="summary" data-missing="1" data-not-final="1">/);
    expect([...page.matchAll(/<tr data-document="([^"]+)"/g)].map((m) => m[1])).toEqual(['D-NEVER-SENT', 'D-OVERDUE-REVIEW']);
    expect(page).toContain('OVERDUE');
    const api = (await app.inject({ url: `/api/completeness?source=oa-list&since=${since}&until=${until}`, headers: as() })).json();
    expect(api.counts).toMatchObject({ listed: 3, missing: 1, notFinal: 1, final: 1 });
  });

  it('says why a check cannot run', async () => {
    const page = await app.inject({ url: '/completeness?source=oa-push-only&since=2025-01-01&until=2026-01-01', headers: { ...as(), 'accept-language': 'en' } });
    expect(page.statusCode).toBe(502);
    expect(page.body).toContain('neither a finalizedList nor a middleTable');
    expect((await app.inject({ url: '/api/completeness?source=oa-list&since=2026-01-01&until=2025-01-01', headers: as() })).statusCode).toBe(400);
  });
});
