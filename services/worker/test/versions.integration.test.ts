import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBagIndependently } from '@oa-archive/aip/testing';
import { aipOf, classificationOf, documentVersionsOf, itemNumbersOfClass, receiptsOf, validationReportOf } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { documentFinalizedDataSchema, documentFinalizedEvent, ingestIdOf, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { createFileServer, eventDataOf, listen, simulateDocument } from '@oa-archive/oa-simulator';
import { jobIdOf, settleReview } from '@oa-archive/pipeline';
import { CallbackReceiver, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '../src/index.ts';
import { workerTestEnv } from './harness.ts';

/**
 * New versions of a document through a real worker (every stage, real PostgreSQL, Redis, S3 and
 * tools), with its receipts called back to a real HTTP server playing the OA: version 2 of a filed
 * document is a new AIP version under the same 档号, the first bag untouched; and the rules for
 * versions of excluded, quarantined and waiting documents, as docs/oa-integration.md states them.
 */
const TOKEN = 'versions-test-token';
const CALLBACK_SECRET = 'versions-test-callback-key-0123456789';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let worker: WorkerProcess;
let files: Server;
let filesUrl = '';
let oa: CallbackReceiver;
const archiveBucket = uniqueName('test-archive');

beforeAll(async () => {
  db = await createTestCatalog();
  files = createFileServer({ token: TOKEN });
  filesUrl = (await listen(files, 0)).baseUrl;
  oa = new CallbackReceiver(CALLBACK_SECRET);
  const callbackUrl = await oa.listen();
  worker = await startWorker(
    loadWorkerConfig(workerTestEnv(db.url, { origins: [filesUrl], token: TOKEN, callback: { url: callbackUrl, secret: CALLBACK_SECRET } }, { S3_ARCHIVE_BUCKET: archiveBucket, CALLBACK_INTERVAL_MS: '200' })),
    testLogger(),
  );
});
afterAll(async () => {
  await worker?.close();
  await oa?.close();
  await new Promise((r) => files?.close(r));
  await db?.drop();
});

type EventData = ReturnType<typeof eventDataOf>;
let events = 0;

/** Version `version` of document `documentId`, with the files of simulated document `files` and metadata the schedule files permanently (WS·2025·Y·BGS). */
function versionOf(documentId: string, version: number, files: number, adjust: (data: EventData) => void = () => {}): DocumentFinalizedEvent {
  const data = eventDataOf(simulateDocument(11, files), filesUrl, { declareDigests: true });
  Object.assign(data, { documentId, version, title: '关于印发《机关公文处理办法》的通知', documentType: '通知', securityLevel: '公开', departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
  data.dates.signed = '2025-06-01T10:00:00+08:00';
  adjust(data);
  return documentFinalizedEvent({ id: `event-${++events}`, source: 'oa-test', time: new Date().toISOString(), data: documentFinalizedDataSchema.parse(data) }) as DocumentFinalizedEvent;
}

async function record(event: DocumentFinalizedEvent): Promise<string> {
  const ingestId = ingestIdOf({ source: event.source, documentId: event.data.documentId, version: event.data.version });
  await db.catalog.recordIngest(ingestId, event);
  return ingestId;
}
const start = (ingestId: string, event: DocumentFinalizedEvent) => worker.deps.queues.enqueue('fetch', { ingestId, eventId: event.id });
async function ingest(event: DocumentFinalizedEvent): Promise<string> {
  const ingestId = await record(event);
  await start(ingestId, event);
  return ingestId;
}

const settled = (ingestId: string, statuses = ['FILED', 'FAILED', 'QUARANTINED', 'EXCLUDED', 'REVIEW']) =>
  waitFor(async () => {
    const i = await db.catalog.getIngest(ingestId);
    return i && statuses.includes(i.status) ? i : undefined;
  }, { what: `ingest ${ingestId} to settle`, timeoutMs: 60_000 });

/** Every object under a bag's prefix, with what S3 says about it (an overwrite would change ETag or date). */
async function objectsUnder(prefix: string) {
  const listed = await worker.deps.store.s3.send(new ListObjectsV2Command({ Bucket: archiveBucket, Prefix: `${prefix}/` }));
  return (listed.Contents ?? []).map((o) => ({ key: o.Key!, etag: o.ETag, modified: o.LastModified?.toISOString(), size: o.Size }));
}

async function validBag(prefix: string): Promise<boolean> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aip-version-'));
  try {
    for (const { key } of await objectsUnder(prefix)) {
      const local = path.join(dir, key.slice(prefix.length + 1));
      await mkdir(path.dirname(local), { recursive: true });
      await pipeline(await worker.deps.store.getStream(archiveBucket, key), createWriteStream(local));
    }
    return (await validateBagIndependently(dir)).valid;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a new version of a filed document', () => {
  it('is filed under the same 档号 as a second bag beside the first, which stays untouched, linked to it in PREMIS', async () => {
    const v1 = await ingest(versionOf('FW-2025-0137', 1, 21));
    expect((await settled(v1)).status).toBe('FILED');
    const first = (await classificationOf(db.catalog.pool, v1))!;
    const firstBag = (await aipOf(db.catalog.pool, v1))!.prefix;
    expect(firstBag).toBe(`A182/2025/WS/Y/${first.referenceCode}`);
    const before = await objectsUnder(firstBag);
    expect(before.length).toBeGreaterThan(5);

    // Version 2: other files, the same document.
    const v2 = await ingest(versionOf('FW-2025-0137', 2, 22));
    expect((await settled(v2)).status).toBe('FILED');
    const second = (await classificationOf(db.catalog.pool, v2))!;
    expect(second).toMatchObject({ outcome: 'FILE', referenceCode: first.referenceCode, itemNumber: first.itemNumber, versionOf: v1 });
    expect(second.ruleIds).toContain('builtin:version:new-version');
    const secondBag = (await aipOf(db.catalog.pool, v2))!.prefix;
    expect(secondBag).toBe(`${firstBag}.v2`);

    // Write-once: the first bag is exactly as it was; the second is a whole bag of its own.
    expect(await objectsUnder(firstBag)).toEqual(before);
    expect(await validBag(firstBag)).toBe(true);
    expect(await validBag(secondBag)).toBe(true);
    expect(await validationReportOf(db.catalog.pool, v2)).toMatchObject({ passed: true });

    // Indentation aside, as written.
    const premis = (await text(await worker.deps.store.getStream(archiveBucket, `${secondBag}/metadata/premis.xml`))).replace(/>\s+</g, '><');
    expect(premis).toContain(`<object xsi:type="representation"><objectIdentifier><objectIdentifierType>local</objectIdentifierType><objectIdentifierValue>${secondBag}</objectIdentifierValue></objectIdentifier>`);
    expect(premis).toMatch(new RegExp(`<relationship><relationshipType>derivation</relationshipType><relationshipSubType>is new version of</relationshipSubType><relatedObjectIdentifier><relatedObjectIdentifierType>local</relatedObjectIdentifierType><relatedObjectIdentifierValue>${firstBag}</relatedObjectIdentifierValue>`));
    expect(premis).toContain(`${v2}-new-version`);

    // One item, two versions; the class's numbers have no gap and no repeat.
    expect((await documentVersionsOf(db.catalog.pool, v2)).map((v) => [v.version, v.status, v.classification?.referenceCode, v.aipPrefix])).toEqual([
      [1, 'FILED', first.referenceCode, firstBag],
      [2, 'FILED', first.referenceCode, secondBag],
    ]);
    const other = await ingest(versionOf('FW-2025-0200', 1, 23));
    expect((await settled(other)).status).toBe('FILED');
    expect((await classificationOf(db.catalog.pool, other))!.itemNumber).toBe(first.itemNumber! + 1);
    const numbers = await itemNumbersOfClass(db.catalog.pool, first);
    expect([...numbers.held, ...numbers.voided].sort((a, b) => a - b)).toEqual(Array.from({ length: numbers.held.length + numbers.voided.length }, (_v, i) => i + 1));

    // The OA was called back for both versions, signed, with the one 档号.
    await waitFor(() => [v1, v2].every((id) => oa.received.some((r) => r.body.data.ingestId === id && r.status === 200)), { what: 'callbacks for both versions' });
    for (const id of [v1, v2]) {
      const [receipt] = await receiptsOf(db.catalog.pool, id);
      expect(oa.acknowledged().get(receipt!.receiptId)).toBe(1);
      expect(oa.received.find((r) => r.receiptId === receipt!.receiptId)).toMatchObject({ signatureValid: true, body: { data: { outcome: 'FILED', referenceCode: first.referenceCode } } });
    }
  });

  it('waits for a person when the schedule would file it in another class (another year): a 档号 does not change with a version', async () => {
    const v1 = await ingest(versionOf('FW-2025-0300', 1, 24));
    expect((await settled(v1)).status).toBe('FILED');
    const v2 = await ingest(versionOf('FW-2025-0300', 2, 25, (d) => (d.dates.signed = '2026-01-05T10:00:00+08:00')));
    expect((await settled(v2)).status).toBe('REVIEW');
    const decided = (await classificationOf(db.catalog.pool, v2))!;
    expect(decided).toMatchObject({ outcome: 'REVIEW', referenceCode: null });
    expect(decided.ruleIds).toContain('builtin:version:class-changed');
  });
});

describe('new versions of documents not filed', () => {
  it('classifies a new version of an excluded document afresh', async () => {
    const v1 = await ingest(versionOf('FW-2025-0400', 1, 26, (d) => (d.title = '关于印发《机关公文处理办法》的通知（征求意见稿）')));
    expect((await settled(v1)).status).toBe('EXCLUDED');
    const v2 = await ingest(versionOf('FW-2025-0400', 2, 27));
    expect((await settled(v2)).status).toBe('FILED');
    expect(await classificationOf(db.catalog.pool, v2)).toMatchObject({ outcome: 'FILE', versionOf: null, referenceCode: expect.stringMatching(/^A182-WS·2025-Y-BGS-\d{4}$/) });
    expect((await db.catalog.getIngest(v1))?.status).toBe('EXCLUDED');
  });

  it('keeps a new version of a quarantined document quarantined while its 密级 is the same', async () => {
    // Quarantined by a person (its 密级 says 公开): the next version, 公开 too, stays quarantined.
    const v1 = await ingest(versionOf('FW-2025-0500', 1, 28, (d) => Object.assign(d, { documentType: '倡议书', title: '关于节约用水的倡议书' })));
    expect((await settled(v1)).status).toBe('REVIEW');
    await settleReview(worker.deps, v1, { action: 'quarantine', note: '疑含内部敏感信息' }, 'li.qiang');
    expect((await settled(v1, ['QUARANTINED'])).status).toBe('QUARANTINED');
    const v2 = await ingest(versionOf('FW-2025-0500', 2, 29));
    expect((await settled(v2)).status).toBe('QUARANTINED');
    const decided = (await classificationOf(db.catalog.pool, v2))!;
    expect(decided).toMatchObject({ outcome: 'QUARANTINE', ruleIds: ['builtin:version:quarantined-earlier'] });
    expect(decided.explanation).toContain('本版密级未变（公开）');
    expect((await db.catalog.listComponents(v2)).every((c) => c.archiveBucket !== archiveBucket)).toBe(true);
  });

  it('classifies a new version of a quarantined document afresh once its 密级 changed', async () => {
    const v1 = await ingest(versionOf('FW-2025-0600', 1, 30, (d) => (d.securityLevel = '秘密')));
    expect((await settled(v1)).status).toBe('QUARANTINED');
    const v2 = await ingest(versionOf('FW-2025-0600', 2, 31));
    expect((await settled(v2)).status).toBe('FILED');
    expect(await classificationOf(db.catalog.pool, v2)).toMatchObject({ outcome: 'FILE', versionOf: null });
  });

  it('settles a version waiting for review as superseded when the next one arrives, which is classified afresh', async () => {
    const v1 = await ingest(versionOf('FW-2025-0700', 1, 32, (d) => Object.assign(d, { documentType: '倡议书', title: '关于节约用水的倡议书' })));
    expect((await settled(v1)).status).toBe('REVIEW');
    const v2 = await ingest(versionOf('FW-2025-0700', 2, 33));
    expect((await settled(v2)).status).toBe('FILED');
    expect((await db.catalog.getIngest(v1))?.status).toBe('EXCLUDED');
    expect(await classificationOf(db.catalog.pool, v1)).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['builtin:version:superseded'], explanation: '不归档：待鉴定期间收到本文件的第2版，本版被其取代' });
    expect((await receiptsOf(db.catalog.pool, v1)).map((r) => r.outcome)).toEqual(['REVIEW', 'EXCLUDED']);
    // The OA hears it in order: waiting, then superseded.
    await waitFor(() => oa.received.filter((r) => r.body.data.ingestId === v1 && r.status === 200).length === 2, { what: 'both callbacks of the superseded version' });
    expect(oa.received.filter((r) => r.body.data.ingestId === v1).map((r) => r.body.data.outcome)).toEqual(['REVIEW', 'EXCLUDED']);
  });

  it('lets a version wait, spending no attempt, for an earlier one still on its way; an earlier one arriving after a later one is superseded', async () => {
    const e1 = versionOf('FW-2025-0800', 1, 34);
    const v1 = await record(e1);
    const v2 = await ingest(versionOf('FW-2025-0800', 2, 35));
    // Version 1 is RECEIVED and goes nowhere yet: version 2 waits at classify.
    await waitFor(async () => (await worker.deps.queues.queue('classify').getJobState(jobIdOf(v2, 'classify'))) === 'delayed', { what: 'version 2 waiting at classify', timeoutMs: 30_000 });
    expect((await db.catalog.getIngest(v2))).toMatchObject({ status: 'IN_PROGRESS', currentStage: 'classify' });
    await start(v1, e1);
    expect((await settled(v1)).status).toBe('EXCLUDED');
    expect(await classificationOf(db.catalog.pool, v1)).toMatchObject({ ruleIds: ['builtin:version:superseded'], explanation: '不归档：已收到本文件的第2版（处理中），本版被其取代' });
    expect((await settled(v2)).status).toBe('FILED');
    expect((await db.catalog.stageRuns(v2)).filter((r) => r.stage === 'classify').map((r) => r.status)).toEqual(['SUCCEEDED']);
  });
});
