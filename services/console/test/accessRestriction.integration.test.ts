import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auditEventsOf, createApiToken, markWaiting, recordAccessRestriction, recordAip, recordClassification } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { accessRestrictionOf } from '@oa-archive/classify';
import { s3SettingsOf } from '@oa-archive/config';
import { StageQueues } from '@oa-archive/pipeline';
import { createS3Client, ensureBuckets, ObjectStore } from '@oa-archive/storage';
import { testKafka, testLogger, uniqueName } from '@oa-archive/testing';
import { buildConsole, loadConsoleConfig, type ConsoleDeps } from '../src/index.ts';
import { scheduleDeps } from './harness.ts';

/**
 * 限制利用 against the real catalog and object store: a filed 内部 document shows its metadata to
 * every role, its content (and where it lies) only to admin, the role the default schedule names.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
const tokens: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };
const as = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });
const RESTRICTED = 'ing_console_internal';
const OPEN = 'ing_console_open';
const WAITING = 'ing_console_waiting';
const BYTES = Buffer.from('内部文件正文：仅限本机关使用');

beforeAll(async () => {
  db = await createTestCatalog();
  const bucket = uniqueName('test-archive');
  const config = loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('console-acc'), S3_ARCHIVE_BUCKET: bucket });
  const s3 = createS3Client(s3SettingsOf(config));
  await ensureBuckets(s3, [bucket]);
  const store = new ObjectStore(s3);
  redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  deps = { config, catalog: db.catalog, queues: new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: 2, backoffMs: 10 } }), redis, kafka: testKafka(), ...(await scheduleDeps()), logger: testLogger(), contentStore: store };
  app = await buildConsole(deps);
  for (const role of ['viewer', 'operator', 'admin'] as const) tokens[role] = (await createApiToken(db.catalog.pool, `${role}-acc`, role)).token;

  // Two filed documents as the pipeline leaves them, one 内部 (restricted as the schedule says), one 公开.
  for (const [n, id, securityLevel] of [[1, RESTRICTED, '内部'], [2, OPEN, '公开']] as const) {
    const event = exampleEventFor(`FW-ACC-${n}`);
    await seedIngestAt(db.catalog, id, { ...event, data: { ...event.data, securityLevel } }, { status: 'IN_PROGRESS', stage: 'classify' });
    await recordAccessRestriction(db.catalog.pool, id, accessRestrictionOf(deps.schedule, securityLevel));
    const decided = await recordClassification(
      db.catalog.pool,
      id,
      { outcome: 'FILE', category: 'WS', retention: 'Y', organisationCode: 'BGS', year: 2025, ruleIds: ['Y-OWN-RULES'], scheduleVersion: deps.schedule.version, explanation: '归档' },
      { itemClass: { fonds: 'A182', category: 'WS', year: 2025, retention: 'Y', org: 'BGS' }, format: (item) => `A182-WS·2025-Y-BGS-${String(item).padStart(4, '0')}` },
    );
    const key = `A182/2025/WS/Y/${decided.referenceCode}/data/original/001-正文.txt`;
    await store.putBuffer({ bucket, key, content: BYTES, sha256: createHash('sha256').update(BYTES).digest('hex'), contentType: 'text/plain' });
    const [first] = await db.catalog.listComponents(id);
    await db.catalog.recordDeposited(id, first!.ordinal, { bucket, key });
    await recordAip(db.catalog.pool, id, `A182/2025/WS/Y/${decided.referenceCode}`, []);
    const run = { attempt: 1, startedAt: new Date(), finishedAt: new Date(), detail: {} };
    await db.catalog.completeStage(id, 'classify', run, { next: 'deposit' });
    await db.catalog.completeStage(id, 'deposit', run, { outcome: { status: 'FILED', payload: {} } });
  }
  // One held in characterize while clamd does not answer.
  await seedIngestAt(db.catalog, WAITING, exampleEventFor('FW-ACC-3'), { status: 'IN_PROGRESS', stage: 'characterize' });
  await markWaiting(db.catalog.pool, WAITING, { for: 'virus-scanner', reason: 'clamd at /run/clamd.sock did not answer (ENOENT)' });
});
afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

const detail = async (role: keyof typeof tokens, id: string) => (await app.inject({ url: `/api/ingests/${id}`, headers: as(role) })).json();
const content = (role: keyof typeof tokens, id: string) => app.inject({ url: `/api/ingests/${id}/components/1/content`, headers: as(role) });

describe('限制利用 (a 内部 document) in the console and its JSON API', () => {
  it('shows a viewer the metadata of a restricted document, but not where its content lies', async () => {
    const d = await detail('viewer', RESTRICTED);
    expect(d.access).toMatchObject({ restricted: true, controlMark: '控制', securityLevel: '内部', minimumRole: 'admin', contentAvailable: false });
    expect(d.ingest).toMatchObject({ status: 'FILED', title: expect.any(String) });
    expect(d.classification.referenceCode).toMatch(/^A182-WS·2025-Y-BGS-/);
    expect(d.aip).toBeNull();
    const components = d.components as { archiveKey: string | null; archiveBucket: string | null; fileName: string; role: string }[];
    expect(components.length).toBeGreaterThan(0);
    for (const c of components) expect(c).toMatchObject({ archiveKey: null, archiveBucket: null, fileName: expect.any(String), role: expect.any(String) });
    expect(JSON.stringify(d)).not.toContain('/data/original/');
  });

  it('refuses a viewer and an operator the content, and gives it to admin', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const refused = await content(role, RESTRICTED);
      expect(refused.statusCode, role).toBe(403);
      expect(refused.json().error).toContain('限制利用');
    }
    const given = await content('admin', RESTRICTED);
    expect(given.statusCode).toBe(200);
    expect(given.rawPayload.equals(BYTES)).toBe(true);
    const full = await detail('admin', RESTRICTED);
    expect(full.access).toMatchObject({ restricted: true, contentAvailable: true });
    expect(full.aip.prefix).toMatch(/^A182\/2025\/WS\/Y\//);
    // 利用登记: each use and each refusal is in the audit trail, with who and how.
    const uses = (await auditEventsOf(db.catalog.pool, RESTRICTED)).filter((e) => e.type.startsWith('content.')).map((e) => ({ type: e.type, actor: e.actor, payload: e.payload }));
    expect(uses).toEqual([
      { type: 'content.refused', actor: 'person:viewer-acc', payload: { use: 'refused', ordinal: 1, role: 'viewer', needed: 'admin' } },
      { type: 'content.refused', actor: 'person:operator-acc', payload: { use: 'refused', ordinal: 1, role: 'operator', needed: 'admin' } },
      { type: 'content.used', actor: 'person:admin-acc', payload: { use: 'download', ordinal: 1, copy: 'original', restricted: true } },
    ]);
  });

  it('gives anyone the content of an unrestricted document', async () => {
    expect((await detail('viewer', OPEN)).access).toEqual({ restricted: false, contentAvailable: true });
    const given = await content('viewer', OPEN);
    expect(given.statusCode).toBe(200);
    expect(given.rawPayload.equals(BYTES)).toBe(true);
    expect(given.headers['accept-ranges']).toBe('bytes');
  });

  it('continues an interrupted download from where it stopped (Range), and refuses the range to a role below the restriction', async () => {
    const resumed = await app.inject({ url: `/api/ingests/${OPEN}/components/1/content`, headers: { ...as('viewer'), range: 'bytes=4-' } });
    expect(resumed.statusCode).toBe(206);
    expect(resumed.rawPayload.equals(BYTES.subarray(4))).toBe(true);
    expect(resumed.headers['content-range']).toBe(`bytes 4-${BYTES.length - 1}/${BYTES.length}`);
    expect(resumed.headers['content-disposition']).toMatch(/^attachment; /);
    const refused = await app.inject({ url: `/api/ingests/${RESTRICTED}/components/1/content`, headers: { ...as('viewer'), range: 'bytes=4-' } });
    expect(refused.statusCode).toBe(403);
  });

  it('answers HEAD with the size and no content, and records no use: nothing was read', async () => {
    const uses = async () => (await auditEventsOf(db.catalog.pool, OPEN)).filter((e) => e.type === 'content.used').length;
    const before = await uses();
    const head = await app.inject({ method: 'HEAD', url: `/api/ingests/${OPEN}/components/1/content`, headers: as('viewer') });
    expect(head.statusCode).toBe(200);
    expect(head.headers).toMatchObject({ 'content-length': String(BYTES.length), 'accept-ranges': 'bytes' });
    expect(head.rawPayload.length).toBe(0);
    expect(await uses()).toBe(before);
  });

  it('marks the page 限制利用, with a download link only for a role that may use the content', async () => {
    const page = (role: keyof typeof tokens) => app.inject({ url: `/ingests/${RESTRICTED}`, headers: { ...as(role), accept: 'text/html' } }).then((r) => r.body);
    const viewerPage = await page('viewer');
    expect(viewerPage).toContain('data-access="restricted"');
    expect(viewerPage).toContain('限制利用');
    expect(viewerPage).toContain('data-content="withheld"');
    expect(viewerPage).not.toContain('/components/1/content');
    const adminPage = await page('admin');
    expect(adminPage).toContain('data-content="available"');
    expect(adminPage).toContain(`/api/ingests/${RESTRICTED}/components/1/content`);
  });

  it('shows a document waiting for the virus scanner as such', async () => {
    const d = await detail('viewer', WAITING);
    expect(d.waiting).toMatchObject({ for: 'virus-scanner', reason: expect.stringContaining('did not answer') });
    const page = (await app.inject({ url: `/ingests/${WAITING}`, headers: { ...as('viewer'), accept: 'text/html' } })).body;
    expect(page).toContain('data-waiting="virus-scanner"');
    expect(page).toContain('等待病毒扫描服务');
  });
});
