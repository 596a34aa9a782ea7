import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, recordExtractedText } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor } from '@oa-archive/catalog/testing';
import { ingestIdOf, ingestKeyOf, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { uniqueName } from '@oa-archive/testing';
import type { ConsoleDeps } from '../src/index.ts';
import { highlighted } from '../src/searchPage.ts';
import { startTestConsole } from './harness.ts';

/**
 * The records officer's search on the console against a real catalog: a word of the text finds its
 * document with the word marked in a snippet, filters narrow it, the page speaks zh-CN (and English
 * when asked), and the CSV export carries names beside codes with formulas neutralised.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
let viewer = '';
let minutes = '';
let notice = '';

async function seed(documentId: string, data: Partial<DocumentFinalizedEvent['data']>, body: string): Promise<string> {
  const base = exampleEventFor(documentId);
  const event = { ...base, data: { ...base.data, ...data } };
  const id = ingestIdOf(ingestKeyOf(event));
  await db.catalog.recordIngest(id, event);
  await recordExtractedText(db.catalog.pool, id, [{ ordinal: 1, text: body }], [
    { ordinal: 1, outcome: 'extracted', source: 'preservation', chars: body.length, truncated: false },
    { ordinal: 2, outcome: 'failed', source: 'preservation', chars: 0, truncated: false, reason: 'ghostscript: exited with code 1' },
  ]);
  return id;
}

beforeAll(async () => {
  db = await createTestCatalog();
  ({ app, deps, redis } = await startTestConsole(db, { QUEUE_PREFIX: uniqueName('console-search') }));
  viewer = (await createApiToken(db.catalog.pool, 'viewer-search', 'viewer')).token;
  minutes = await seed('S-MINUTES', { title: '信息中心2025年第3次办公会议纪要', documentNumber: '会议纪要〔2025〕3号', departmentCode: 'XXZX' }, '会议议定由信息中心负责防汛应急演练期间的通信保障工作。');
  notice = await seed('S-NOTICE', { title: '=HYPERLINK("http://x")关于做好档案移交工作的通知', departmentCode: 'BGS' }, '各科室：现就档案移交有关事项通知如下。');
  await db.catalog.pool.query(
    `INSERT INTO classifications (ingest_id, outcome, category, retention, year, rule_ids, schedule_version, explanation, reference_code)
     VALUES ($1, 'FILE', 'WS', 'D30', 2025, '{R1}', 'test', '归档', 'X001-WS-2025-D30-XXZX-0001')`,
    [minutes],
  );
});

afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

const as = (lang = 'zh-CN') => ({ authorization: `Bearer ${viewer}`, 'accept-language': lang });

describe('search page', () => {
  it('finds a document by a word of its text, marks the word in a snippet and says where it matched, in zh-CN', async () => {
    const response = await app.inject({ url: `/ingests?q=${encodeURIComponent('通信保障')}`, headers: as() });
    expect(response.statusCode).toBe(200);
    const page = response.body;
    expect(page).toContain(`data-ingest="${minutes}"`);
    expect(page).not.toContain(`data-ingest="${notice}"`);
    expect(page).toContain('<mark>通信保障</mark>');
    expect(page).toContain('匹配位置：正文');
    expect(page).toContain('信息中心（XXZX）');
    expect(page).toContain('文书（WS）');
    expect(page).toContain('共1件');
    // Why a component has no text is shown, not swallowed.
    expect(page).toContain('组件2提取失败：ghostscript: exited with code 1');
    // Every filter is a labelled field.
    for (const name of ['q', 'status', 'department', 'category', 'retention', 'year', 'from', 'to']) expect(page).toMatch(new RegExp(`<label>[^<]*<(input|select)[^>]* name="${name}"`));
    expect(page).toContain(`href="/api/ingests?q=${encodeURIComponent('通信保障')}&amp;format=csv"`);
  });

  it('filters by category, retention, year and department, and speaks English when asked', async () => {
    const ids = async (query: string) => [...(await app.inject({ url: `/ingests?${query}`, headers: as() })).body.matchAll(/data-ingest="([^"]+)"/g)].map((m) => m[1]);
    expect(await ids(`q=${encodeURIComponent('档案移交')}`)).toEqual([notice]);
    expect(await ids('category=WS&retention=D30&year=2025')).toEqual([minutes]);
    expect(await ids('department=BGS')).toEqual([notice]);
    expect(await ids('year=2024')).toEqual([]);
    const english = (await app.inject({ url: `/ingests?q=${encodeURIComponent('防汛')}`, headers: as('en') })).body;
    expect(english).toContain('matched in');
    expect(english).toContain('1 found');
    const bad = await app.inject({ url: '/ingests?retention=forever', headers: as() });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('未执行查询');
  });

  it('exports the result as CSV with names beside codes and formulas neutralised', async () => {
    const response = await app.inject({ url: `/api/ingests?q=${encodeURIComponent('档案移交')}&format=csv`, headers: as() });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const [header, ...rows] = response.body.trim().split('\n');
    expect(header).toBe('documentId,title,documentNumber,issuer,departmentName,department,status,referenceCode,categoryName,category,retentionName,retention,year,finalizedAt,matchedIn,snippet,ingestId');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(`S-NOTICE,"'=HYPERLINK(""http://x"")关于做好档案移交工作的通知"`);
    expect(rows[0]).toContain(',办公室,BGS,RECEIVED,');
    expect(rows[0]).toContain('题名、正文');
    expect(rows[0]).toContain(notice);
    const all = await app.inject({ url: '/api/ingests?format=csv&category=WS', headers: as() });
    expect(all.body).toContain(',文书,WS,定期30年,D30,2025,');
  });

  it('answers the same search as JSON on the API', async () => {
    const body = (await app.inject({ url: `/api/ingests?q=${encodeURIComponent('通信保障')}`, headers: as() })).json();
    expect(body.ingests.map((i: { ingestId: string; matchedIn: string[]; snippet: string }) => [i.ingestId, i.matchedIn, i.snippet.includes('通信保障')])).toEqual([[minutes, ['body'], true]]);
    expect((await app.inject({ url: '/api/ingests?year=nineteen', headers: as() })).statusCode).toBe(400);
  });

  it('marks matches in escaped text', () => {
    expect(highlighted('<b>档案</b>移交档案', ['档案']).value).toBe('&lt;b&gt;<mark>档案</mark>&lt;/b&gt;移交<mark>档案</mark>');
    expect(highlighted('Party A', ['a']).value).toBe('P<mark>a</mark>rty <mark>A</mark>');
    expect(highlighted(null, ['x']).value).toBe('');
  });
});
