import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EEP_NAMESPACE, verifyEepSignature } from '@oa-archive/aip';
import { checkXmlIndependently, validateBagIndependently } from '@oa-archive/aip/testing';
import { aipOf } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { DEFAULT_SCHEDULE_PATH } from '@oa-archive/classify';
import { documentFinalizedDataSchema, documentFinalizedEvent, ingestIdOf, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { createFileServer, eventDataOf, listen, simulateDocument } from '@oa-archive/oa-simulator';
import { testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '../src/index.ts';
import { workerTestEnv } from './harness.ts';

/**
 * A schedule with `output: { eep: true }` puts metadata/eep.xml (DA/T 48 EEP) into the bag, signed with
 * the configured SM2 key; the bag stays valid for bagit-java, and the EEP carries every payload file.
 */
const TOKEN = 'eep-test-token';
// A test key pair (GB/T 32918 curve), made for this test only.
const PRIVATE_KEY = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
const PUBLIC_KEY = '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13';
const archiveBucket = uniqueName('test-archive');
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let worker: WorkerProcess;
let oa: Server;
let oaUrl = '';
let scheduleDir = '';

beforeAll(async () => {
  scheduleDir = await mkdtemp(path.join(tmpdir(), 'eep-schedule-'));
  const schedule = (await readFile(DEFAULT_SCHEDULE_PATH, 'utf8')).replace('output: { eep: false }', 'output: { eep: true }');
  expect(schedule).toContain('output: { eep: true }');
  await writeFile(path.join(scheduleDir, 'schedule.yaml'), schedule);
  db = await createTestCatalog();
  oa = createFileServer({ token: TOKEN });
  oaUrl = (await listen(oa, 0)).baseUrl;
  const config = loadWorkerConfig(
    workerTestEnv(
      db.url,
      { origins: [oaUrl], token: TOKEN },
      { S3_ARCHIVE_BUCKET: archiveBucket, RETENTION_SCHEDULE: path.join(scheduleDir, 'schedule.yaml'), EEP_SM2_PRIVATE_KEY: PRIVATE_KEY, EEP_SM2_PUBLIC_KEY: PUBLIC_KEY, EEP_SIGNER: '示范市档案馆', AUDIT_ANCHOR_INTERVAL_MS: '0', LIBREOFFICE_INSTANCES: '1' },
    ),
  );
  worker = await startWorker(config, testLogger());
}, 240_000);
afterAll(async () => {
  await worker?.close();
  await new Promise((r) => oa?.close(r));
  await db?.drop();
  if (scheduleDir) await rm(scheduleDir, { recursive: true, force: true });
}, 120_000);

function eventOf(index: number): DocumentFinalizedEvent {
  const data = eventDataOf(simulateDocument(48, index), oaUrl, { declareDigests: true });
  Object.assign(data, { title: '关于印发《机关公文处理办法》的通知', documentType: '通知', securityLevel: '公开', departmentCode: 'BGS', issuer: { name: '示范市人民政府办公室', relation: '本机关' } });
  data.dates.signed = '2025-06-01T10:00:00+08:00';
  return documentFinalizedEvent({ id: `eep-event-${index}`, source: 'oa-test', time: new Date().toISOString(), data: documentFinalizedDataSchema.parse(data) }) as DocumentFinalizedEvent;
}

describe('EEP output (schedule output.eep)', () => {
  it('adds a signed metadata/eep.xml with every payload file to a bag that stays valid', async () => {
    const event = eventOf(1);
    const ingestId = ingestIdOf({ source: event.source, documentId: event.data.documentId, version: event.data.version });
    await db.catalog.recordIngest(ingestId, event);
    await worker.deps.queues.enqueue('fetch', { ingestId, eventId: event.id });
    const done = await waitFor(
      async () => {
        const i = await db.catalog.getIngest(ingestId);
        return i && ['FILED', 'FAILED', 'QUARANTINED', 'EXCLUDED', 'REVIEW'].includes(i.status) ? i : undefined;
      },
      { what: `ingest ${ingestId} to settle`, timeoutMs: 420_000 },
    );
    expect({ status: done.status, reason: done.failureReason }).toEqual({ status: 'FILED', reason: null });

    const aip = (await aipOf(db.catalog.pool, ingestId))!;
    const eepFile = aip.files.find((f) => f.path === 'metadata/eep.xml');
    expect(eepFile).toMatchObject({ kind: 'tag' });

    const dir = await mkdtemp(path.join(tmpdir(), 'eep-bag-'));
    try {
      for (const file of aip.files) {
        const local = path.join(dir, file.path);
        await mkdir(path.dirname(local), { recursive: true });
        await pipeline(await worker.deps.store.getStream(archiveBucket, `${aip.prefix}/${file.path}`), createWriteStream(local));
      }
      expect(await validateBagIndependently(dir)).toMatchObject({ valid: true });
      expect(await readFile(path.join(dir, 'tagmanifest-sm3.txt'), 'utf8')).toContain(' metadata/eep.xml\n');

      const eepPath = path.join(dir, 'metadata/eep.xml');
      expect(await checkXmlIndependently(eepPath)).toMatchObject({ wellFormed: true, root: '电子文件封装包', namespace: EEP_NAMESPACE });
      const xml = await readFile(eepPath);
      expect(verifyEepSignature(xml, PUBLIC_KEY)).toBe('valid');
      // Every payload file (originals and preservation copies) is in the EEP, byte for byte.
      const embedded = [...xml.toString('utf8').matchAll(/<编码数据>([^<]*)<\/编码数据>/g)].map((m) => createHash('sha256').update(Buffer.from(m[1]!, 'base64')).digest('hex'));
      const payload = aip.files.filter((f) => f.kind === 'payload').map((f) => f.sha256);
      expect(embedded).toEqual(payload);
      expect(xml.toString('utf8')).toContain('<签名人>示范市档案馆</签名人>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 480_000);
});
