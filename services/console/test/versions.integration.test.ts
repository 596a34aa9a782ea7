import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiToken, recordAip, recordClassification } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { StageQueues } from '@oa-archive/pipeline';
import { testKafka, testLogger, uniqueName } from '@oa-archive/testing';
import { buildConsole, loadConsoleConfig, type ConsoleDeps } from '../src/index.ts';
import { scheduleDeps } from './harness.ts';

/** The ingest page lists every version of the document: one archival item, a bag per filed version. */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
let viewer = '';
const ids: string[] = [];

beforeAll(async () => {
  db = await createTestCatalog();
  const config = loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('console-ver') });
  redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  deps = { config, catalog: db.catalog, queues: new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: 2, backoffMs: 10 } }), redis, kafka: testKafka(), ...(await scheduleDeps()), logger: testLogger() };
  app = await buildConsole(deps);
  viewer = (await createApiToken(db.catalog.pool, 'viewer-1', 'viewer')).token;

  // Version 1 filed under a 档号, version 2 filed as its new version, as the pipeline leaves them.
  const event = exampleEventFor('FW-2025-0137');
  const parts = { fonds: 'A182', category: 'WS', year: 2025, retention: 'Y' as const, org: 'BGS' };
  for (const version of [1, 2]) {
    const id = `ing_console_v${version}`;
    ids.push(id);
    await seedIngestAt(db.catalog, id, { ...event, id: `${event.id}-v${version}`, data: { ...event.data, version } }, { status: 'IN_PROGRESS', stage: 'classify' });
    const decided = await recordClassification(
      db.catalog.pool,
      id,
      { outcome: 'FILE', category: 'WS', retention: 'Y', organisationCode: 'BGS', year: 2025, ruleIds: ['Y-OWN-RULES'], scheduleVersion: 't', explanation: `第${version}版归档` },
      { itemClass: parts, format: (item) => `A182-WS·2025-Y-BGS-${String(item).padStart(4, '0')}` },
    );
    await recordAip(db.catalog.pool, id, `A182/2025/WS/Y/${decided.referenceCode}${version > 1 ? `.v${version}` : ''}`, []);
    const run = { attempt: 1, startedAt: new Date(), finishedAt: new Date(), detail: {} };
    await db.catalog.completeStage(id, 'classify', run, { next: 'deposit' });
    await db.catalog.completeStage(id, 'deposit', run, { outcome: { status: 'FILED', payload: {} } });
  }
});
afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

describe('versions on the ingest page', () => {
  it('lists both versions under the one 档号, which one the second follows, and where each bag is', async () => {
    const detail = (await app.inject({ url: `/api/ingests/${ids[1]}`, headers: { authorization: `Bearer ${viewer}` } })).json();
    expect(detail.versions.map((v: { version: number; status: string; classification: { referenceCode: string; versionOf: string | null }; aipPrefix: string }) => [v.version, v.status, v.classification.referenceCode, v.classification.versionOf, v.aipPrefix])).toEqual([
      [1, 'FILED', 'A182-WS·2025-Y-BGS-0001', null, 'A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001'],
      [2, 'FILED', 'A182-WS·2025-Y-BGS-0001', ids[0], 'A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001.v2'],
    ]);
    const page = (await app.inject({ url: `/ingests/${ids[0]}`, headers: { authorization: `Bearer ${viewer}`, accept: 'text/html' } })).body;
    expect(page).toContain('<table id="versions">');
    expect(page.match(/data-version="\d"/g)).toEqual(['data-version="1"', 'data-version="2"']);
    expect(page).toContain('<code>A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001.v2/</code>');
    expect(page).toContain(`<a href="/ingests/${ids[1]}">v2</a>`);
  });
});
