import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { auditEventsOf, classificationOf, createApiToken, recordAccessRestriction, recordCharacterization, recordClassification, recordPreservationCopy } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { accessRestrictionOf } from '@oa-archive/classify';
import { s3SettingsOf } from '@oa-archive/config';
import { StageQueues } from '@oa-archive/pipeline';
import { createS3Client, ensureBuckets, ObjectStore } from '@oa-archive/storage';
import { testKafka, testLogger, uniqueName } from '@oa-archive/testing';
import { buildConsole, loadConsoleConfig, type ConsoleDeps } from '../src/index.ts';
import { scheduleDeps } from './harness.ts';

/**
 * Review decisions a person can stand behind, against the real PostgreSQL, Redis and object store:
 * the 档号 a filing will take (provisional) and the one it took, one decision for many documents with a
 * reason, reported item by item, the basis of every decision, and previews of what is decided on
 * (under the same access restriction as downloads).
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
let store: ObjectStore;
let stagingBucket = '';
const tokens: Record<'viewer' | 'admin', string> = { viewer: '', admin: '' };
const as = (role: keyof typeof tokens, headers: Record<string, string> = {}) => ({ authorization: `Bearer ${tokens[role]}`, ...headers });
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * A document waiting for review after classify: `rule` names the filing rule a finding held it back from
 * (its suggestion), or none when no rule decided. Its components' bytes lie in staging.
 */
async function waiting(documentId: string, options: { rule?: string; securityLevel?: '公开' | '内部'; mediaType?: string; copy?: 'pdf' | 'none'; unsafe?: boolean } = {}) {
  const event = exampleEventFor(documentId);
  const id = `ing_${documentId}`;
  await seedIngestAt(db.catalog, id, { ...event, data: { ...event.data, securityLevel: options.securityLevel ?? '公开' } }, { status: 'REVIEW', stage: 'classify' });
  if (options.securityLevel) await recordAccessRestriction(db.catalog.pool, id, accessRestrictionOf(deps.schedule, options.securityLevel));
  const ruleIds = options.rule ? [options.rule, 'builtin:integrity:corrupt'] : [];
  await recordClassification(db.catalog.pool, id, { outcome: 'REVIEW', category: null, retention: null, organisationCode: null, year: null, ruleIds, scheduleVersion: 't', explanation: '请人工核实' });
  const original = Buffer.from(options.mediaType === 'text/html' ? '<script>alert(1)</script>' : 'original bytes');
  const key = `${id}/1/original`;
  await store.putBuffer({ bucket: stagingBucket, key, content: original, sha256: sha256(original) });
  await db.catalog.recordFetched(id, 1, { stagingKey: key, size: original.length, sha256: sha256(original) });
  await recordCharacterization(db.catalog.pool, id, {
    ordinal: 1, formatName: 'x', mediaType: options.mediaType ?? 'application/msword', puid: null, format: {}, size: original.length, sha256: sha256(original), sm3: '0'.repeat(64), technical: {},
    findings: options.unsafe ? [{ code: 'macros', severity: 'unsafe', message: 'macros' }] : [],
  });
  if (options.copy === 'pdf') {
    const copyKey = `${id}/1/preservation.pdf`;
    await store.putBuffer({ bucket: stagingBucket, key: copyKey, content: PDF, sha256: sha256(PDF) });
    await recordPreservationCopy(db.catalog.pool, id, { ordinal: 1, action: 'convert', target: 'PDF/A-2b', stagingKey: copyKey, fileName: '正文.pdf', size: PDF.length, sha256: sha256(PDF), sm3: '0'.repeat(64), formatName: 'PDF/A-2b', puid: 'fmt/476', technical: {}, findings: [] });
  }
  return id;
}

let rule = '';
beforeAll(async () => {
  db = await createTestCatalog();
  stagingBucket = uniqueName('test-staging');
  const config = loadConsoleConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('console-review'), S3_STAGING_BUCKET: stagingBucket, S3_ARCHIVE_BUCKET: uniqueName('test-archive') });
  const s3 = createS3Client(s3SettingsOf(config));
  await ensureBuckets(s3, [stagingBucket]);
  store = new ObjectStore(s3);
  redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  deps = { config, catalog: db.catalog, queues: new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: 2, backoffMs: 10 } }), redis, kafka: testKafka(), ...(await scheduleDeps()), logger: testLogger(), contentStore: store };
  app = await buildConsole(deps);
  for (const role of ['viewer', 'admin'] as const) tokens[role] = (await createApiToken(db.catalog.pool, `${role}-review`, role)).token;
  rule = deps.schedule.rules.find((r) => r.id === 'D30-OWN-NOTICE')!.id;
});
afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

