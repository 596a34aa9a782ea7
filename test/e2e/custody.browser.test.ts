import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, officerPage, logInWithToken } from './browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, enrolInCustody, recordAip, recordFixityAudit, recordReplication, type Catalog } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { loadConsoleConfig, startConsole, type ConsoleProcess } from '@oa-archive/console';
import { testLogger, uniqueName } from '@oa-archive/testing';

/**
 * The fixity and replication pages in real headless Chromium over the real PostgreSQL: three AIPs in
 * custody — one audited intact and replicated, one whose audit found a changed object and whose
 * second copy failed, one never audited, overdue and not yet copied — filtered and exported as CSV.
 * Screenshots go to test-artifacts/console/.
 */
const ARTIFACTS = path.join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const DAY = 86_400_000;
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let catalog: Catalog;
let consoleProcess: ConsoleProcess;
let browser: Browser;
let page: Page;
const aip = { intact: 'ing-CUST-1', failed: 'ing-CUST-2', overdue: 'ing-CUST-3' };
const now = new Date();

async function fileAip(ingestId: string, documentId: string) {
  await seedIngestAt(catalog, ingestId, exampleEventFor(documentId), { status: 'FILED' });
  await recordAip(catalog.pool, ingestId, `aips/${ingestId}/`, [{ path: 'data/0001.pdf', kind: 'payload', sha256: 'a'.repeat(64), sm3: 'b'.repeat(64), size: 10 }]);
}

