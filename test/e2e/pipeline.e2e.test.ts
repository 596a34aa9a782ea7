import type { Server } from 'node:http';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aipOf, auditEventsOf, classificationOf, itemNumbersOfClass, verifyAuditChain } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { CLOUDEVENTS_STRUCTURED_CONTENT_TYPE, documentFinalizedEvent, STAGES } from '@oa-archive/contracts';
import { auditVerify } from '@oa-archive/cli';
import { loadIntakeConfig, startIntake, type IntakeService } from '@oa-archive/intake';
import { createProducer } from '@oa-archive/kafka';
import { createFileServer, eventDataOf, listen, parseDocumentId, publishDocuments, simulateDocument, type PublishedDocument } from '@oa-archive/oa-simulator';
import { CallbackReceiver, readTopic, testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '@oa-archive/worker';

/**
 * The whole path on real infrastructure: the OA simulator publishes 20 finalized documents to Kafka
 * and serves their files; intake and a worker (in this process, as they would run in their own)
 * take them through every stage. Seed 2025 yields all four decisions: filed, excluded (drafts),
 * quarantined (密级) and waiting for review. Every receipt is also called back to an HTTP server
 * playing the OA; a second version of a filed document becomes a new version of its archival item.
 */
const TOKEN = 'e2e-simulator-token';
const CALLBACK_SECRET = 'e2e-simulator-callback-key-0123456789';
let oa: CallbackReceiver;
const COUNT = 20;
const kafka = testKafka();
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let simulator: Server;
let baseUrl = '';
let producer: Producer;
let intake: IntakeService;
let worker: WorkerProcess;
let published: PublishedDocument[];
const env: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestCatalog();
  simulator = createFileServer({ token: TOKEN });
  baseUrl = (await listen(simulator, 0)).baseUrl;
  oa = new CallbackReceiver(CALLBACK_SECRET);
  const callbackUrl = await oa.listen();
  Object.assign(env, {
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: uniqueName('e2e-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('e2e-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('e2e-receipts'),
    KAFKA_GROUP_ID: uniqueName('e2e-intake'),
    QUEUE_PREFIX: uniqueName('e2e'),
    S3_STAGING_BUCKET: uniqueName('e2e-staging'),
    S3_ARCHIVE_BUCKET: uniqueName('e2e-archive'),
    S3_QUARANTINE_BUCKET: uniqueName('e2e-quarantine'),
    WORKER_OPS_PORT: '0',
    INTAKE_OPS_PORT: '0',
    OA_SOURCES: JSON.stringify({ 'oa-simulator': { allowedOrigins: [new URL(baseUrl).origin], token: TOKEN, callback: { url: callbackUrl, secret: CALLBACK_SECRET } } }),
    CALLBACK_INTERVAL_MS: '250',
  });
  worker = await startWorker(loadWorkerConfig(env), testLogger());
  intake = await startIntake(loadIntakeConfig(env), testLogger());
  producer = createProducer(kafka);
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await intake?.close();
  await worker?.close();
  await new Promise((resolve) => simulator?.close(resolve));
  await oa?.close();
  await db?.drop();
});

const OUTCOMES = ['FILED', 'EXCLUDED', 'QUARANTINED', 'REVIEW'];
const STAGES_RUN: Record<string, string[]> = {
  FILED: [...STAGES],
  QUARANTINED: ['fetch', 'characterize', 'classify', 'deposit', 'notify'],
  EXCLUDED: ['fetch', 'characterize', 'classify', 'notify'],
  REVIEW: ['fetch', 'characterize', 'classify', 'notify'],
};

async function archiveKeys(bucket = env.S3_ARCHIVE_BUCKET): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await worker.deps.store.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

