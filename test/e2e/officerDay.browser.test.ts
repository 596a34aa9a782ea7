import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, extractedTextOf } from '@oa-archive/catalog';
import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, documentFinalizedEvent } from '@oa-archive/contracts';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import type { ConsoleProcess } from '@oa-archive/console';
import type { IntakeService } from '@oa-archive/intake';
import { createProducer } from '@oa-archive/kafka';
import { createFileServer, eventDataOf, listen, publishDocuments, simulateDocument } from '@oa-archive/oa-simulator';
import { testKafka, waitFor } from '@oa-archive/testing';
import type { WorkerProcess } from '@oa-archive/worker';
import { launchChromium, officerPage } from './browser.ts';
import { pipelineEnv, startPipeline } from './pipeline.ts';

/**
 * A records officer's day in the zh-CN console, in Debian's Chromium over a running pipeline: log in,
 * read the overview, open a waiting document, preview it, file it as its rule suggests after a
 * confirmation that names the 档号, find it again by a word from its text, export the department
 * report. Along the way: every form field has a name a screen reader can say, the keyboard reaches the
 * content first, no English on the pages, and a tablet's width needs no sideways scrolling of the page.
 * Screenshots go to test-artifacts/console/day-*.png (the README shows some of them).
 */
const ARTIFACTS = path.join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const TOKEN = 'officer-day-simulator-token';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let simulator: Server;
let damaged: Server;
const WAITING_DOCUMENT = 'DAY-WAITING-1';
let producer: Producer;
let intake: IntakeService;
let worker: WorkerProcess;
let consoleProcess: ConsoleProcess;
let browser: Browser;
let page: Page;
let officerToken = '';

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  db = await createTestCatalog();
  simulator = createFileServer({ token: TOKEN });
  const baseUrl = (await listen(simulator, 0)).baseUrl;
  // An attachment the OA sent truncated: it holds its document back for a person.
  const truncated = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
  damaged = createServer((_req, res) => res.writeHead(200, { 'content-length': truncated.length, 'content-type': 'application/pdf' }).end(truncated));
  const damagedUrl = (await listen(damaged, 0)).baseUrl;
  const env = pipelineEnv('day', db.url, { origins: [new URL(baseUrl).origin, new URL(damagedUrl).origin], token: TOKEN });
  ({ worker, intake, consoleProcess } = await startPipeline(env));
  officerToken = (await createApiToken(db.catalog.pool, '档案员-王芳', 'admin')).token;
  producer = createProducer(testKafka());
  await producer.connect();
  // Seed 2025's first 14 documents include every outcome; several wait for a person.
  await publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED, source: 'oa-simulator', seed: 2025, count: 14, baseUrl });
  // The agency's own notice (its rule files it for 30 years): a PDF 正文, a Word 附件, and a truncated PDF.
  const waiting = eventDataOf(simulateDocument(4242, 3), baseUrl, { declareDigests: true });
  Object.assign(waiting, { documentId: WAITING_DOCUMENT, title: '关于开展档案安全检查的通知', documentType: '通知', securityLevel: '公开', departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
  waiting.components = [...waiting.components, { role: '附件', fileName: '检查表（扫描件）.pdf', mediaType: 'application/pdf', size: truncated.length, url: `${damagedUrl}/files/waiting/3` }];
  await producer.send({
    topic: env.KAFKA_TOPIC_FINALIZED,
    messages: [{ value: JSON.stringify(documentFinalizedEvent({ id: 'day-waiting', source: 'oa-simulator', time: new Date().toISOString(), data: waiting })), headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE } }],
  });
  await waitFor(async () => {
    const counts = await db.catalog.countByStatus();
    return Object.values(counts).reduce((a, b) => a + b, 0) === 15 && (counts.IN_PROGRESS ?? 0) === 0 && (counts.RECEIVED ?? 0) === 0 && (await worker.deps.queues.backlog()) === 0;
  }, { timeoutMs: 180_000, what: 'the batch to settle' });
  browser = await launchChromium();
  page = await officerPage(browser);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await producer?.disconnect();
  await consoleProcess?.close();
  await intake?.close();
  await worker?.close();
  await new Promise((r) => simulator?.close(r));
  await new Promise((r) => damaged?.close(r));
  await db?.drop();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Product names, standards and codes may stay Latin on a zh-CN page; prose may not. */
const LATIN_ALLOWED = /^(bull-board|startxref|PDF|PDFA|BagIt|SHA|SM3|OIDC|CSV|S3|AIP|Kafka|OA|API|URL|JSON|XML|DOCX|JPEG|PNG|OFD|PREMIS|EEP|DA|GB|ISO|UTC|GMT|ClamAV|veraPDF|LibreOffice|Ghostscript|ffmpeg|ExifTool|BullMQ|Redis|PostgreSQL|MIME|ID|SIM|WS|ZP|LY|SX|BGS|XXZX|CWK|RSK|ZHK|XXZ)$/i;

// Run in the page (plain JavaScript: this package's TypeScript has no DOM types).
// Commands, metric names and ids are shown as code; a link offering English is marked lang="en".
const SHOWN_TEXT = `(() => {
  const exempt = 'code, pre, .code, script, style, [lang]:not([lang^="zh"])';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const shown = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || !node.parentElement.closest(exempt)) shown.push(node.textContent || '');
  }
  const labels = [...document.querySelectorAll('[aria-label],[placeholder],[title]')].filter((e) => !e.closest(exempt)).flatMap((e) => ['aria-label', 'placeholder', 'title'].map((a) => e.getAttribute(a) || ''));
  return [...shown, ...labels].join('\\n');
})()`;

const UNLABELLED_CONTROLS = `[...document.querySelectorAll('input:not([type=hidden]),select,textarea,button')]
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby') && !e.getAttribute('title') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
  .map((e) => e.outerHTML.slice(0, 120))`;

/** English words left in what a person reads on the page (text and labels; codes in data attributes do not count). */
async function englishOn(p: Page): Promise<string[]> {
  const text = await p.evaluate<string>(SHOWN_TEXT);
  const words = text.match(/[A-Za-z][A-Za-z-]{2,}/g) ?? [];
  // Ids and codes the pipeline prints (ing_…, SIM-…, rule ids in capitals, file names) are data, not prose.
  return [...new Set(words)].filter((w) => !LATIN_ALLOWED.test(w) && !/^[A-Z0-9-]+$/.test(w) && !/^ing_/.test(w) && !w.endsWith('-'));
}

/** Form controls without a name a screen reader can announce. */
const unlabelledControls = (p: Page) => p.evaluate<string[]>(UNLABELLED_CONTROLS);

async function pageChecks(p: Page): Promise<void> {
  expect(await p.getAttribute('html', 'lang')).toBe('zh-CN');
  expect(await unlabelledControls(p)).toEqual([]);
  expect(await englishOn(p)).toEqual([]);
}

describe("a records officer's day in the console (zh-CN)", () => {
  it('logs in and reads the overview; the keyboard reaches the content first', async () => {
    await page.goto(consoleProcess.url);
    expect(page.url()).toContain('/login');
    await page.getByLabel(/令牌/).fill(officerToken);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${consoleProcess.url}/`);
    await pageChecks(page);
    // The first Tab lands on the skip link, and it moves focus to the page's content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.className')).toBe('skip');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');
    await shot('day-1-overview');
  });

  let ingestId = '';
  let predicted = '';

  it('opens a waiting document, sees why it waits, and previews its preservation copy', async () => {
    await page.click('header nav a[href="/review"]');
    await page.waitForURL(`${consoleProcess.url}/review`);
    await pageChecks(page);
    ingestId = (await db.catalog.pool.query<{ ingest_id: string }>('SELECT ingest_id FROM ingests WHERE document_id = $1', [WAITING_DOCUMENT])).rows[0]!.ingest_id;
    const row = page.locator(`#review tr[data-ingest="${ingestId}"]`);
    expect(await row.count()).toBe(1);
    expect((await row.locator('td.waits').innerText()).trim()).not.toBe('');
    const suggestion = row.locator('.suggestion');
    // Preselected from the rule that matched, never a blanket 永久.
    expect(await row.locator('select[name=category]').inputValue()).toBe(await suggestion.getAttribute('data-category'));
    expect(await row.locator('select[name=retention]').inputValue()).toBe(await suggestion.getAttribute('data-retention'));
    await expect.poll(async () => (await row.locator('output.prediction').getAttribute('data-reference-code')) ?? '', { timeout: 15_000 }).toMatch(/·/);
    predicted = (await row.locator('output.prediction').getAttribute('data-reference-code'))!;
    await shot('day-2-review');

    // The 正文 opens in the browser's PDF viewer, in the row, when the officer asks for it.
    const preview = row.locator('details.preview').first();
    await preview.locator('summary').click();
    const player = preview.locator('.player');
    await expect.poll(() => player.count()).toBe(1);
    const response = await page.request.get(new URL((await player.getAttribute('src'))!, consoleProcess.url).href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('application/pdf');
    expect(response.headers()['content-disposition']).toMatch(/^inline/);
    await shot('day-3-preview');
  });

  it('files it with the suggested retention after a confirmation that names the 档号', async () => {
    await page.goto(`${consoleProcess.url}/review`);
    const row = page.locator(`#review tr[data-ingest="${ingestId}"]`);
    const dialogs: string[] = [];
    page.once('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.accept();
    });
    await row.locator('button.file').click();
    await expect.poll(() => row.getAttribute('data-settled'), { timeout: 30_000 }).toBe('true');
    expect(dialogs).toHaveLength(1);
    expect(dialogs[0]).toContain(predicted);
    expect(await page.textContent('#msg')).toContain(predicted);
    await expect.poll(async () => (await db.catalog.getIngest(ingestId))?.status, { timeout: 120_000, interval: 500 }).toBe('FILED');
    await page.goto(`${consoleProcess.url}/ingests/${ingestId}`);
    expect(await page.getAttribute('#status', 'data-status')).toBe('FILED');
    expect(await page.locator('body').innerText()).toContain(predicted);
    await shot('day-4-filed');
  });

  it('finds it again by a word from the text of its preservation copy', async () => {
    const text = await extractedTextOf(db.catalog.pool, ingestId);
    // A four-character run of Chinese from the body that is not in the title: found only through the copy's text.
    const title = (await db.catalog.getIngest(ingestId))!.title;
    const word = [...(text?.body ?? '').matchAll(/[\u4e00-\u9fff]{4}/g)].map((m) => m[0]).find((w) => !title.includes(w));
    expect(word, 'the preservation copy has searchable text').toBeDefined();
    await page.goto(`${consoleProcess.url}/ingests`);
    await pageChecks(page);
    await page.getByRole('searchbox').fill(word!);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ingests\?/);
    expect(await page.locator(`#ingests a[href="/ingests/${ingestId}"]`).count()).toBeGreaterThan(0);
    await shot('day-5-search');
  });

  it('exports the department report with names beside codes, and the pages fit a tablet', async () => {
    await page.goto(`${consoleProcess.url}/timeliness`);
    await pageChecks(page);
    const href = await page.locator('a[href^="/api/timeliness"]').first().getAttribute('href');
    const report = await page.request.get(new URL(href!, consoleProcess.url).href);
    expect(report.status()).toBe(200);
    expect(report.headers()['content-type']).toContain('text/csv');
    const csv = await report.text();
    expect(csv.split('\n')[0]).toMatch(/department/i);
    expect(csv).toMatch(/[\u4e00-\u9fff]/);
    await shot('day-6-timeliness');

    await page.setViewportSize({ width: 768, height: 1024 });
    for (const where of ['/', '/review', '/ingests', '/timeliness', `/ingests/${ingestId}`]) {
      await page.goto(`${consoleProcess.url}${where}`);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow, `${where} at 768 px`).toBeLessThanOrEqual(0);
    }
    await page.goto(`${consoleProcess.url}/review`);
    await shot('day-7-review-tablet');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