async function audit(ingestId: string, findings: { path: string; problem: 'sha256'; detail: string }[]) {
  const copies = [
    { copy: 'primary' as const, bucket: 'oa-archive', objectsChecked: 5, bytesRead: 500, findings: findings.map((f) => ({ ...f, key: `aips/${ingestId}/${f.path}` })) },
    { copy: 'replica' as const, bucket: 'oa-replica', objectsChecked: 5, bytesRead: 500, findings: [] },
  ];
  await recordFixityAudit(catalog.pool, { ingestId, actor: 'worker:test', at: new Date(now.getTime() - 3_600_000), nextAuditAt: new Date(now.getTime() + 90 * DAY), copies, repairs: [], premis: [], auditEvent: { type: 'fixity.audited', payload: {} } });
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  db = await createTestCatalog();
  catalog = db.catalog;
  await fileAip(aip.intact, 'CUST-1');
  await fileAip(aip.failed, 'CUST-2');
  await fileAip(aip.overdue, 'CUST-3');
  await enrolInCustody(catalog.pool, [
    { ingestId: aip.intact, bucket: 'oa-archive', firstAuditAt: now },
    { ingestId: aip.failed, bucket: 'oa-archive', firstAuditAt: now },
    { ingestId: aip.overdue, bucket: 'oa-archive', firstAuditAt: new Date(now.getTime() - 3 * DAY) },
  ]);
  await audit(aip.intact, []);
  await audit(aip.failed, [{ path: 'data/0001.pdf', problem: 'sha256', detail: 'stored bbbb…, expected aaaa…' }]);
  await recordReplication(catalog.pool, { ingestId: aip.intact, actor: 'worker:test', replicaBucket: 'oa-replica', at: now, state: 'replicated', objects: 5, written: 5 });
  await recordReplication(catalog.pool, { ingestId: aip.failed, actor: 'worker:test', replicaBucket: 'oa-replica', at: now, state: 'failed', reason: 'replica store refused: AccessDenied', retryAt: new Date(now.getTime() + 600_000) });
  consoleProcess = await startConsole(
    loadConsoleConfig({ DATABASE_URL: db.url, CONSOLE_PORT: '0', QUEUE_PREFIX: uniqueName('custody'), KAFKA_GROUP_ID: uniqueName('custody') }),
    testLogger(),
  );
  const viewerToken = (await createApiToken(catalog.pool, 'custody-viewer', 'viewer')).token;
  browser = await launchChromium();
  page = await officerPage(browser);
  await logInWithToken(page, consoleProcess.url, viewerToken);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await consoleProcess?.close();
  await db?.drop();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const fixityRow = (ingestId: string) => `#fixity tr[data-aip="${ingestId}"]`;
const replicationRow = (ingestId: string) => `#replication tr[data-aip="${ingestId}"]`;

describe('the fixity and replication pages in a real browser', () => {
  it('shows the last audit of every AIP, reached from the navigation', async () => {
    await page.click('header a[href="/custody/fixity"]');
    await page.waitForURL(`${consoleProcess.url}/custody/fixity`);
    expect(await page.textContent('#summary')).toBe('共3个信息包：检测不符1个，逾期1个，尚未检测1个。');
    expect(await page.getAttribute(fixityRow(aip.failed), 'data-outcome')).toBe('failed');
    expect(await page.textContent(`${fixityRow(aip.failed)} td.outcome`)).toBe('不符');
    expect(await page.textContent(`${fixityRow(aip.failed)} td.checked`)).toBe('10');
    expect(await page.textContent(`${fixityRow(aip.failed)} td.failed`)).toBe('1');
    expect(await page.textContent(`${fixityRow(aip.failed)} td.findings`)).toBe('primary: data/0001.pdf sha256 (stored bbbb…, expected aaaa…)');
    expect(await page.textContent(`${fixityRow(aip.intact)} td.outcome`)).toBe('完好');
    expect(await page.textContent(`${fixityRow(aip.overdue)} td.outcome`)).toBe('尚未检测');
    expect(await page.getAttribute(fixityRow(aip.overdue), 'data-overdue')).toBe('true');
    await shot('custody-fixity');
  });

  it('filters failed and overdue audits', async () => {
    await page.click('.filters a[href="/custody/fixity?state=failed"]');
    await page.waitForURL(/state=failed/);
    expect(await page.locator('#fixity tr[data-aip]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-aip')))).toEqual([aip.failed]);
    await page.goto(`${consoleProcess.url}/custody/fixity?state=overdue`);
    expect(await page.locator('#fixity tr[data-aip]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-aip')))).toEqual([aip.overdue]);
  });

  it('exports the filtered audits as CSV', async () => {
    await page.goto(`${consoleProcess.url}/custody/fixity?state=failed`);
    const response = await page.request.get(`${consoleProcess.url}${await page.getAttribute('#fixity-csv', 'href')}`);
    expect(response.headers()['content-type']).toContain('text/csv');
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe('ingestId,prefix,lastAuditAt,outcome,objectsChecked,objectsFailed,findings,nextAuditAt,overdue');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${aip.failed},aips/${aip.failed}/,[^,]+,failed,10,1,"primary: data/0001.pdf sha256 \\(stored bbbb…, expected aaaa…\\)",[^,]+,no$`));
  });

  it('shows the second copy of every AIP with its backlog, filters and exports it', async () => {
    await page.click('header a[href="/custody/replication"]');
    await page.waitForURL(`${consoleProcess.url}/custody/replication`);
    expect(await page.textContent('#summary')).toBe('共3个信息包：已复制1个，积压2个（其中失败1个）。');
    expect(await page.textContent(`${replicationRow(aip.intact)} td.state`)).toBe('已复制');
    expect(await page.textContent(`${replicationRow(aip.intact)} td.verified`)).toContain('(完好)');
    expect(await page.textContent(`${replicationRow(aip.failed)} td.state`)).toBe('失败');
    expect(await page.textContent(`${replicationRow(aip.failed)} td.reason`)).toBe('replica store refused: AccessDenied');
    expect(await page.textContent(`${replicationRow(aip.overdue)} td.state`)).toBe('待复制');
    await shot('custody-replication');

    await page.click('.filters a[href="/custody/replication?state=backlog"]');
    await page.waitForURL(/state=backlog/);
    expect(await page.locator('#replication tr[data-aip]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-aip')))).toEqual([aip.failed, aip.overdue]);
    const csv = await (await page.request.get(`${consoleProcess.url}${await page.getAttribute('#replication-csv', 'href')}`)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('ingestId,prefix,state,replicaBucket,replicatedAt,verifiedAt,verifiedOutcome,attempts,reason,nextAttemptAt');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([`${aip.failed},aips/${aip.failed}/,failed,oa-replica`, `${aip.overdue},aips/${aip.overdue}/,pending,`]);
    expect(lines[1]).toContain(',replica store refused: AccessDenied,');
  });
});
