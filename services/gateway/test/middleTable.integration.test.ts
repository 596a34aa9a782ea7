import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { oaSourceSchema } from '@oa-archive/config';
import { ingestIdOf, parseDocumentFinalized } from '@oa-archive/contracts';
import { createProducer, ensureTopics } from '@oa-archive/kafka';
import { readTopic, testKafka, testLogger, uniqueName } from '@oa-archive/testing';
import { DeliveryError, GatewayMetrics, loadMapping, MiddleTablePoller, openMiddleTable, Submitter, type GatewaySource, type MiddleTable } from '../src/index.ts';
import { FILE_ORIGIN, FIXTURES, MAPPINGS } from './support/gateway.ts';
import { recordsOn } from './support/kafka.ts';
import { mariadbOaDatabase, postgresOaDatabase, type OaDatabase } from './support/oaDatabase.ts';

const SOURCE = 'oa-table';
const template = readFileSync(path.join(FIXTURES, 'oa-json-push.json'), 'utf8');

/** The OA's JSON for one document: the fixture under another id (its file URLs follow). */
const payloadFor = (documentId: string, change: (json: string) => string = (j) => j) => change(template.replaceAll('FW-2025-0137', documentId));

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let source: GatewaySource;
const producers: Producer[] = [];
const tables: MiddleTable[] = [];

async function connectedProducer(): Promise<Producer> {
  const producer = createProducer(testKafka());
  await producer.connect();
  producers.push(producer);
  return producer;
}

/** What one gateway process has: its own producer, its own connections to the OA's table, one poller. */
async function pollerProcess(oa: OaDatabase, topic: string, pollerId: string, options: { producer?: Producer; leaseMs?: number } = {}) {
  const table = openMiddleTable({ driver: oa.driver, url: oa.url, table: oa.table });
  tables.push(table);
  const submitter = new Submitter({
    pool: db.catalog.pool,
    producer: options.producer ?? (await connectedProducer()),
    topic,
    origins: { [SOURCE]: oaSourceSchema.parse({ allowedOrigins: [FILE_ORIGIN] }) },
    limits: { maxComponents: 200, maxDeclaredBytes: 2 ** 34, maxRecordBytes: 1024 * 1024 },
    ackTimeoutMs: 10_000,
    logger: testLogger(),
  });
  return { table, poller: new MiddleTablePoller({ source, table, submitter, pollerId, batchSize: 4, pollMs: 100, leaseMs: options.leaseMs ?? 300_000, logger: testLogger(), metrics: new GatewayMetrics({ defaultMetrics: false }) }) };
}

beforeAll(async () => {
  db = await createTestCatalog();
  const mappingFile = path.join(MAPPINGS, 'oa-json-nested.yaml');
  source = { id: SOURCE, mapping: await loadMapping(mappingFile), mappingFile, credentials: { hmac: [], bearer: [] } };
});

afterAll(async () => {
  await Promise.all(tables.map((t) => t.close()));
  await Promise.all(producers.map((p) => p.disconnect()));
  await db?.drop();
});

