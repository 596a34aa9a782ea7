import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiToken, recordCharacterization, recordClassification, type Catalog } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { exampleDocumentFinalizedEvent, parseDocumentFinalized } from '@oa-archive/contracts';
import { uniqueName } from '@oa-archive/testing';
import type { ConsoleDeps } from '../src/index.ts';
import { startTestConsole } from './harness.ts';

/**
 * The console speaks zh-CN unless the reader chooses English (cookie) or the browser asks for it
 * (Accept-Language); the review form starts from the rule's suggestion and refuses a filing that departs
 * from the rule without a reason and a confirmation. Against the real PostgreSQL and Redis.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
let admin = '';

/** A document the rule D30-OWN-NOTICE would file for 30 years, held for review by a damaged PDF. */
async function heldByFinding(catalog: Catalog, documentId: string) {
  const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify({ ...exampleDocumentFinalizedEvent, id: `ev-${documentId}`, data: { ...exampleDocumentFinalizedEvent.data, documentId } })), headers: {} });
  if (!parsed.ok) throw new Error(parsed.reason);
  const id = `ing_${documentId}`;
  await catalog.recordIngest(id, parsed.event);
  const run = { attempt: 1, startedAt: new Date(), finishedAt: new Date(), detail: {} };
  await catalog.completeStage(id, 'fetch', run, { next: 'characterize' });
  await catalog.completeStage(id, 'characterize', run, { next: 'classify' });
  const explanation = '按D30-OWN-NOTICE应归档，但组件1：文件已损坏或无法读取（no %%EOF marker），请向OA系统索取完整副本，请人工核实';
  await recordClassification(catalog.pool, id, { outcome: 'REVIEW', category: null, retention: null, organisationCode: null, year: null, ruleIds: ['D30-OWN-NOTICE', 'builtin:integrity:corrupt'], scheduleVersion: 't', explanation });
  await catalog.completeStage(id, 'classify', run, { outcome: { status: 'REVIEW', payload: { explanation } } });
  return id;
}

/** A document filed by D30-OWN-NOTICE that failed a four-properties check: it waits after validation. */
async function heldAtValidate(catalog: Catalog, documentId: string) {
  const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify({ ...exampleDocumentFinalizedEvent, id: `ev-${documentId}`, data: { ...exampleDocumentFinalizedEvent.data, documentId } })), headers: {} });
  if (!parsed.ok) throw new Error(parsed.reason);
  const id = `ing_${documentId}`;
  await catalog.recordIngest(id, parsed.event);
  const run = { attempt: 1, startedAt: new Date(), finishedAt: new Date(), detail: {} };
  await catalog.completeStage(id, 'fetch', run, { next: 'characterize' });
  await catalog.completeStage(id, 'characterize', run, { next: 'classify' });
  await recordClassification(catalog.pool, id, { outcome: 'FILE', category: 'WS', retention: 'D30', organisationCode: 'BGS', year: 2026, ruleIds: ['D30-OWN-NOTICE'], scheduleVersion: 't', explanation: '归档，保管期限D30：本机关一般性工作的通知' });
  await catalog.completeStage(id, 'classify', run, { next: 'convert' });
  await catalog.completeStage(id, 'convert', run, { next: 'validate' });
  const payload = { stage: 'validate', explanation: '四性检测未通过：GD-2-4必填著录项（缺少文件编号）', code: 'review.why.checksFailed', params: { checks: 'GD-2-4' } };
  await catalog.completeStage(id, 'validate', run, { outcome: { status: 'REVIEW', payload } });
  return id;
}

beforeAll(async () => {
  db = await createTestCatalog();
  ({ app, deps, redis } = await startTestConsole(db, { QUEUE_PREFIX: uniqueName('console-locale'), DEPARTMENTS: JSON.stringify({ CWK: '计划财务科' }) }));
  admin = (await createApiToken(db.catalog.pool, 'officer-1', 'admin')).token;
  await heldByFinding(db.catalog, 'HELD-1');
  await heldByFinding(db.catalog, 'HELD-2');
  await heldAtValidate(db.catalog, 'CHECKED-1');
});

afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers: { authorization: `Bearer ${admin}`, ...headers } });
const file = (ingestId: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/api/review/${ingestId}`, headers: { authorization: `Bearer ${admin}`, ...headers }, payload: { action: 'file', ...payload } });

describe('the console language', () => {
  it('speaks zh-CN by default', async () => {
    const page = (await get('/review')).body;
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('<h1>待鉴定（3）</h1>');
    expect(page).toContain('>概览</a>');
    expect(page).toContain('<a href="/lang/en?next=%2Freview" id="lang-switch" lang="en">English</a>');
    expect(page).not.toContain('Review queue');
  });

  it('speaks English to a browser that asks for it first, and zh-CN to one that prefers Chinese', async () => {
    expect((await get('/review', { 'accept-language': 'en-GB,en;q=0.9,zh-CN;q=0.5' })).body).toContain('<h1>Review queue (3)</h1>');
    expect((await get('/review', { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })).body).toContain('<h1>待鉴定（3）</h1>');
  });

  it('keeps the reader’s own choice in a cookie set by the switch, over Accept-Language', async () => {
    const chosen = await app.inject({ url: '/lang/en?next=%2Ftimeliness' });
    expect(chosen.statusCode).toBe(302);
    expect(chosen.headers.location).toBe('/timeliness');
    const cookie = String(chosen.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toBe('oa_console_lang=en');
    const english = (await get('/timeliness', { cookie, 'accept-language': 'zh-CN' })).body;
    expect(english).toContain('<h1>Timeliness by department</h1>');
    expect(english).toContain('<html lang="en">');
    expect((await get('/timeliness', { cookie: 'oa_console_lang=zh-CN', 'accept-language': 'en' })).body).toContain('<h1>各部门归档及时性</h1>');
    expect((await app.inject({ url: '/lang/fr' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/lang/en?next=//evil.example/' })).headers.location).toBe('/');
  });

  it('answers API refusals in the reader’s language, with a stable code beside the sentence', async () => {
    const zh = await file('ing_HELD-1', { category: 'WS', retention: 'Y' });
    expect(zh.json()).toMatchObject({ code: 'review.needReason', error: '所选门类和保管期限（WS · Y）与规则建议（WS · D30）不同：请填写理由。' });
    const en = await file('ing_HELD-1', { category: 'WS', retention: 'Y' }, { 'accept-language': 'en' });
    expect(en.json()).toMatchObject({ code: 'review.needReason', error: 'The chosen category and retention (WS · Y) differ from the rule’s (WS · D30): write a reason.' });
  });
});

describe('names, times and findings on the pages', () => {
  it('shows departments by name with the code in small print, from the schedule and DEPARTMENTS', async () => {
    const page = (await get('/ingests')).body;
    expect(page).toContain('办公室（BGS）');
    expect(page).toContain('<option value="CWK" >计划财务科（CWK）</option>');
  });

  it('shows times in the agency time zone (Asia/Shanghai by default)', async () => {
    const ingest = await db.catalog.getIngest('ing_HELD-1');
    const expected = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(ingest!.finalizedAt);
    expect((await get('/ingests/ing_HELD-1')).body).toContain(expected);
  });

  it('renders a stored finding from its code in the reader’s language', async () => {
    await recordCharacterization(db.catalog.pool, 'ing_HELD-2', {
      ordinal: 1, formatName: 'PDF', mediaType: 'application/pdf', puid: 'fmt/276', format: {}, size: 10, sha256: '0'.repeat(64), sm3: '0'.repeat(64), technical: {},
      findings: [{ code: 'corrupt', severity: 'integrity', message: 'PDF is damaged or unreadable: no %%EOF marker', params: { detail: 'no %%EOF marker' } }],
    });
    const zh = (await get('/review')).body;
    expect(zh).toContain('<li data-finding="corrupt">文件 1：文件已损坏或无法读取（no %%EOF marker），请向OA系统索取完整副本');
    expect(zh).not.toContain('PDF is damaged');
    expect((await get('/ingests/ing_HELD-2', { 'accept-language': 'en' })).body).toContain('The file is damaged or unreadable (no %%EOF marker); request a complete copy from the OA system.');
  });
});

describe('why a document waits', () => {
  it('says it in the reader’s language from the code the stage recorded, with the rule’s own suggestion', async () => {
    const row = (body: string) => body.slice(body.indexOf('<tr data-ingest="ing_CHECKED-1"'), body.indexOf('</tr>', body.indexOf('<tr data-ingest="ing_CHECKED-1"')));
    const zh = row((await get('/review')).body);
    expect(zh).toContain('<b>四性检测</b>：四性检测有检测项不通过');
    expect(zh).toContain('四性检测未通过：GD-2-4');
    expect(zh).toContain('WS · 定期30年（D30）（规则 D30-OWN-NOTICE）');
    const en = row((await get('/review', { 'accept-language': 'en' })).body);
    expect(en).toContain('<b>validate</b>：a four-properties check failed');
    expect(en).toContain('Four-properties checks failed: GD-2-4');
    expect(en).toContain('WS · 30 years (D30) (rule D30-OWN-NOTICE)');
  });
});

describe('the review form', () => {
  it('starts from the rule’s suggestion with its rule id and the 档号 it would take, and says why the document waits', async () => {
    const page = (await get('/review')).body;
    const row = page.slice(page.indexOf('<tr data-ingest="ing_HELD-1"'), page.indexOf('</tr>', page.indexOf('<tr data-ingest="ing_HELD-1"')));
    expect(row).toContain('<option value="">— 选择门类 —</option>');
    expect(row).toContain('<option value="">— 选择保管期限 —</option>');
    // Preselected from the rule (D30-OWN-NOTICE: WS, 30 years), never a blanket 永久.
    expect(row.match(/<option [^>]*selected/g)).toEqual([expect.stringContaining('value="WS"'), expect.stringContaining('value="D30"')]);
    expect(row).toMatch(/<output class="prediction muted" aria-live="polite" data-reference-code="[^"]*-WS·\d{4}-D30-BGS-0001">将取得档号 [^<]*-D30-BGS-0001（暂定/);
    expect(row).toContain('data-rule="D30-OWN-NOTICE"');
    expect(row).toContain('WS · 定期30年（D30）（规则 D30-OWN-NOTICE）');
    expect(row).toContain('<b>鉴定分类</b>：鉴定未能自动判定');
    expect(row).toContain('按D30-OWN-NOTICE应归档');
  });

  it('refuses a file action without a chosen category or retention', async () => {
    expect((await file('ing_HELD-1', { category: 'WS' })).statusCode).toBe(400);
    expect((await file('ing_HELD-1', { category: 'WS', retention: '' })).statusCode).toBe(400);
    expect((await file('ing_HELD-1', { retention: 'D30' })).statusCode).toBe(400);
    expect((await db.catalog.getIngest('ing_HELD-1'))?.status).toBe('REVIEW');
  });

  it('files against the rule only with a written reason and a confirmation', async () => {
    expect((await file('ing_HELD-1', { category: 'WS', retention: 'Y' })).json()).toMatchObject({ code: 'review.needReason', suggestion: { retention: 'D30', ruleId: 'D30-OWN-NOTICE' } });
    expect((await file('ing_HELD-1', { category: 'WS', retention: 'D10', note: '   ' })).json().code).toBe('review.needReason');
    expect((await file('ing_HELD-1', { category: 'WS', retention: 'Y', note: '涉及本机关重要职能活动，具有长期保存价值' })).json().code).toBe('review.needConfirmation');
    expect((await db.catalog.getIngest('ing_HELD-1'))?.status).toBe('REVIEW');
    const filed = await file('ing_HELD-1', { category: 'WS', retention: 'Y', note: '涉及本机关重要职能活动，具有长期保存价值', confirmed: true });
    expect(filed.statusCode).toBe(200);
    expect(filed.json()).toMatchObject({ outcome: 'FILE' });
    const { rows } = await db.catalog.pool.query(`SELECT payload FROM audit_events WHERE ingest_id = 'ing_HELD-1' AND type = 'console.review-settled'`);
    expect(rows[0].payload).toMatchObject({ retention: 'Y', note: '涉及本机关重要职能活动，具有长期保存价值', confirmed: true, basis: { kind: 'note', note: '涉及本机关重要职能活动，具有长期保存价值' } });
  });

  it('files as the rule suggests without asking for a reason, on the rule as its basis', async () => {
    const filed = await file('ing_HELD-2', { category: 'WS', retention: 'D30' });
    expect(filed.statusCode).toBe(200);
    expect(filed.json()).toMatchObject({ outcome: 'FILE' });
    const { rows } = await db.catalog.pool.query(`SELECT payload FROM audit_events WHERE ingest_id = 'ing_HELD-2' AND type = 'ingest.review-settled'`);
    expect(rows[0].payload).toMatchObject({ decision: 'file', basis: { kind: 'rule', ruleId: 'D30-OWN-NOTICE' } });
  });
});
