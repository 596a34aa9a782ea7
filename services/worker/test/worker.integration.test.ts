import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { validateBagIndependently, validatePdfAIndependently } from '@oa-archive/aip/testing';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { documentFinalizedDataSchema, documentFinalizedEvent, STAGES, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { createFileServer, eventDataOf, listen, simulateDocument } from '@oa-archive/oa-simulator';
import { replayBulk, replayIngest, settleReview, stageHandlers } from '@oa-archive/pipeline';
import { testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { auditEventsOf, characterizationsOf, classificationOf, metadataRecordOf, preservationCopiesOf, preservationEventsOf, receiptsOf, validationReportOf, verifyAuditChain } from '@oa-archive/catalog';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '../src/index.ts';
import { enqueueIngest, settledIngest, workerTestEnv } from './harness.ts';

const TOKEN = 'worker-test-token';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let worker: WorkerProcess;
let oa: Server;
let flaky: Server;
let oaUrl = '';
let flakyUrl = '';
let flakyHits = 0;
/** When set, the flaky OA has recovered and serves these bytes. */
let flakyRecovered: Buffer | undefined;
const archiveBucket = uniqueName('test-archive');
const stagingBucket = uniqueName('test-staging');
const quarantineBucket = uniqueName('test-quarantine');

beforeAll(async () => {
  db = await createTestCatalog();
  oa = createFileServer({ token: TOKEN });
  oaUrl = (await listen(oa, 0)).baseUrl;
  flaky = createServer((_req, res) => {
    flakyHits++;
    if (flakyRecovered) res.writeHead(200, { 'content-length': flakyRecovered.length }).end(flakyRecovered);
    else res.writeHead(503).end('busy');
  });
  flakyUrl = (await listen(flaky, 0)).baseUrl;
  const config = loadWorkerConfig(
    workerTestEnv(
      db.url,
      { origins: [oaUrl, flakyUrl], token: TOKEN },
      // The ops endpoint is tested here.
      { S3_ARCHIVE_BUCKET: archiveBucket, S3_STAGING_BUCKET: stagingBucket, S3_QUARANTINE_BUCKET: quarantineBucket, FETCH_MAX_BYTES: String(200_000), WORKER_OPS_PORT: '0' },
    ),
  );
  worker = await startWorker(config, testLogger());
});
afterAll(async () => {
  await worker?.close();
  await new Promise((r) => oa.close(r));
  await new Promise((r) => flaky.close(r));
  await db?.drop();
});

const ingest = (event: DocumentFinalizedEvent) => enqueueIngest(db.catalog, worker, event);

type EventData = ReturnType<typeof eventDataOf>;

/** A simulated document's real files, with metadata that makes the schedule file it permanently. */
const asOwnRegulation = (d: EventData) => {
  Object.assign(d, { title: '关于印发《机关公文处理办法》的通知', documentType: '通知', securityLevel: '公开', departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
  d.dates.signed = '2025-06-01T10:00:00+08:00';
};

function eventOf(index: number, adjust: (data: EventData) => void = asOwnRegulation): DocumentFinalizedEvent {
  const data = eventDataOf(simulateDocument(11, index), oaUrl, { declareDigests: true });
  asOwnRegulation(data);
  adjust(data);
  return documentFinalizedEvent({ id: `event-${index}`, source: 'oa-test', time: new Date().toISOString(), data: documentFinalizedDataSchema.parse(data) }) as DocumentFinalizedEvent;
}

const settled = (ingestId: string) => settledIngest(db.catalog, ingestId, 30_000);

describe('worker: fetch → … → deposit → notify on real services', () => {
  it('files a document under its 档号: every component deposited and verified, every stage recorded', async () => {
    const event = eventOf(1);
    const ingestId = await ingest(event);
    expect((await settled(ingestId)).status).toBe('FILED');
    const classification = await classificationOf(db.catalog.pool, ingestId);
    expect(classification).toMatchObject({ outcome: 'FILE', referenceCode: 'A182-WS·2025-Y-BGS-0001', ruleIds: ['Y-OWN-RULES-ISSUED'] });

    const components = await db.catalog.listComponents(ingestId);
    expect(components.length).toBeGreaterThan(1);
    const document = simulateDocument(11, 1);
    for (const [i, c] of components.entries()) {
      const bytes = document.components[i]!.bytes;
      expect(c.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(c.archiveBucket).toBe(archiveBucket);
      expect(await worker.deps.store.digestOf(archiveBucket, c.archiveKey!)).toEqual({ size: bytes.length, sha256: c.sha256, sm3: createHash('sm3').update(bytes).digest('hex') });
    }
    const prefix = 'A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001/';
    const listed = await worker.deps.store.s3.send(new ListObjectsV2Command({ Bucket: archiveBucket, Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!.slice(prefix.length));
    expect(keys).toEqual(expect.arrayContaining(['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt', 'manifest-sm3.txt', 'tagmanifest-sha256.txt', 'tagmanifest-sm3.txt', 'metadata/da46.xml', 'metadata/da46.json', 'metadata/premis.xml', 'metadata/four-properties.json']));
    expect(keys.filter((k) => k.startsWith('data/original/'))).toHaveLength(components.length);
    expect(keys.filter((k) => k.startsWith('data/preservation/'))).toHaveLength(components.length);

    // The AIP is a valid bag by an independent reading (Library of Congress bagit-java), and the
    // preservation copies meet PDF/A by veraPDF's.
    const bagDir = await mkdtemp(path.join(tmpdir(), 'aip-'));
    for (const key of keys) {
      await mkdir(path.dirname(path.join(bagDir, key)), { recursive: true });
      await pipeline(await worker.deps.store.getStream(archiveBucket, prefix + key), createWriteStream(path.join(bagDir, key)));
    }
    expect(await validateBagIndependently(bagDir)).toMatchObject({ valid: true });
    for (const copy of keys.filter((k) => k.startsWith('data/preservation/'))) {
      expect(await validatePdfAIndependently(path.join(bagDir, copy)), copy).toMatchObject({ compliant: true });
    }
    await rm(bagDir, { recursive: true, force: true });
    // DA/T 22 order: the text first.
    expect(components.find((c) => c.archiveKey?.includes('/original/001-'))?.role).toBe('正文');
    const runs = await db.catalog.stageRuns(ingestId);
    expect(runs.map((r) => `${r.stage}:${r.status}`)).toEqual(STAGES.map((s) => `${s}:SUCCEEDED`));
    expect(runs[0]!.detail.components).toEqual(expect.arrayContaining([expect.objectContaining({ declaredSha256Matches: true })]));
    const characterized = await characterizationsOf(db.catalog.pool, ingestId);
    expect(characterized[0]).toMatchObject({ formatName: 'PDF', puid: expect.stringMatching(/^fmt\//), sm3: components[0]!.sm3 });
    expect(characterized[0]!.technical).toMatchObject({ pageCount: expect.any(Number) });
    expect((await metadataRecordOf(db.catalog.pool, ingestId))?.missing).toEqual([]);

    // Preservation copies: the PDF through Ghostscript, the DOCX final draft through LibreOffice, both PDF/A-2b.
    const copies = await preservationCopiesOf(db.catalog.pool, ingestId);
    expect(copies.map((c) => [c.ordinal, c.action, c.target, c.formatName])).toEqual([
      [1, 'convert', 'PDF/A-2b', 'PDF/A-2b'],
      [2, 'convert', 'PDF/A-2b', 'PDF/A-2b'],
    ]);
    const migrations = (await preservationEventsOf(db.catalog.pool, ingestId)).filter((e) => e.eventType === 'migration');
    expect(migrations.map((e) => [e.agentName, e.outcome, e.sourceSha256 === components.find((c) => c.ordinal === e.ordinal)?.sha256])).toEqual([
      ['ghostscript', 'success', true],
      ['libreoffice', 'success', true],
    ]);
    expect(await validationReportOf(db.catalog.pool, ingestId)).toMatchObject({ passed: true });
  });

  it('recognises a 重份: the same files sent again under another document id are excluded', async () => {
    const ingestId = await ingest(eventOf(1, (d) => (d.documentId = 'COPY-OF-SIM-11-00001')));
    expect((await settled(ingestId)).status).toBe('EXCLUDED');
    const classification = await classificationOf(db.catalog.pool, ingestId);
    expect(classification?.ruleIds).toContain('builtin:duplicate');
    expect(classification?.explanation).toMatch(/重份/);
  });

  it('quarantines a 涉密 document in the quarantine bucket, never the archive', async () => {
    const ingestId = await ingest(eventOf(2, (d) => (d.securityLevel = '秘密')));
    expect((await settled(ingestId)).status).toBe('QUARANTINED');
    const runs = (await db.catalog.stageRuns(ingestId)).map((r) => r.stage);
    expect(runs).toEqual(['fetch', 'characterize', 'classify', 'deposit', 'notify']);
    const components = await db.catalog.listComponents(ingestId);
    expect(components.every((c) => c.archiveBucket === quarantineBucket)).toBe(true);
  });

  it('excludes a draft: recorded and receipted, not deposited', async () => {
    const ingestId = await ingest(eventOf(3, (d) => (d.title = '关于开展安全生产大检查的通知（征求意见稿）')));
    expect((await settled(ingestId)).status).toBe('EXCLUDED');
    expect((await db.catalog.stageRuns(ingestId)).map((r) => r.stage)).toEqual(['fetch', 'characterize', 'classify', 'notify']);
    expect((await db.catalog.listComponents(ingestId)).every((c) => c.archiveKey === null)).toBe(true);
    expect(await classificationOf(db.catalog.pool, ingestId)).toMatchObject({ outcome: 'EXCLUDE', ruleIds: ['EX-DRAFT'], referenceCode: null });
  });

  it('sends a document no rule decides to review, where it waits', async () => {
    const ingestId = await ingest(eventOf(4, (d) => Object.assign(d, { documentType: '倡议书', title: '关于节约用水的倡议书' })));
    expect((await settled(ingestId)).status).toBe('REVIEW');
    expect((await db.catalog.stageRuns(ingestId)).map((r) => r.stage)).toEqual(['fetch', 'characterize', 'classify', 'notify']);
  });

  it('refuses a component on a host the source is not allowed to use, without retrying', async () => {
    const ingestId = await ingest(eventOf(5, (d) => (d.components[0]!.url = 'http://169.254.169.254/latest/meta-data')));
    const failed = await settled(ingestId);
    expect(failed).toMatchObject({ status: 'FAILED', failedStage: 'fetch', failureRetryable: false });
    expect(failed.failureReason).toMatch(/FetchRefusedError: .*169\.254\.169\.254.*not an allowed origin/);
    expect((await db.catalog.stageRuns(ingestId)).filter((r) => r.stage === 'fetch')).toHaveLength(1);
  });

  it('refuses a component over the size limit', async () => {
    const ingestId = await ingest(eventOf(6, (d) => (d.components[0]!.size = 10_000_000)));
    expect(await settled(ingestId)).toMatchObject({ status: 'FAILED', failedStage: 'fetch', failureReason: expect.stringMatching(/larger than the configured limit/) });
  });

  it('retries a failing OA with backoff, then records FAILED with stage and reason', async () => {
    flakyHits = 0;
    const ingestId = await ingest(eventOf(7, (d) => (d.components[0]!.url = `${flakyUrl}/files/x/1`)));
    const failed = await settled(ingestId);
    expect(failed).toMatchObject({ status: 'FAILED', failedStage: 'fetch', failureRetryable: true, failureReason: expect.stringMatching(/HTTP 503/) });
    expect(flakyHits).toBe(3);
    const attempts = (await db.catalog.stageRuns(ingestId)).filter((r) => r.stage === 'fetch');
    expect(attempts.map((r) => [r.attempt, r.detail.willRetry])).toEqual([[1, true], [2, true], [3, false]]);
  });

  it('replays a failed ingest from the failed stage once the cause is fixed, and audits who asked', async () => {
    const [failed] = (await db.catalog.findFailed({ errorClass: 'FetchHttpError' })).filter((i) => i.failureRetryable);
    expect(failed).toBeDefined();
    // Nothing to replay twice at once, and only FAILED ingests are replayed.
    const dryRun = await replayBulk(worker.deps, { stage: 'fetch' }, { from: 'failed', actor: 'admin-1', dryRun: true, perSecond: 10 });
    expect(dryRun.matched.map((i) => i.ingestId)).toContain(failed!.ingestId);
    expect(dryRun.replayed).toEqual([]);

    flakyRecovered = simulateDocument(11, 7).components[0]!.bytes;
    await replayIngest(worker.deps, failed!.ingestId, { from: 'failed', actor: 'admin-1' });
    const done = await settled(failed!.ingestId);
    expect(done.status).not.toBe('FAILED');
    const audit = await auditEventsOf(db.catalog.pool, failed!.ingestId);
    expect(audit.find((e) => e.type === 'ingest.replay-requested')).toMatchObject({ actor: 'admin-1', payload: { fromStage: 'fetch', previousStatus: 'FAILED' } });
    await expect(replayIngest(worker.deps, failed!.ingestId, { from: 'start', actor: 'admin-1' })).rejects.toThrow(/not FAILED/);
  });

  it('lets a person settle a review: filed with a 档号, and the pipeline continues', async () => {
    const [waiting] = (await db.catalog.listIngests({ status: 'REVIEW' })).filter((i) => i.documentType === '倡议书');
    expect(waiting).toBeDefined();
    await expect(settleReview({ ...worker.deps }, waiting!.ingestId, { action: 'file', category: 'XX', retention: 'D10' }, 'records-officer')).rejects.toThrow(/category XX is not in the schedule/);
    const settledReview = await settleReview({ ...worker.deps }, waiting!.ingestId, { action: 'file', category: 'WS', retention: 'D10', note: '倡议书具有参考价值' }, 'records-officer');
    expect(settledReview).toMatchObject({ outcome: 'FILE', next: 'convert', referenceCode: expect.stringMatching(/^A182-WS·2025-D10-BGS-\d{4}$/) });
    const filed = await waitFor(async () => {
      const i = await db.catalog.getIngest(waiting!.ingestId);
      return i?.status === 'FILED' ? i : undefined;
    }, { what: 'the settled document to be filed', timeoutMs: 30_000 });
    expect(filed.status).toBe('FILED');
    const classified = (await auditEventsOf(db.catalog.pool, waiting!.ingestId)).filter((e) => e.type === 'ingest.classified');
    expect(classified.at(-1)?.actor).toBe('person:records-officer');
  });

  it('runs a stage twice without a second copy: a replayed deposit finds its own objects', async () => {
    const [filed] = await db.catalog.listIngests({ status: 'FILED' });
    const runsBefore = (await db.catalog.stageRuns(filed!.ingestId)).length;
    // Deposit itself is idempotent: run again, it finds every object of the bag in place and writes none.
    const again = await stageHandlers.deposit({ ingest: filed!, attempt: 1, log: testLogger(), deps: worker.deps });
    expect(again.detail).toMatchObject({ written: 0, 'already-present': again.detail.objects });
    // And the runner does not even run a duplicate job of a stage a FILED document has left.
    const deposit = worker.deps.queues.queue('deposit');
    await deposit.add('deposit', { ingestId: filed!.ingestId, eventId: filed!.eventId }, { jobId: `${filed!.ingestId}-deposit-replay` });
    await waitFor(async () => (await deposit.getJobState(`${filed!.ingestId}-deposit-replay`)) === 'completed', { what: 'the duplicate deposit job' });
    expect((await db.catalog.stageRuns(filed!.ingestId)).length).toBe(runsBefore);
    expect((await db.catalog.getIngest(filed!.ingestId))?.status).toBe('FILED');
    expect((await verifyAuditChain(db.catalog.pool)).ok).toBe(true);
  });

  it('answers every outcome with exactly one receipt in the outbox, all sent', async () => {
    for (const ingest of await db.catalog.listIngests()) {
      const receipts = await receiptsOf(db.catalog.pool, ingest.ingestId);
      expect(receipts.at(-1)?.outcome, ingest.ingestId).toBe(ingest.status);
      expect(new Set(receipts.map((r) => r.outcome)).size, ingest.ingestId).toBe(receipts.length);
      await waitFor(async () => (await receiptsOf(db.catalog.pool, ingest.ingestId)).every((r) => r.sentAt !== null), { what: `${ingest.ingestId}'s receipts to be sent` });
    }
  });
});

describe('worker operations endpoints', () => {
  it('serves /metrics with stage durations, /healthz and /readyz', async () => {
    const url = worker.ops!.url;
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/oa_archive_stage_duration_seconds_count\{stage="fetch",result="succeeded"\} \d+/);
    expect(metrics).toMatch(/oa_archive_outcomes_total\{outcome="FILED"\} \d+/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ ready: true });
  });
});