describe('OA event → archive, end to end', () => {
  it('gives all 20 simulated documents an outcome, and all four outcomes happen', async () => {
    published = await publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED!, source: 'oa-simulator', seed: 2025, count: COUNT, baseUrl });
    expect(published.every((d) => d.components >= 1 && d.components <= 3)).toBe(true);
    await waitFor(
      async () => {
        const counts = await db.catalog.countByStatus();
        return OUTCOMES.reduce((sum, o) => sum + (counts[o] ?? 0), 0) === COUNT && (await worker.deps.queues.backlog()) === 0;
      },
      { timeoutMs: 120_000, what: `${COUNT} documents with an outcome` },
    );
    const counts = await db.catalog.countByStatus();
    for (const outcome of OUTCOMES) expect(counts[outcome], outcome).toBeGreaterThan(0);
    expect(new Set((await db.catalog.listIngests()).map((i) => i.documentId))).toEqual(new Set(published.map((d) => d.documentId)));
  });

  it('files FILE documents under their 档号, gap-free, and quarantines the rest outside the archive', async () => {
    const archived = new Set(await archiveKeys());
    const quarantined = new Set(await archiveKeys(env.S3_QUARANTINE_BUCKET));
    const numbers = new Map<string, number[]>();
    for (const ingest of await db.catalog.listIngests()) {
      const components = await db.catalog.listComponents(ingest.ingestId);
      const classification = await classificationOf(db.catalog.pool, ingest.ingestId);
      if (ingest.status === 'FILED') {
        expect(classification?.referenceCode).toMatch(/^A182-(WS|ZP)·2025-(Y|D30|D10)-[A-Z]{3}-\d{4}$/);
        const cls = classification!.referenceCode!.slice(0, -5);
        numbers.set(cls, [...(numbers.get(cls) ?? []), classification!.itemNumber!]);
        for (const c of components) {
          expect(archived).toContain(c.archiveKey);
          expect(c.archiveKey!.startsWith(`A182/2025/${classification!.category}/${classification!.retention}/${classification!.referenceCode}/`)).toBe(true);
          expect(await worker.deps.store.digestOf(c.archiveBucket!, c.archiveKey!)).toMatchObject({ size: c.size, sha256: c.sha256, sm3: c.sm3 });
        }
      } else if (ingest.status === 'QUARANTINED') {
        for (const c of components) {
          expect(quarantined).toContain(c.archiveKey);
          expect(archived).not.toContain(c.archiveKey);
        }
      } else {
        expect(components.every((c) => c.archiveKey === null), `${ingest.status} documents are not deposited`).toBe(true);
      }
    }
    for (const [cls, items] of numbers) expect(items.sort((a, b) => a - b), cls).toEqual(items.map((_n, i) => i + 1));
  });

  it('records every stage of every document and its decision, and the audit chain verifies', async () => {
    for (const ingest of await db.catalog.listIngests()) {
      const runs = await db.catalog.stageRuns(ingest.ingestId);
      expect(runs.filter((r) => r.status === 'SUCCEEDED').map((r) => r.stage), ingest.status).toEqual(STAGES_RUN[ingest.status]);
      const audit = (await auditEventsOf(db.catalog.pool, ingest.ingestId)).map((e) => e.type);
      expect(audit[0]).toBe('ingest.received');
      expect(audit).toContain('ingest.classified');
      expect(audit).toContain(`ingest.${ingest.status.toLowerCase()}`);
      expect(audit.filter((t) => t === 'stage.completed')).toHaveLength(STAGES_RUN[ingest.status]!.length);
    }
    expect((await verifyAuditChain(db.catalog.pool)).ok).toBe(true);
    // What `archive audit verify --read-back` does: every catalogued object present with its digest.
    const report = await auditVerify(db.catalog, worker.deps.store, { readBack: true, locale: 'en' });
    expect(report.lines.filter((l) => /MISSING|MISMATCH|BROKEN/.test(l))).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('answers the OA with one receipt per document, carrying the outcome and the reason', async () => {
    const receipts = (await readTopic(kafka, env.KAFKA_TOPIC_RECEIPTS!, COUNT)).map((m) => JSON.parse(m.value));
    expect(receipts).toHaveLength(COUNT);
    const byDocument = new Map(receipts.map((r) => [r.data.documentId, r.data]));
    for (const ingest of await db.catalog.listIngests()) {
      const receipt = byDocument.get(ingest.documentId);
      expect(receipt?.outcome).toBe(ingest.status);
      expect(receipt?.classification?.ruleIds.length).toBeGreaterThanOrEqual(0);
      if (ingest.status === 'FILED') expect(receipt?.referenceCode).toMatch(/^A182-/);
      else expect(receipt?.reason).toBeTruthy();
    }
    // The same receipts, called back to the OA: each once, signed, as on Kafka.
    await waitFor(() => oa.acknowledged().size === COUNT, { timeoutMs: 30_000, what: `${COUNT} callbacks` });
    expect([...oa.acknowledged().values()].every((n) => n === 1)).toBe(true);
    const onKafka = new Map(receipts.map((r) => [r.id, r]));
    for (const callback of oa.received) {
      expect(callback.signatureValid).toBe(true);
      expect(callback.body).toEqual(onKafka.get(callback.receiptId!));
    }
  });

  it('adds nothing when the same 20 documents are published again', async () => {
    const keysBefore = (await archiveKeys()).length + (await archiveKeys(env.S3_QUARANTINE_BUCKET)).length;
    const chainBefore = await verifyAuditChain(db.catalog.pool);
    await publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED!, source: 'oa-simulator', seed: 2025, count: COUNT, baseUrl });
    await waitFor(() => intake.stats.duplicates === COUNT, { timeoutMs: 60_000, what: 'duplicates recognised' });

    expect(await db.catalog.listIngests()).toHaveLength(COUNT);
    expect((await archiveKeys()).length + (await archiveKeys(env.S3_QUARANTINE_BUCKET)).length).toBe(keysBefore);
    expect(await verifyAuditChain(db.catalog.pool)).toEqual(chainBefore);
    expect(await worker.deps.queues.backlog()).toBe(0);
    expect(oa.acknowledged().size).toBe(COUNT);
  });

  it('files version 2 of a filed document as a new version of its item: the same 档号, a second bag, the first untouched', async () => {
    const v1 = (await db.catalog.listIngests({ status: 'FILED' }))[0]!;
    const first = (await classificationOf(db.catalog.pool, v1.ingestId))!;
    const firstBag = (await aipOf(db.catalog.pool, v1.ingestId))!.prefix;
    const objects = async (prefix: string) => {
      const page = await worker.deps.store.s3.send(new ListObjectsV2Command({ Bucket: env.S3_ARCHIVE_BUCKET, Prefix: `${prefix}/` }));
      return (page.Contents ?? []).map((o) => [o.Key, o.ETag, o.LastModified?.toISOString()]);
    };
    const before = await objects(firstBag);

    const { seed, index, mix } = parseDocumentId(v1.documentId)!;
    const data = { ...eventDataOf(simulateDocument(seed, index, mix), baseUrl, { declareDigests: true }), version: 2 };
    const event = documentFinalizedEvent({ id: `${v1.eventId}-v2`, source: 'oa-simulator', time: new Date().toISOString(), data });
    await producer.send({ topic: env.KAFKA_TOPIC_FINALIZED!, messages: [{ key: v1.documentId, value: JSON.stringify(event), headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE } }] });
    const v2 = await waitFor(
      async () => (await db.catalog.listIngests({ status: 'FILED' })).find((i) => i.documentId === v1.documentId && i.version === 2),
      { timeoutMs: 60_000, what: 'version 2 filed' },
    );
    expect(await classificationOf(db.catalog.pool, v2.ingestId)).toMatchObject({ referenceCode: first.referenceCode, versionOf: v1.ingestId });
    expect((await aipOf(db.catalog.pool, v2.ingestId))!.prefix).toBe(`${firstBag}.v2`);
    expect(await objects(firstBag)).toEqual(before);
    const numbers = await itemNumbersOfClass(db.catalog.pool, first);
    expect([...numbers.held, ...numbers.voided].sort((a, b) => a - b)).toEqual(Array.from({ length: numbers.held.length + numbers.voided.length }, (_v, i) => i + 1));
    const report = await auditVerify(db.catalog, worker.deps.store, { readBack: true, locale: 'en' });
    expect(report.ok).toBe(true);
    await waitFor(() => oa.received.some((r) => r.body.data.ingestId === v2.ingestId && r.status === 200 && r.body.data.referenceCode === first.referenceCode), { timeoutMs: 30_000, what: 'the callback of version 2' });
  });
});
