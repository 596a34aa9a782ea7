import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, officerPage } from './browser.ts';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classificationOf, createApiToken } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, documentFinalizedEvent } from '@oa-archive/contracts';
import type { ConsoleProcess } from '@oa-archive/console';
import type { IntakeService } from '@oa-archive/intake';
import { createProducer } from '@oa-archive/kafka';
import { createFileServer, eventDataOf, listen, publishDocuments, simulateDocument } from '@oa-archive/oa-simulator';
import { testKafka, waitFor } from '@oa-archive/testing';
import type { WorkerProcess } from '@oa-archive/worker';
import { pipelineEnv, startPipeline } from './pipeline.ts';

/**
 * The console in real headless Chromium (Debian's, driven by playwright-core) over a running
 * pipeline: log in, read the stage queues, open a failed ingest, replay it and watch it be filed,
 * settle a review item. Screenshots go to test-artifacts/console/.
 */
const ARTIFACTS = path.join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const TOKEN = 'browser-simulator-token';
const kafka = testKafka();
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let simulator: Server;
let flaky: Server;
let flakyBytes: Buffer | undefined;
let producer: Producer;
let intake: IntakeService;
let worker: WorkerProcess;
let consoleProcess: ConsoleProcess;
let browser: Browser;
let page: Page;
let adminToken = '';
const failingDocument = 'BROWSER-FAIL-1';
const heldDocument = 'BROWSER-HELD-1';

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  db = await createTestCatalog();
  simulator = createFileServer({ token: TOKEN });
  const baseUrl = (await listen(simulator, 0)).baseUrl;
  flaky = createServer((_req, res) => (flakyBytes ? res.writeHead(200, { 'content-length': flakyBytes.length }).end(flakyBytes) : res.writeHead(503).end('busy')));
  const flakyUrl = (await listen(flaky, 0)).baseUrl;
  const env = pipelineEnv('browser', db.url, { origins: [new URL(baseUrl).origin, new URL(flakyUrl).origin], token: TOKEN }, { STAGE_ATTEMPTS: '2', STAGE_BACKOFF_MS: '50' });
  ({ worker, intake, consoleProcess } = await startPipeline(env));
  adminToken = (await createApiToken(db.catalog.pool, 'browser-admin', 'admin')).token;

  producer = createProducer(kafka);
  await producer.connect();
  // Seed 2025's first 14 documents include every outcome; one more fails at fetch (the OA answers 503).
  await publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED, source: 'oa-simulator', seed: 2025, count: 14, baseUrl });
  // Its own files (not a 重份 of the batch), and metadata the schedule files permanently.
  const data = eventDataOf(simulateDocument(777, 1), baseUrl, { declareDigests: true });
  Object.assign(data, { documentId: failingDocument, title: '关于印发《机关档案管理办法》的通知', documentType: '通知', securityLevel: '公开', departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
  data.components = [{ ...data.components[0]!, url: `${flakyUrl}/files/x/1` }];
  flakyBytes = undefined;
  await producer.send({
    topic: env.KAFKA_TOPIC_FINALIZED,
    messages: [{ value: JSON.stringify(documentFinalizedEvent({ id: 'browser-fail', source: 'oa-simulator', time: new Date().toISOString(), data })), headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE } }],
  });
  await waitFor(async () => {
    const counts = await db.catalog.countByStatus();
    return (counts.FAILED ?? 0) === 1 && (await worker.deps.queues.backlog()) === 0 && Object.values(counts).reduce((a, b) => a + b, 0) === 15;
  }, { timeoutMs: 120_000, what: 'the batch to settle' });

  browser = await launchChromium();
  page = await officerPage(browser);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await producer?.disconnect();
  await consoleProcess?.close();
  await intake?.close();
  await worker?.close();
  await new Promise((r) => simulator?.close(r));
  await new Promise((r) => flaky?.close(r));
  await db?.drop();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

describe('the console in a real browser', () => {
  it('logs in with a token and shows the stage queues with the right counts', async () => {
    await page.goto(consoleProcess.url);
    expect(page.url()).toContain('/login');
    await page.fill('input[name=token]', adminToken);
    await page.click('button[type=submit]');
    await page.waitForURL(`${consoleProcess.url}/`);
    const counts = await worker.deps.queues.counts();
    for (const stage of ['fetch', 'classify', 'notify'] as const) {
      const shown = await page.textContent(`#queues tr[data-stage="${stage}"] td[data-state="completed"]`);
      expect(Number(shown), stage).toBe(counts[stage].completed);
    }
    expect(Number(await page.textContent('[data-status="FAILED"]'))).toBe(1);
    await shot('overview');
  });

  it('opens the failed ingest, replays it, and watches it reach FILED', async () => {
    await page.goto(`${consoleProcess.url}/ingests?status=FAILED`);
    await page.click(`text=${failingDocument}`);
    await page.waitForSelector('#replay-failed');
    await shot('failed-ingest');
    flakyBytes = simulateDocument(777, 1).components[0]!.bytes; // the OA is back
    await page.click('#replay-failed');
    await expect
      .poll(async () => {
        await page.reload();
        return page.getAttribute('#status', 'data-status');
      }, { timeout: 60_000, interval: 500 })
      .toBe('FILED');
    expect(await page.textContent('#status')).toBe('已归档');
    await shot('replayed-filed');
  });

  it('speaks Chinese by default and English after the switch', async () => {
    await page.goto(`${consoleProcess.url}/review`);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('h1')).toMatch(/^待鉴定（\d+）$/);
    await page.click('#lang-switch');
    await page.waitForURL(`${consoleProcess.url}/review`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toMatch(/^Review queue \(\d+\)$/);
    await page.click('#lang-switch');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
  });

  it('settles one review item by filing it: preselected from the rule, confirmed with the 档号 it takes; a departure needs a reason', async () => {
    // A notice of the agency's own that D30-OWN-NOTICE files for 30 years, held back by a truncated PDF.
    const truncated = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');
    flakyBytes = truncated;
    const { port } = flaky.address() as { port: number };
    const held = eventDataOf(simulateDocument(779, 1), `http://127.0.0.1:${port}`, { declareDigests: false });
    Object.assign(held, { documentId: heldDocument, title: '关于开展档案安全检查的通知', documentType: '通知', securityLevel: '公开', departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
    held.components = [{ role: '正文', fileName: '关于开展档案安全检查的通知.pdf', mediaType: 'application/pdf', size: truncated.length, url: `http://127.0.0.1:${port}/files/held/1` }];
    await producer.send({
      topic: consoleProcess.deps.config.KAFKA_TOPIC_FINALIZED,
      messages: [{ value: JSON.stringify(documentFinalizedEvent({ id: 'browser-held', source: 'oa-simulator', time: new Date().toISOString(), data: held })), headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE } }],
    });
    const heldRow = async () => (await db.catalog.pool.query<{ ingest_id: string; status: string }>('SELECT ingest_id, status FROM ingests WHERE document_id = $1', [heldDocument])).rows[0];
    await expect.poll(async () => (await heldRow())?.status, { timeout: 60_000, interval: 500 }).toBe('REVIEW');
    const ingestId = (await heldRow())!.ingest_id;

    await page.goto(`${consoleProcess.url}/review`);
    // The rule has a suggestion for it: its form starts from it, never from 永久.
    const row = page.locator(`#review tr[data-ingest="${ingestId}"]`);
    const suggestion = row.locator('.suggestion');
    const suggested = { category: (await suggestion.getAttribute('data-category'))!, retention: (await suggestion.getAttribute('data-retention'))!, rule: (await suggestion.getAttribute('data-rule'))! };
    await shot('review-queue');
    expect(await row.locator('select[name=category]').inputValue()).toBe(suggested.category);
    expect(await row.locator('select[name=retention]').inputValue()).toBe(suggested.retention);
    const shown = await row.locator('output.prediction').getAttribute('data-reference-code');
    expect(shown).toMatch(new RegExp(`-${suggested.category}·\\d{4}-${suggested.retention}-`));
    // A preview of what is decided on, when the browser can show it: the player is put in when opened.
    const preview = row.locator('details.preview').first();
    if (await preview.count()) {
      await preview.locator('summary').click();
      await expect.poll(() => preview.locator('.player').count()).toBe(1);
    }

    const dialogs: string[] = [];
    const answer = (accept: boolean) => (dialog: { message(): string; accept(): Promise<void>; dismiss(): Promise<void> }) => {
      dialogs.push(dialog.message());
      return accept ? dialog.accept() : dialog.dismiss();
    };
    // Against the rule without a reason: refused in the page, nothing sent.
    const against = suggested.retention === 'D30' ? 'D10' : 'D30';
    await row.locator('select[name=retention]').selectOption(against);
    await expect.poll(() => row.locator('output.prediction').getAttribute('data-reference-code')).toMatch(new RegExp(`-${against}-`));
    page.once('dialog', answer(true));
    await row.locator('button.file').click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toMatch(/请填写理由/);
    expect((await db.catalog.getIngest(ingestId))?.status).toBe('REVIEW');
    // With a reason, the confirmation names the departure and the 档号; dismissing it sends nothing.
    await row.locator('input[name=note]').fill('经鉴定，具有不同的保存价值');
    page.once('dialog', answer(false));
    await row.locator('button.file').click();
    await expect.poll(() => dialogs.length).toBe(2);
    expect(dialogs[1]).toMatch(/^确认以“.+”归档？[\s\S]*将取得档号 \S+（暂定/);
    expect((await db.catalog.getIngest(ingestId))?.status).toBe('REVIEW');
    await shot('review-zh-CN');

    // Back to the rule's choice: no reason needed; the confirmation names the 档号 it will take.
    await row.locator('input[name=note]').fill('');
    await row.locator('select[name=retention]').selectOption(suggested.retention);
    page.once('dialog', answer(true));
    await row.locator('button.file').click();
    await expect.poll(() => dialogs.length).toBe(3);
    expect(dialogs[2]).toMatch(/^确认按规则建议归入“.+”？\n将取得档号 \S+（暂定/);
    const promised = /档号 (\S+)（暂定/.exec(dialogs[2]!)![1]!;
    // The settled number is shown once filed, and is the one the confirmation named.
    await expect.poll(() => row.getAttribute('data-settled')).toBe('true');
    expect(await page.textContent('#msg')).toBe(`已归档，档号 ${promised}`);
    expect((await classificationOf(db.catalog.pool, ingestId))?.referenceCode).toBe(promised);
    await expect.poll(async () => (await db.catalog.getIngest(ingestId))?.status, { timeout: 60_000, interval: 500 }).toBe('FILED');
    await page.goto(`${consoleProcess.url}/ingests/${ingestId}`);
    expect(await page.getAttribute('#status', 'data-status')).toBe('FILED');
    // The decision names its basis: the rule the person followed.
    expect(await page.getAttribute('#review-decisions td.basis', 'data-rule')).toBe(suggested.rule);
    await shot('review-settled');
  });
});
