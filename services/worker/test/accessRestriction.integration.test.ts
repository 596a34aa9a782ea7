import type { Server } from 'node:http';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessRestrictionRecordOf, aipOf, classificationOf, receiptsOf, validationReportOf } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { documentFinalizedDataSchema, documentFinalizedEvent, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { createFileServer, eventDataOf, listen, simulateDocument } from '@oa-archive/oa-simulator';
import { testLogger, uniqueName } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '../src/index.ts';
import { enqueueIngest, settledIngest, workerTestEnv } from './harness.ts';

/**
 * 内部 is no 密级: with the default schedule a 内部 document is FILED, its restriction (DA/T 46 权限管理 ·
 * 控制标识 控制, content for admin and above) in the catalog, the AIP's DA/T 46 record and the receipt;
 * a 秘密 one is quarantined. The worker runs with its defaults, so every component is scanned by the
 * local clamd (infra/local/clamav.sh, started by up.sh).
 */
const TOKEN = 'access-test-token';
const archiveBucket = uniqueName('test-archive');
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let worker: WorkerProcess;
let oa: Server;
let oaUrl = '';

beforeAll(async () => {
  db = await createTestCatalog();
  oa = createFileServer({ token: TOKEN });
  oaUrl = (await listen(oa, 0)).baseUrl;
  const config = loadWorkerConfig(workerTestEnv(db.url, { origins: [oaUrl], token: TOKEN }, { S3_ARCHIVE_BUCKET: archiveBucket, AUDIT_ANCHOR_INTERVAL_MS: '0', LIBREOFFICE_INSTANCES: '1' }));
  expect(config.CLAMAV_MODE).toBe('clamd');
  worker = await startWorker(config, testLogger());
}, 240_000);
afterAll(async () => {
  await worker?.close();
  await new Promise((r) => oa?.close(r));
  await db?.drop();
}, 120_000);

function eventOf(index: number, securityLevel: '内部' | '秘密'): DocumentFinalizedEvent {
  const data = eventDataOf(simulateDocument(31, index), oaUrl, { declareDigests: true });
  Object.assign(data, { title: '关于印发《机关公文处理办法》的通知', documentType: '通知', securityLevel, departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
  data.dates.signed = '2025-06-01T10:00:00+08:00';
  return documentFinalizedEvent({ id: `access-event-${index}`, source: 'oa-test', time: new Date().toISOString(), data: documentFinalizedDataSchema.parse(data) }) as DocumentFinalizedEvent;
}

const ingest = (event: DocumentFinalizedEvent) => enqueueIngest(db.catalog, worker, event);

const settled = (ingestId: string) => settledIngest(db.catalog, ingestId, 180_000);

describe('内部 filed restricted, 秘密 quarantined (default schedule)', () => {
  it('files a 内部 document with its access restriction in the catalog, the DA/T 46 record and the receipt', async () => {
    const ingestId = await ingest(eventOf(1, '内部'));
    const done = await settled(ingestId);
    expect({ status: done.status, reason: done.failureReason }).toEqual({ status: 'FILED', reason: null });
    expect(await classificationOf(db.catalog.pool, ingestId)).toMatchObject({ outcome: 'FILE', retention: 'Y' });
    expect(await accessRestrictionRecordOf(db.catalog.pool, ingestId)).toMatchObject({ securityLevel: '内部', controlMark: '控制', minimumRole: 'admin' });

    const report = (await validationReportOf(db.catalog.pool, ingestId))!.report as { items: { code: string; result: string }[] };
    expect(report.items.find((i) => i.code === 'GD-4-4')).toMatchObject({ result: 'pass' });
    expect(report.items.find((i) => i.code === 'GD-4-2')).toMatchObject({ result: 'pass' });

    const aip = (await aipOf(db.catalog.pool, ingestId))!;
    const da46 = await text(await worker.deps.store.getStream(archiveBucket, `${aip.prefix}/metadata/da46.xml`));
    expect(da46).toMatch(/<权限管理>\s*<控制标识>控制<\/控制标识>\s*<授权对象>admin<\/授权对象>/);
    // 密级 stays what the OA recorded; the restriction is 权限管理, not a 密级.
    expect(da46).toContain('<密级>内部</密级>');

    const receipt = (await receiptsOf(db.catalog.pool, ingestId)).find((r) => r.outcome === 'FILED')!.receipt;
    expect(receipt.data.access).toMatchObject({ controlMark: '控制', securityLevel: '内部', minimumRole: 'admin' });
  }, 240_000);

  it('quarantines a 秘密 document before any rule, with no restriction to record', async () => {
    const ingestId = await ingest(eventOf(2, '秘密'));
    const done = await settled(ingestId);
    expect(done.status).toBe('QUARANTINED');
    expect(await classificationOf(db.catalog.pool, ingestId)).toMatchObject({ outcome: 'QUARANTINE', ruleIds: ['builtin:security-level'] });
    expect(await accessRestrictionRecordOf(db.catalog.pool, ingestId)).toBeNull();
    expect((await receiptsOf(db.catalog.pool, ingestId)).find((r) => r.outcome === 'QUARANTINED')!.receipt.data.access).toBeUndefined();
  }, 240_000);
});
