import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, officerPage, logInWithToken } from './browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, createApiToken, recordClassification, type Catalog } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { loadConsoleConfig, startConsole, type ConsoleProcess } from '@oa-archive/console';
import { testLogger, uniqueName } from '@oa-archive/testing';

/**
 * The disposition (到期鉴定) and holds pages in real headless Chromium over the real PostgreSQL: an
 * admin places a hold, sees the held item refused for destruction, decides the others, lifts the hold,
 * and exports both lists as CSV. Screenshots go to test-artifacts/console/.
 */
const ARTIFACTS = path.join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let catalog: Catalog;
let consoleProcess: ConsoleProcess;
let browser: Browser;
let page: Page;
let adminToken = '';
const items: Record<'held' | 'old' | 'recent', { ingestId: string; referenceCode: string }> = {} as never;

/** Files a document under a 档号 of the class, as classify and deposit would. */
async function fileItem(documentId: string, year: number, title: string) {
  const ingestId = `ing-${documentId}`;
  const event = exampleEventFor(documentId);
  event.data.title = title;
  await seedIngestAt(catalog, ingestId, event, { status: 'FILED' });
  const decision = await recordClassification(
    catalog.pool,
    ingestId,
    { outcome: 'FILE', category: 'WS', retention: 'D10', organisationCode: 'BGS', year, ruleIds: ['r1'], scheduleVersion: 't', explanation: 'test' },
    { itemClass: { fonds: 'A182', category: 'WS', year, retention: 'D10', org: 'BGS' }, format: (n) => `A182-WS·${year}-D10-BGS-${String(n).padStart(4, '0')}` },
  );
  return { ingestId, referenceCode: decision.referenceCode! };
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  db = await createTestCatalog();
  catalog = db.catalog;
  // 2015 D10 items are due from 2026-01-01; a 2024 one not before 2035.
  items.held = await fileItem('DISP-B-1', 2015, '关于2015年度安全生产检查的通知');
  items.old = await fileItem('DISP-B-2', 2015, '关于2015年春节值班安排的通知');
  items.recent = await fileItem('DISP-B-3', 2024, '关于2024年度培训计划的通知');
  consoleProcess = await startConsole(
    loadConsoleConfig({ DATABASE_URL: db.url, CONSOLE_PORT: '0', QUEUE_PREFIX: uniqueName('disposition'), KAFKA_GROUP_ID: uniqueName('disposition') }),
    testLogger(),
  );
  adminToken = (await createApiToken(catalog.pool, 'disposition-admin', 'admin')).token;
  browser = await launchChromium();
  page = await officerPage(browser);
  await logInWithToken(page, consoleProcess.url, adminToken);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.close();
  await db?.drop();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const row = (item: { ingestId: string }) => `#disposition tr[data-item="${item.ingestId}"]`;
/** Submits a form through the page's own script and waits for the page to reload after it. */
async function submitAndReload(form: string) {
  await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), page.click(`${form} button`)]);
}

