import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EICAR, EICAR_SIGNATURE, startTestClamd, type TestClamd } from '@oa-archive/characterize/clamd-testing';
import { classificationOf, preservationEventsOf, validationReportOf, waitingOf } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { documentFinalizedDataSchema, documentFinalizedEvent, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { createFileServer, eventDataOf, listen, simulateDocument } from '@oa-archive/oa-simulator';
import { testLogger, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '../src/index.ts';
import { enqueueIngest, settledIngest, workerTestEnv } from './harness.ts';

// The virus check (DA/T 70 GD-4-1, GD-4-2) with a real clamd of this test's own.
const TOKEN = 'virus-test-token';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let worker: WorkerProcess;
let clamd: TestClamd;
let oa: Server;
let infected: Server;
let oaUrl = '';
let infectedUrl = '';

beforeAll(async () => {
  clamd = await startTestClamd();
  db = await createTestCatalog();
  oa = createFileServer({ token: TOKEN });
  oaUrl = (await listen(oa, 0)).baseUrl;
  infected = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': EICAR.length }).end(EICAR));
  infectedUrl = (await listen(infected, 0)).baseUrl;
  worker = await startWorker(
    loadWorkerConfig(workerTestEnv(db.url, { origins: [oaUrl, infectedUrl], token: TOKEN }, { CLAMAV_MODE: 'clamd', CLAMAV_SOCKET: clamd.socket, AUDIT_ANCHOR_INTERVAL_MS: '0', LIBREOFFICE_INSTANCES: '1' })),
    testLogger(),
  );
}, 240_000);
afterAll(async () => {
  await worker?.close();
  await new Promise((r) => oa?.close(r));
  await new Promise((r) => infected?.close(r));
  await db?.drop();
  await clamd?.close();
});

function eventOf(index: number, adjust: (data: ReturnType<typeof eventDataOf>) => void = () => undefined): DocumentFinalizedEvent {
  const data = eventDataOf(simulateDocument(23, index), oaUrl, { declareDigests: true });
  Object.assign(data, { title: '关于印发《机关公文处理办法》的通知', documentType: '通知', securityLevel: '公开', departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
  data.dates.signed = '2025-06-01T10:00:00+08:00';
  adjust(data);
  return documentFinalizedEvent({ id: `virus-event-${index}`, source: 'oa-test', time: new Date().toISOString(), data: documentFinalizedDataSchema.parse(data) }) as DocumentFinalizedEvent;
}

const ingest = (event: DocumentFinalizedEvent) => enqueueIngest(db.catalog, worker, event);

const settled = (ingestId: string) => settledIngest(db.catalog, ingestId, 60_000);

describe('virus check with clamd (CLAMAV_MODE=clamd)', () => {
  it('files a clean document, and its report names the engine (GD-4-1) and the scan of every component (GD-4-2)', async () => {
    const ingestId = await ingest(eventOf(1));
    const done = await settled(ingestId);
    const review = await validationReportOf(db.catalog.pool, ingestId);
    expect({ status: done.status, stage: done.failedStage, reason: done.failureReason, failed: (review?.report.items as { result: string; blocking: boolean }[] | undefined)?.filter((i) => i.result === 'fail' && i.blocking) }).toMatchObject({ status: 'FILED', failed: [] });
    const components = await db.catalog.listComponents(ingestId);
    const scans = (await preservationEventsOf(db.catalog.pool, ingestId)).filter((e) => e.eventType === 'virus check');
    expect(scans.map((e) => [e.ordinal, e.outcome])).toEqual(components.map((c) => [c.ordinal, 'success']));
    expect(scans[0]).toMatchObject({ agentName: 'ClamAV', agentVersion: expect.stringMatching(/^ClamAV \d/) });
    const report = (await validationReportOf(db.catalog.pool, ingestId))!.report as { items: { code: string; result: string; detail: string }[] };
    expect(report.items.find((i) => i.code === 'GD-4-1')).toMatchObject({ result: 'pass', detail: expect.stringContaining('ClamAV') });
    expect(report.items.find((i) => i.code === 'GD-4-2')).toMatchObject({ result: 'pass', detail: `${components.length}个组件均经ClamAV检测，未检出病毒` });
  });

  it('quarantines a document with an infected component, naming the signature', async () => {
    const ingestId = await ingest(eventOf(2, (d) => d.components.push({ role: '附件', fileName: 'eicar.txt', mediaType: 'text/plain', url: `${infectedUrl}/files/eicar` })));
    const done = await settled(ingestId);
    expect(done.status).toBe('QUARANTINED');
    const classification = await classificationOf(db.catalog.pool, ingestId);
    expect(classification).toMatchObject({ outcome: 'QUARANTINE', ruleIds: ['builtin:unsafe:virus-detected'] });
    expect(classification!.explanation).toContain(EICAR_SIGNATURE);
    const scans = (await preservationEventsOf(db.catalog.pool, ingestId)).filter((e) => e.eventType === 'virus check');
    expect(scans.find((e) => e.outcome === 'failure')).toMatchObject({ outcomeDetail: `检出病毒：${EICAR_SIGNATURE}` });
  });

  it('keeps a document waiting for the scanner while clamd is down mid-run (never filed, never failed), and files it once clamd is back', async () => {
    // A document on its way when clamd stops.
    const before = await ingest(eventOf(3));
    await clamd.stop();
    const during = await ingest(eventOf(4));
    const waiting = await waitFor(async () => {
      const w = await waitingOf(db.catalog.pool, during);
      return w ? w : undefined;
    }, { what: 'the document to wait for the scanner', timeoutMs: 60_000 });
    expect(waiting).toMatchObject({ for: 'virus-scanner', reason: expect.stringMatching(/clamd at .* did not answer/) });
    // Tried again (with backoff) while clamd stays down: it still waits, spends no attempt, is never filed unscanned.
    await new Promise((r) => setTimeout(r, 3_000));
    const held = await db.catalog.getIngest(during);
    expect(held).toMatchObject({ status: 'IN_PROGRESS', currentStage: 'characterize' });
    expect(await classificationOf(db.catalog.pool, during)).toBeUndefined();
    expect((await preservationEventsOf(db.catalog.pool, during)).filter((e) => e.eventType === 'virus check')).toEqual([]);
    expect((await db.catalog.stageRuns(during)).filter((r) => r.stage === 'characterize' && r.status === 'FAILED')).toEqual([]);

    await clamd.start();
    for (const ingestId of [before, during]) {
      const done = await settled(ingestId);
      expect(done.status).toBe('FILED');
      expect(await waitingOf(db.catalog.pool, ingestId)).toBeNull();
      const components = await db.catalog.listComponents(ingestId);
      const report = (await validationReportOf(db.catalog.pool, ingestId))!.report as { items: { code: string; result: string }[] };
      expect(report.items.find((i) => i.code === 'GD-4-2')).toMatchObject({ result: 'pass' });
      expect((await preservationEventsOf(db.catalog.pool, ingestId)).filter((e) => e.eventType === 'virus check').map((e) => e.ordinal).sort()).toEqual(components.map((c) => c.ordinal).sort());
    }
  }, 180_000);
});