const predict = (id: string, category: string, retention: string, headers: Record<string, string> = {}) => app.inject({ url: `/api/review/${id}/reference-code?category=${category}&retention=${retention}`, headers: as('admin', headers) });
const decide = (id: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url: `/api/review/${id}`, headers: as('admin'), payload });
const bulk = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/review/bulk', headers: as('admin'), payload });
const settlementsOf = async (id: string) =>
  (await db.catalog.pool.query(`SELECT type, payload FROM audit_events WHERE ingest_id = $1 AND type IN ('ingest.review-settled', 'ingest.excluded', 'ingest.quarantined', 'console.review-settled') ORDER BY seq`, [id])).rows as { type: string; payload: Record<string, unknown> }[];

describe('the 档号 a filing will take', () => {
  it('is predicted, provisionally, with the allocation’s own format, and is the one the filing takes', async () => {
    const first = await waiting('PRED-1', { rule });
    const second = await waiting('PRED-2', { rule });
    const predicted = await predict(first, 'WS', 'D30');
    expect(predicted.statusCode).toBe(200);
    expect(predicted.json()).toMatchObject({ how: 'next', itemNumber: 1, provisional: true, referenceCode: expect.stringMatching(/-WS·\d{4}-D30-BGS-0001$/) });
    expect(predicted.json().text).toBe(`将取得档号 ${predicted.json().referenceCode}（暂定：其他文件先归入同类时顺延，以归档后显示的为准）`);
    expect((await predict(first, 'WS', 'D30', { 'accept-language': 'en' })).json().text).toMatch(/^It will take 档号 .+ \(provisional: /);
    // Reading a prediction takes no number: the other document is told the same one.
    expect((await predict(second, 'WS', 'D30')).json().referenceCode).toBe(predicted.json().referenceCode);

    // Another filing takes it first: the prediction moves on, and the settled number is the one predicted then.
    const filed = await decide(second, { action: 'file', category: 'WS', retention: 'D30' });
    expect(filed.json().referenceCode).toBe(predicted.json().referenceCode);
    const now = (await predict(first, 'WS', 'D30')).json();
    expect(now).toMatchObject({ itemNumber: 2, referenceCode: expect.stringMatching(/-0002$/) });
    expect((await decide(first, { action: 'file', category: 'WS', retention: 'D30' })).json().referenceCode).toBe(now.referenceCode);
    expect((await classificationOf(db.catalog.pool, first))?.referenceCode).toBe(now.referenceCode);
  });

  it('is refused for a document not waiting for review and for a category outside the schedule', async () => {
    expect((await predict('ing_PRED-1', 'WS', 'D30')).statusCode).toBe(409);
    const id = await waiting('PRED-3', { rule });
    expect((await predict(id, 'QQ', 'D30')).statusCode).toBe(409);
    expect((await predict(id, 'WS', 'P')).statusCode).toBe(400);
    expect((await app.inject({ url: `/api/review/${id}/reference-code?category=WS&retention=D30`, headers: as('viewer') })).statusCode).toBe(403);
  });

  it('asks for a reason when no rule suggests a class: the person’s note is then the basis', async () => {
    const id = await waiting('NORULE-1');
    expect((await decide(id, { action: 'file', category: 'WS', retention: 'D10' })).json()).toMatchObject({ code: 'review.needReasonNoRule', error: '没有规则建议：请填写归档理由，作为处理依据。' });
    expect((await decide(id, { action: 'file', category: 'WS', retention: 'D10', note: '倡议书具有参考价值' })).json().code).toBe('review.needConfirmation');
    expect((await decide(id, { action: 'file', category: 'WS', retention: 'D10', note: '倡议书具有参考价值', confirmed: true })).statusCode).toBe(200);
    const [settled, audited] = await settlementsOf(id);
    expect(settled!.payload).toMatchObject({ decision: 'file', basis: { kind: 'note', note: '倡议书具有参考价值' } });
    expect(audited).toMatchObject({ type: 'console.review-settled', payload: { basis: { kind: 'note', note: '倡议书具有参考价值' } } });
  });
});

describe('bulk decisions', () => {
  it('files as suggested only what has a suggestion, each in its own transaction, and reports every item', async () => {
    const a = await waiting('BULK-1', { rule });
    const b = await waiting('BULK-2', { rule });
    const none = await waiting('BULK-3');
    const response = await bulk({ action: 'file-as-suggested', note: '同类通知，按规则归档', ingestIds: [a, none, b, 'ing_NO-SUCH'] });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ settled: 2, refused: 2, summary: '已处理 2 件，拒绝 2 件' });
    expect(body.results).toEqual([
      { ingestId: a, status: 'settled', outcome: 'FILE', referenceCode: expect.stringMatching(/-WS·\d{4}-D30-BGS-\d{4}$/) },
      { ingestId: none, status: 'refused', code: 'review.bulk.noSuggestion', error: '没有规则建议，不能按建议归档' },
      { ingestId: b, status: 'settled', outcome: 'FILE', referenceCode: expect.any(String) },
      { ingestId: 'ing_NO-SUCH', status: 'refused', error: 'no ingest ing_NO-SUCH' },
    ]);
    expect(body.results[0].referenceCode).not.toBe(body.results[2].referenceCode);
    expect((await db.catalog.getIngest(none))?.status).toBe('REVIEW');
    for (const id of [a, b]) {
      const [settled, audited] = await settlementsOf(id);
      expect(settled!.payload).toMatchObject({ decision: 'file', note: '同类通知，按规则归档', basis: { kind: 'rule', ruleId: rule } });
      expect(audited!.payload).toMatchObject({ bulk: 'file-as-suggested', basis: { kind: 'rule', ruleId: rule }, referenceCode: expect.any(String) });
    }
  });

  it('excludes or quarantines with the reason as the basis, and refuses a bulk decision without one', async () => {
    const a = await waiting('BULK-4', { rule });
    const b = await waiting('BULK-5');
    expect((await bulk({ action: 'exclude', note: '  ', ingestIds: [a, b] })).statusCode).toBe(400);
    expect((await bulk({ action: 'exclude', ingestIds: [a, b] })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/review/bulk', headers: as('viewer'), payload: { action: 'exclude', note: '重复', ingestIds: [a] } })).statusCode).toBe(403);
    const response = (await bulk({ action: 'exclude', note: '会议通知的重复件', ingestIds: [a, b] })).json();
    expect(response.results.map((r: { status: string }) => r.status)).toEqual(['settled', 'settled']);
    for (const id of [a, b]) {
      expect((await db.catalog.getIngest(id))?.status).toBe('EXCLUDED');
      const [settled] = await settlementsOf(id);
      expect(settled).toMatchObject({ type: 'ingest.excluded', payload: { decision: 'exclude', basis: { kind: 'note', note: '会议通知的重复件' } } });
    }
    // Settled already: refused with the reason, item by item.
    expect((await bulk({ action: 'quarantine', note: '再次处理', ingestIds: [a] })).json().results[0]).toMatchObject({ status: 'refused', error: expect.stringMatching(/not waiting for review/) });
  });
});

describe('the basis on the pages', () => {
  it('shows every settlement of an ingest with its basis on the detail page', async () => {
    const page = (await app.inject({ url: '/ingests/ing_BULK-1', headers: as('viewer') })).body;
    expect(page).toContain('<h2>人工鉴定记录</h2>');
    expect(page).toMatch(new RegExp(`<td class="basis" data-basis="rule" data-rule="${rule}">规则 ${rule}</td>`));
    expect((await app.inject({ url: '/ingests/ing_BULK-4', headers: as('viewer') })).body).toContain('<td class="basis" data-basis="note">说明：会议通知的重复件</td>');
  });

  it('offers admins checkboxes and a bulk bar with labelled fields; viewers neither', async () => {
    await waiting('PAGE-1', { rule });
    const admin = (await app.inject({ url: '/review', headers: as('admin') })).body;
    expect(admin).toContain('<form id="bulk"');
    expect(admin).toContain('<select name="action" aria-label="批量处理方式">');
    expect(admin).toContain('<input name="reason" aria-label="理由（必填）"');
    expect(admin).toContain('aria-label="选择 PAGE-1"');
    expect(admin).toContain('<select name="category" aria-label="门类"');
    expect(admin).toContain('<input name="note" aria-label="理由（与规则建议不同时必填）"');
    const viewer = (await app.inject({ url: '/review', headers: as('viewer') })).body;
    expect(viewer).not.toContain('<form id="bulk"');
    expect(viewer).not.toContain('class="pick"');
  });
});

describe('previews', () => {
  const preview = (id: string, role: keyof typeof tokens = 'admin') => app.inject({ url: `/api/ingests/${id}/components/1/preview`, headers: as(role) });

  it('serves the preservation copy inline as what it is, with nosniff and a restrictive policy', async () => {
    const id = await waiting('PREVIEW-1', { rule, copy: 'pdf' });
    const response = await preview(id, 'viewer');
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(PDF)).toBe(true);
    expect(response.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent('正文.pdf')}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; object-src 'self'; frame-ancestors 'self'",
      'cache-control': 'private, no-store',
    });
    const row = (await app.inject({ url: '/review', headers: as('admin') })).body;
    expect(row).toContain(`<details class="preview" data-src="/api/ingests/${id}/components/1/preview" data-kind="pdf" data-ordinal="1"`);
    expect((await app.inject({ url: `/ingests/${id}`, headers: as('viewer') })).body).toContain(`data-src="/api/ingests/${id}/components/1/preview" data-kind="pdf"`);
  });

  it('serves the original when there is no copy, sandboxed, and refuses what a browser should not open', async () => {
    const image = await waiting('PREVIEW-2', { mediaType: 'image/png' });
    const shown = await preview(image);
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['content-type']).toBe('image/png');
    expect(shown.headers['content-security-policy']).toMatch(/sandbox$/);
    const html = await waiting('PREVIEW-3', { mediaType: 'text/html' });
    expect((await preview(html)).json()).toMatchObject({ code: 'preview.unsupported' });
    expect((await preview(html)).statusCode).toBe(415);
    const macros = await waiting('PREVIEW-4', { mediaType: 'application/pdf', unsafe: true });
    expect((await preview(macros)).statusCode).toBe(403);
    expect((await preview(macros)).json().code).toBe('preview.unsafe');
  });

  it('serves a byte range, so a player can seek, and records each read with its range', async () => {
    const id = await waiting('PREVIEW-6', { rule, copy: 'pdf' });
    const ranged = (range: string) => app.inject({ url: `/api/ingests/${id}/components/1/preview`, headers: { ...as('viewer'), range } });
    const middle = await ranged('bytes=5-12');
    expect(middle.statusCode).toBe(206);
    expect(middle.rawPayload.equals(PDF.subarray(5, 13))).toBe(true);
    expect(middle.headers).toMatchObject({ 'content-range': `bytes 5-12/${PDF.length}`, 'content-length': '8', 'accept-ranges': 'bytes', 'content-type': 'application/pdf' });
    const tail = await ranged('bytes=-6');
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(PDF.subarray(-6))).toBe(true);
    const past = await ranged(`bytes=${PDF.length + 10}-`);
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${PDF.length}`);
    const whole = await ranged('bytes=0-3,8-9');
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(PDF)).toBe(true);
    expect((await auditEventsOf(db.catalog.pool, id)).filter((e) => e.type === 'content.used').map((e) => e.payload)).toEqual([
      { use: 'preview', ordinal: 1, copy: 'preservation', restricted: false, range: `bytes 5-12/${PDF.length}` },
      { use: 'preview', ordinal: 1, copy: 'preservation', restricted: false, range: `bytes ${PDF.length - 6}-${PDF.length - 1}/${PDF.length}` },
      { use: 'preview', ordinal: 1, copy: 'preservation', restricted: false },
    ]);
  });

  it('keeps a restricted (内部) document’s content from a role below the restriction, as downloads do', async () => {
    const id = await waiting('PREVIEW-5', { rule, copy: 'pdf', securityLevel: '内部' });
    const refused = await preview(id, 'viewer');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ access: { restricted: true, minimumRole: 'admin' } });
    expect((await preview(id, 'admin')).statusCode).toBe(200);
    expect((await auditEventsOf(db.catalog.pool, id)).filter((e) => e.type.startsWith('content.')).map((e) => [e.type, e.actor, e.payload])).toEqual([
      ['content.refused', 'person:viewer-review', { use: 'refused', ordinal: 1, role: 'viewer', needed: 'admin' }],
      ['content.used', 'person:admin-review', { use: 'preview', ordinal: 1, copy: 'preservation', restricted: true }],
    ]);
    const viewerRow = (await app.inject({ url: '/review', headers: as('viewer') })).body;
    expect(viewerRow).not.toContain(`data-src="/api/ingests/${id}/components/1/preview"`);
  });
});