describe('the disposition and holds pages in a real browser', () => {
  it('places a hold on one item from the holds page', async () => {
    await page.goto(`${consoleProcess.url}/holds`);
    await page.fill('#create-hold input[name=name]', '审计-2026');
    await page.fill('#create-hold input[name=reason]', '审计署专项审计');
    await page.fill('#create-hold textarea[name=items]', items.held.referenceCode);
    await submitAndReload('#create-hold');
    expect(await page.textContent('#active-holds tr[data-hold="审计-2026"] td.covers')).toBe('1');
    await shot('holds');
  });

  it('lists the due items with the hold, refuses to approve the held one for destruction, and records the other decision', async () => {
    await page.goto(`${consoleProcess.url}/disposition`);
    expect(await page.getAttribute(row(items.held), 'data-state')).toBe('due');
    expect(await page.textContent(`${row(items.held)} td.holds`)).toBe('审计-2026');
    expect(await page.locator(row(items.recent)).count()).toBe(0);

    // The held item: a destroy decision is refused with the reason.
    await page.selectOption(`${row(items.held)} select[name=decision]`, 'destroy');
    await page.fill(`${row(items.held)} input[name=reason]`, '无保存价值');
    await page.click(`${row(items.held)} button`);
    await expect.poll(() => page.textContent('#msg'), { timeout: 15_000 }).toContain('该档案已被冻结（审计-2026），须先解除冻结');
    expect(await page.getAttribute(row(items.held), 'data-state')).toBe('due');

    // The other one is approved for destruction, with its reason.
    await page.selectOption(`${row(items.old)} select[name=decision]`, 'destroy');
    await page.fill(`${row(items.old)} input[name=reason]`, '到期，经鉴定无继续保存价值');
    await submitAndReload(`${row(items.old)} form`);
    expect(await page.getAttribute(row(items.old), 'data-state')).toBe('destroy-approved');
    expect(await page.textContent(`${row(items.old)} td.state`)).toBe('待销毁');
    expect(await page.textContent('#summary')).toMatch(/：待鉴定1件，待销毁1件，已销毁0件，冻结中1件。$/);
    await shot('disposition');
    const decided = (await auditEventsOf(catalog.pool, items.old.ingestId)).find((e) => e.type === 'disposition.decided');
    expect(decided).toMatchObject({ actor: 'console:disposition-admin', payload: { decision: 'destroy', reason: '到期，经鉴定无继续保存价值' } });
  });

  it('lifts the hold, after which the item can be decided: retained for five more years', async () => {
    await page.goto(`${consoleProcess.url}/holds`);
    await page.fill('#active-holds tr[data-hold="审计-2026"] input[name=reason]', '审计结束');
    await submitAndReload('#active-holds tr[data-hold="审计-2026"] form');
    expect(await page.locator('#lifted-holds tr[data-hold="审计-2026"]').count()).toBe(1);

    await page.goto(`${consoleProcess.url}/disposition`);
    expect(await page.textContent(`${row(items.held)} td.holds`)).toBe('');
    await page.selectOption(`${row(items.held)} select[name=decision]`, 'retain');
    await page.fill(`${row(items.held)} input[name=years]`, '5');
    await page.fill(`${row(items.held)} input[name=reason]`, '仍有查考价值');
    await submitAndReload(`${row(items.held)} form`);
    // Retained: off the open list, shown under "all" with its next review date.
    expect(await page.locator(row(items.held)).count()).toBe(0);
    await page.goto(`${consoleProcess.url}/disposition?state=all`);
    expect(await page.getAttribute(row(items.held), 'data-state')).toBe('retained');
    expect(await page.textContent(`${row(items.held)} td:nth-child(6)`)).toBe('2031-01-01');
  });

  it('exports the disposition list, the holds and the register as CSV', async () => {
    await page.goto(`${consoleProcess.url}/disposition?state=all`);
    const href = await page.getAttribute('#disposition-csv', 'href');
    const list = await page.request.get(`${consoleProcess.url}${href}`);
    expect(list.headers()['content-type']).toContain('text/csv');
    const lines = (await list.text()).trim().split('\n');
    expect(lines[0]).toBe('referenceCode,title,year,categoryName,category,departmentName,department,retention,dueOn,state,decision,reviewOn,reason,decidedBy,decidedAt,holds,ingestId,versions');
    expect(lines.find((l) => l.startsWith(items.old.referenceCode))).toMatch(/,2015,文书,WS,[^,]+,[A-Z]+,D10,2026-01-01,待销毁,/);
    expect(lines.find((l) => l.startsWith(items.old.referenceCode))).toContain(',D10,2026-01-01,待销毁,销毁,,到期，经鉴定无继续保存价值,console:disposition-admin,');
    expect(lines.find((l) => l.startsWith(items.held.referenceCode))).toContain(',延期保存,继续保存（延期）,2031-01-01,仍有查考价值,');

    await page.goto(`${consoleProcess.url}/holds`);
    const holds = await (await page.request.get(`${consoleProcess.url}${await page.getAttribute('#holds-csv', 'href')}`)).text();
    expect(holds).toMatch(new RegExp(`^审计-2026,审计署专项审计,${items.held.referenceCode},1,console:disposition-admin,.*,console:disposition-admin,.*,审计结束$`, 'm'));

    // Nothing destroyed yet (destruction is the CLI's): the register has its header only.
    const register = await page.request.get(`${consoleProcess.url}/disposition/register.csv`);
    expect((await register.text()).replace(/^\uFEFF/, '').trim()).toBe('序号,档号,题名,年度,门类名称,门类代码,部门名称,部门代码,保管期限,销毁理由（鉴定意见）,批准人,批准日期,执行人,销毁日期,对象数,字节数,归档编号');
  });

  it('lets a viewer read the pages but not decide', async () => {
    const viewer = (await createApiToken(catalog.pool, 'disposition-viewer', 'viewer')).token;
    const refused = await page.request.post(`${consoleProcess.url}/api/disposition/decide`, {
      headers: { authorization: `Bearer ${viewer}` },
      data: { item: items.old.ingestId, decision: 'retain', reason: 'x', extendYears: 1 },
    });
    expect(refused.status()).toBe(403);
    const read = await page.request.get(`${consoleProcess.url}/disposition.csv`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(read.status()).toBe(200);
  });
});
