import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, documentFinalizedEvent } from '@oa-archive/contracts';
import { loadConsoleConfig, startConsole, type ConsoleProcess } from '@oa-archive/console';
import { loadIntakeConfig, startIntake, type IntakeService } from '@oa-archive/intake';
import { createProducer } from '@oa-archive/kafka';
import { createFileServer, eventDataOf, listen, publishDocuments, simulateDocument } from '@oa-archive/oa-simulator';
import { testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '@oa-archive/worker';

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

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  db = await createTestCatalog();
  simulator = createFileServer({ token: TOKEN });
  const baseUrl = (await listen(simulator, 0)).baseUrl;
  flaky = createServer((_req, res) => (flakyBytes ? res.writeHead(200, { 'content-length': flakyBytes.length }).end(flakyBytes) : res.writeHead(503).end('busy')));
  const flakyUrl = (await listen(flaky, 0)).baseUrl;
  const env = {
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: uniqueName('browser-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('browser-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('browser-receipts'),
    KAFKA_GROUP_ID: uniqueName('browser-intake'),
    QUEUE_PREFIX: uniqueName('browser'),
    S3_STAGING_BUCKET: uniqueName('browser-staging'),
    S3_ARCHIVE_BUCKET: uniqueName('browser-archive'),
    S3_QUARANTINE_BUCKET: uniqueName('browser-quarantine'),
    STAGE_ATTEMPTS: '2',
    STAGE_BACKOFF_MS: '50',
    OA_SOURCES: JSON.stringify({ 'oa-simulator': { allowedOrigins: [new URL(baseUrl).origin, new URL(flakyUrl).origin], token: TOKEN } }),
    CONSOLE_PORT: '0',
    WORKER_OPS_PORT: '0',
    INTAKE_OPS_PORT: '0',
  };
  worker = await startWorker(loadWorkerConfig(env), testLogger());
  intake = await startIntake(loadIntakeConfig(env), testLogger());
  consoleProcess = await startConsole(loadConsoleConfig(env), testLogger());
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

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A records officer's browser asks for Chinese (Accept-Language zh-CN), as the console's readers do.
  page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
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

  it('settles one review item by filing it: nothing preselected, a departure from the rule needs a reason', async () => {
    await page.goto(`${consoleProcess.url}/review`);
    const row = page.locator('#review tr[data-ingest]').first();
    const ingestId = await row.getAttribute('data-ingest');
    await shot('review-queue');
    expect(await row.locator('select[name=retention]').inputValue()).toBe('');
    const dialogs: string[] = [];
    const answer = (accept: boolean) => (dialog: { message(): string; accept(): Promise<void>; dismiss(): Promise<void> }) => {
      dialogs.push(dialog.message());
      return accept ? dialog.accept() : dialog.dismiss();
    };
    // Nothing chosen: the form asks for a choice and sends nothing.
    page.once('dialog', answer(true));
    await row.locator('button.file').click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toBe('请选择门类和保管期限。');
    const suggested = await row.locator('.suggestion').getAttribute('data-retention').catch(() => null);
    const against = !suggested ? 'Y' : suggested === 'D30' ? 'D10' : 'D30';
    await row.locator('select[name=category]').selectOption('WS');
    await row.locator('select[name=retention]').selectOption(against);
    // Against the rule (or 永久 with no rule) without a reason: refused in the page.
    page.once('dialog', answer(true));
    await row.locator('button.file').click();
    await expect.poll(() => dialogs.length).toBe(2);
    expect(dialogs[1]).toMatch(/请填写理由/);
    expect((await db.catalog.getIngest(ingestId!))?.status).toBe('REVIEW');
    // With a reason, a confirmation is asked; dismissing it sends nothing.
    await row.locator('input[name=note]').fill('经鉴定，具有不同的保存价值');
    page.once('dialog', answer(false));
    await row.locator('button.file').click();
    await expect.poll(() => dialogs.length).toBe(3);
    expect(dialogs[2]).toMatch(/^确认以“.+”归档？/);
    await shot('review-zh-CN');
    page.once('dialog', answer(true));
    await row.locator('button.file').click();
    await expect.poll(async () => (await db.catalog.getIngest(ingestId!))?.status, { timeout: 60_000, interval: 500 }).toBe('FILED');
    await page.goto(`${consoleProcess.url}/ingests/${ingestId}`);
    expect(await page.getAttribute('#status', 'data-status')).toBe('FILED');
    await shot('review-settled');
  });
});