describe.each([
  ['PostgreSQL', postgresOaDatabase],
  ['MariaDB', mariadbOaDatabase],
])('middle table on %s', (_name, openOaDatabase) => {
  let oa: OaDatabase;

  beforeAll(async () => {
    oa = await openOaDatabase();
    // The documented DDL, as the gateway runs it for `create: true`.
    const table = openMiddleTable({ driver: oa.driver, url: oa.url, table: oa.table });
    await table.create();
    await table.create(); // idempotent
    await table.close();
  });

  afterAll(async () => {
    await oa?.drop();
  });

  it('two pollers racing over 50 rows publish each row exactly once', async () => {
    const topic = uniqueName('gateway-table');
    await ensureTopics(testKafka(), [{ topic, numPartitions: 3 }]);
    const ids = Array.from({ length: 50 }, (_, i) => `${oa.driver}-RACE-${String(i + 1).padStart(3, '0')}`);
    await oa.insert(ids.map((docId) => ({ docId, payload: payloadFor(docId) })));
    const a = await pollerProcess(oa, topic, 'poller-a');
    const b = await pollerProcess(oa, topic, 'poller-b');

    // Both claim at the same moment, round after round, until nothing is left.
    for (;;) {
      const [ra, rb] = await Promise.all([a.poller.pollOnce(), b.poller.pollOnce()]);
      if (ra.claimed === 0 && rb.claimed === 0) break;
    }

    const rows = (await oa.rows()).filter((r) => r.doc_id.includes('-RACE-'));
    expect(rows).toHaveLength(50);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'published', ingest_id: ingestIdOf({ source: SOURCE, documentId: row.doc_id, version: 1 }), result: expect.stringMatching(/^published as event gw_/) });
      // Claimed once: no row was taken by both pollers.
      expect(row.attempts).toBe(1);
    }
    const claimedBy = new Set(rows.map((r) => r.claimed_by));
    expect(claimedBy).toEqual(new Set(['poller-a', 'poller-b']));

    expect(await recordsOn(topic)).toBe(50);
    const messages = await readTopic(testKafka(), topic, 50);
    const documentIds = messages.map((m) => {
      const parsed = parseDocumentFinalized({ value: Buffer.from(m.value), headers: m.headers });
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(parsed.event.source).toBe(SOURCE);
      // Chinese text survives the OA's database, its driver and the mapping unchanged.
      expect(parsed.event.data.title).toBe('关于做好2025年度档案移交工作的通知');
      return parsed.event.data.documentId;
    });
    expect(documentIds.sort()).toEqual(ids);
  });

  it('rejects rows the archive cannot accept, with the reason, and takes over a dead poller\'s row', async () => {
    const topic = uniqueName('gateway-table');
    await ensureTopics(testKafka(), [{ topic, numPartitions: 1 }]);
    const prefix = `${oa.driver}-MIXED`;
    await oa.insert([
      { docId: `${prefix}-NO-TITLE`, payload: payloadFor(`${prefix}-NO-TITLE`, (j) => j.replace(/"标题": "[^"]*",/, '')) },
      { docId: `${prefix}-OTHER-ID`, payload: payloadFor(`${prefix}-SOMETHING-ELSE`) },
      { docId: `${prefix}-BROKEN`, payload: '{"公文": {' },
      // Claimed ten minutes ago by a poller that died before finishing it.
      { docId: `${prefix}-ORPHAN`, payload: payloadFor(`${prefix}-ORPHAN`), status: 'claimed', claimedBy: 'dead-poller', claimedMinutesAgo: 10 },
      // Claimed a moment ago by a poller that is still at work: left alone.
      { docId: `${prefix}-BUSY`, payload: payloadFor(`${prefix}-BUSY`), status: 'claimed', claimedBy: 'live-poller', claimedMinutesAgo: 0 },
    ]);
    const { poller } = await pollerProcess(oa, topic, 'poller-c', { leaseMs: 5 * 60_000 });
    while ((await poller.pollOnce()).claimed > 0);

    const rows = Object.fromEntries((await oa.rows()).filter((r) => r.doc_id.startsWith(prefix)).map((r) => [r.doc_id.slice(prefix.length + 1), r]));
    expect(rows['NO-TITLE']).toMatchObject({ status: 'rejected', ingest_id: null, result: expect.stringMatching(/- title \(标题\): /) });
    expect(rows['OTHER-ID']).toMatchObject({ status: 'rejected', result: expect.stringMatching(/the payload says "[^"]+-SOMETHING-ELSE" but the row's doc_id is "[^"]+-OTHER-ID"/) });
    expect(rows.BROKEN).toMatchObject({ status: 'rejected', result: expect.stringMatching(/not JSON/) });
    expect(rows.ORPHAN).toMatchObject({ status: 'published', claimed_by: 'poller-c', attempts: 1 });
    expect(rows.BUSY).toMatchObject({ status: 'claimed', claimed_by: 'live-poller' });
    expect(await recordsOn(topic)).toBe(1);
  });

  it('puts rows back to ready when Kafka does not acknowledge, publishing nothing', async () => {
    const topic = uniqueName('gateway-table');
    await ensureTopics(testKafka(), [{ topic, numPartitions: 1 }]);
    const prefix = `${oa.driver}-NOKAFKA`;
    await oa.insert([1, 2].map((i) => ({ docId: `${prefix}-${i}`, payload: payloadFor(`${prefix}-${i}`) })));
    const producer = await connectedProducer();
    await producer.disconnect();
    const { poller } = await pollerProcess(oa, topic, 'poller-d', { producer });
    await expect(poller.pollOnce()).rejects.toBeInstanceOf(DeliveryError);
    const rows = (await oa.rows()).filter((r) => r.doc_id.startsWith(prefix));
    expect(rows.map((r) => [r.status, r.claimed_by])).toEqual([
      ['ready', null],
      ['ready', null],
    ]);
    expect(rows[0]!.result).toMatch(/^not yet delivered \(will retry\): Kafka did not acknowledge/);
    expect(await recordsOn(topic)).toBe(0);
  });
});
