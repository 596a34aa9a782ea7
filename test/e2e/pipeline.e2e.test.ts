import type { Server } from 'node:http';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, verifyAuditChain } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { STAGES } from '@oa-archive/contracts';
import { loadIntakeConfig, startIntake, type IntakeService } from '@oa-archive/intake';
import { createProducer } from '@oa-archive/kafka';
import { createFileServer, listen, publishDocuments, type PublishedDocument } from '@oa-archive/oa-simulator';
import { readTopic, testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '@oa-archive/worker';

/**
 * The whole path on real infrastructure: the OA simulator publishes 20 finalized documents to Kafka
 * and serves their files; intake and a worker (in this process, as they would run in their own)
 * take them through every stage into the archive bucket.
 */
const TOKEN = 'e2e-simulator-token';
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
  Object.assign(env, {
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: uniqueName('e2e-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('e2e-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('e2e-receipts'),
    KAFKA_GROUP_ID: uniqueName('e2e-intake'),
    QUEUE_PREFIX: uniqueName('e2e'),
    S3_STAGING_BUCKET: uniqueName('e2e-staging'),
    S3_ARCHIVE_BUCKET: uniqueName('e2e-archive'),
    OA_SOURCES: JSON.stringify({ 'oa-simulator': { allowedHosts: [new URL(baseUrl).host], token: TOKEN } }),
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
  await db?.drop();
});

async function archiveKeys(): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await worker.deps.store.s3.send(new ListObjectsV2Command({ Bucket: env.S3_ARCHIVE_BUCKET, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

describe('OA event → archive, end to end', () => {
  it('files all 20 simulated documents into the archive bucket', async () => {
    published = await publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED!, source: 'oa-simulator', seed: 2025, count: COUNT, baseUrl });
    expect(published.every((d) => d.components >= 1 && d.components <= 3)).toBe(true);
    await waitFor(async () => (await db.catalog.countByStatus()).FILED === COUNT, { timeoutMs: 120_000, what: `${COUNT} documents filed` });

    const keys = new Set(await archiveKeys());
    const ingests = await db.catalog.listIngests();
    expect(ingests).toHaveLength(COUNT);
    expect(new Set(ingests.map((i) => i.documentId))).toEqual(new Set(published.map((d) => d.documentId)));
    for (const ingest of ingests) {
      const components = await db.catalog.listComponents(ingest.ingestId);
      expect(components).toHaveLength(published.find((d) => d.documentId === ingest.documentId)!.components);
      for (const component of components) {
        expect(keys).toContain(component.archiveKey);
        expect(await worker.deps.store.digestOf(component.archiveBucket!, component.archiveKey!)).toMatchObject({ size: component.size, sha256: component.sha256 });
      }
    }
  });

  it('records every stage of every document, and the audit chain verifies', async () => {
    for (const ingest of await db.catalog.listIngests()) {
      const runs = await db.catalog.stageRuns(ingest.ingestId);
      expect(runs.filter((r) => r.status === 'SUCCEEDED').map((r) => r.stage)).toEqual([...STAGES]);
      const audit = (await auditEventsOf(db.catalog.pool, ingest.ingestId)).map((e) => e.type);
      expect(audit[0]).toBe('ingest.received');
      expect(audit.filter((t) => t === 'stage.completed')).toHaveLength(STAGES.length);
      expect(audit).toContain('ingest.filed');
    }
    const chain = await verifyAuditChain(db.catalog.pool);
    expect(chain.ok).toBe(true);
    expect(chain.events).toBe(COUNT * (1 + STAGES.length + 1));
  });

  it('answers the OA with a FILED receipt per document', async () => {
    const receipts = (await readTopic(kafka, env.KAFKA_TOPIC_RECEIPTS!, COUNT)).map((m) => JSON.parse(m.value));
    expect(receipts).toHaveLength(COUNT);
    expect(receipts.every((r) => r.type === 'archive.ingest.receipt' && r.data.outcome === 'FILED' && r.data.objects.length >= 1)).toBe(true);
  });

  it('adds nothing when the same 20 documents are published again', async () => {
    const keysBefore = (await archiveKeys()).length;
    const chainBefore = await verifyAuditChain(db.catalog.pool);
    await publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED!, source: 'oa-simulator', seed: 2025, count: COUNT, baseUrl });
    await waitFor(() => intake.stats.duplicates === COUNT, { timeoutMs: 60_000, what: 'duplicates recognised' });

    expect(await db.catalog.listIngests()).toHaveLength(COUNT);
    expect((await archiveKeys()).length).toBe(keysBefore);
    expect(await verifyAuditChain(db.catalog.pool)).toEqual(chainBefore);
    expect(await worker.deps.queues.backlog()).toBe(0);
  });
});
