import type { Server } from 'node:http';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog, createHold, createPool, liftHold, parseClassSelector } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { s3SettingsOf } from '@oa-archive/config';
import { createS3Client, ObjectStore } from '@oa-archive/storage';
import { auditVerify, loadCliConfig, rebuildCatalogCommand } from '@oa-archive/cli';
import { loadIntakeConfig, startIntake, type IntakeService } from '@oa-archive/intake';
import { createProducer } from '@oa-archive/kafka';
import { createFileServer, listen, publishDocuments } from '@oa-archive/oa-simulator';
import { anchorAuditChain, CatalogNotEmptyError } from '@oa-archive/pipeline';
import { testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker, type WorkerProcess } from '@oa-archive/worker';

/**
 * Rebuilding the catalog from the store (docs/custody.md, "Rebuilding the catalog"): 50 simulated
 * documents go through the whole pipeline on the real services, the audit chain is anchored, the
 * catalog database is dropped and created empty, and `archive rebuild-catalog` restores it from the
 * buckets. The rebuilt catalog has the same filed and quarantined ingests, the same 档号, the same
 * counters and the same audit trail, and `audit verify` passes against the anchors.
 */
const TOKEN = 'e2e-rebuild-token';
const COUNT = 50;
const OUTCOMES = ['FILED', 'EXCLUDED', 'QUARANTINED', 'REVIEW'];
const kafka = testKafka();
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let simulator: Server;
let producer: Producer;
let intake: IntakeService | undefined;
let worker: WorkerProcess | undefined;
/** The catalog as the rebuild made it, in the test catalog's database dropped and created again. */
let rebuilt: Catalog | undefined;
const env: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestCatalog();
  simulator = createFileServer({ token: TOKEN });
  const { baseUrl } = await listen(simulator, 0);
  Object.assign(env, {
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: uniqueName('rebuild-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('rebuild-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('rebuild-receipts'),
    KAFKA_GROUP_ID: uniqueName('rebuild-intake'),
    QUEUE_PREFIX: uniqueName('rebuild'),
    S3_STAGING_BUCKET: uniqueName('rebuild-staging'),
    S3_ARCHIVE_BUCKET: uniqueName('rebuild-archive'),
    S3_QUARANTINE_BUCKET: uniqueName('rebuild-quarantine'),
    WORKER_OPS_PORT: '0',
    INTAKE_OPS_PORT: '0',
    OA_SOURCES: JSON.stringify({ 'oa-simulator': { allowedOrigins: [new URL(baseUrl).origin], token: TOKEN } }),
    // Anchors during the run too, so the trail is carried by several anchors, each with its segment.
    AUDIT_ANCHOR_INTERVAL_MS: '2000',
    LIBREOFFICE_INSTANCES: '1',
  });
  worker = await startWorker(loadWorkerConfig(env), testLogger());
  intake = await startIntake(loadIntakeConfig(env), testLogger());
  producer = createProducer(kafka);
  await producer.connect();
  await publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED!, source: 'oa-simulator', seed: 2026, count: COUNT, baseUrl });
}, 240_000);

afterAll(async () => {
  await producer?.disconnect();
  await intake?.close();
  await worker?.close();
  await new Promise((resolve) => simulator?.close(resolve));
  await rebuilt?.close();
  await db?.drop();
});

/** The catalog's content that a rebuild must give back, in a form to compare. */
async function snapshot(pool: pg.Pool) {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    ingests: await q(
      `SELECT ingest_id, source, document_id, version, event_id, title, status, event,
              CASE WHEN status = 'FILED' THEN received_at END AS received_at
         FROM ingests WHERE status IN ('FILED', 'QUARANTINED') ORDER BY ingest_id`,
    ),
    classifications: await q(
      `SELECT c.ingest_id, outcome, category, retention, organisation_code, year, reference_code, item_number, version_of
         FROM classifications c JOIN ingests i USING (ingest_id) WHERE i.status IN ('FILED', 'QUARANTINED') ORDER BY ingest_id`,
    ),
    counters: await q('SELECT fonds, category, year, retention, org, last_item FROM reference_code_counters ORDER BY 1, 2, 3, 4, 5'),
    components: await q(
      `SELECT c.ingest_id, ordinal, role, file_name, size, sha256, sm3, archive_bucket, archive_key
         FROM components c JOIN ingests i USING (ingest_id) WHERE i.status IN ('FILED', 'QUARANTINED') ORDER BY 1, 2`,
    ),
    characterizations: await q(
      `SELECT ch.ingest_id, ordinal, format_name, puid, size, sha256, technical, findings
         FROM component_characterizations ch JOIN ingests i USING (ingest_id) WHERE i.status IN ('FILED', 'QUARANTINED') ORDER BY 1, 2`,
    ),
    aips: (await q('SELECT ingest_id, prefix, files FROM aips ORDER BY ingest_id')).map((a) => ({
      ...a,
      files: [...(a.files as { path: string }[])].sort((x, y) => x.path.localeCompare(y.path)),
    })),
    preservationCopies: await q('SELECT ingest_id, ordinal, action, file_name, sha256, archive_key FROM preservation_copies p JOIN aips USING (ingest_id) ORDER BY 1, 2'),
    metadata: await q('SELECT m.ingest_id, record, missing FROM metadata_records m JOIN aips USING (ingest_id) ORDER BY 1'),
    validation: await q('SELECT v.ingest_id, passed, report FROM validation_reports v JOIN aips USING (ingest_id) ORDER BY 1'),
    holds: await q('SELECT id, name, reason, created_by, lifted_by, lift_reason FROM holds ORDER BY id'),
    holdItems: await q('SELECT hold_id, kind, value, category, year, retention FROM hold_items ORDER BY 1, 2, 3'),
    access: await q('SELECT a.ingest_id, security_level, control_mark, minimum_role, schedule_version, basis FROM access_restrictions a JOIN aips USING (ingest_id) ORDER BY 1'),
    audit: await q('SELECT seq, at, ingest_id, type, actor, payload, prev_hash, hash FROM audit_events ORDER BY seq'),
  };
}

async function recreateDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

describe('rebuilding the catalog from the store', () => {
  let before: Awaited<ReturnType<typeof snapshot>>;

  it('files 50 documents, all four outcomes among them, and anchors the chain', async () => {
    await waitFor(
      async () => {
        const counts = await db.catalog.countByStatus();
        return OUTCOMES.reduce((sum, o) => sum + (counts[o] ?? 0), 0) === COUNT && (await worker!.deps.queues.backlog()) === 0;
      },
      { timeoutMs: 900_000, what: `${COUNT} documents with an outcome` },
    );
    const counts = await db.catalog.countByStatus();
    for (const outcome of OUTCOMES) expect(counts[outcome], outcome).toBeGreaterThan(0);
    // Nothing appends to the chain from here on: the head anchored now is the trail's end.
    await intake!.close();
    await worker!.close();
    intake = undefined;
    worker = undefined;
    // Custody decisions a rebuild must keep: an active hold on a class and on one 档号, and a lifted one.
    const { rows: filed } = await db.catalog.pool.query<{ reference_code: string; category: string }>(
      "SELECT reference_code, category FROM classifications JOIN ingests USING (ingest_id) WHERE status = 'FILED' AND reference_code IS NOT NULL ORDER BY reference_code LIMIT 1",
    );
    await createHold(db.catalog.pool, { name: '诉讼-2026-07', reason: '合同纠纷诉讼', selectors: [parseClassSelector(filed[0]!.category), { kind: 'reference-code', value: filed[0]!.reference_code }], actor: 'cli:e2e' });
    await createHold(db.catalog.pool, { name: '审计-2026', reason: '审计署专项审计', selectors: [{ kind: 'reference-code', value: filed[0]!.reference_code }], actor: 'cli:e2e' });
    await liftHold(db.catalog.pool, { name: '审计-2026', reason: '审计结束', actor: 'cli:e2e' });
    const s3 = createS3Client(s3SettingsOf(loadCliConfig(env)));
    try {
      const anchored = await anchorAuditChain({ catalog: db.catalog, store: new ObjectStore(s3), bucket: env.S3_ARCHIVE_BUCKET! });
      expect(anchored.outcome === 'written' || anchored.outcome === 'already-present').toBe(true);
    } finally {
      s3.destroy();
    }
    before = await snapshot(db.catalog.pool);
    expect(before.ingests.filter((i) => i.status === 'FILED').length).toBe(counts.FILED);
    // Seed 2026 has 内部 documents among those filed: their content stays restricted after a rebuild.
    expect(before.access.length).toBeGreaterThan(0);
  }, 960_000);

  it('rebuilds the dropped catalog: same ingests, 档号, counters and trail, and audit verify passes against the anchors', async () => {
    expect(before, 'the catalog the first test filed').toBeDefined();
    // Its connections go with it (FORCE); the test catalog's pool is ended when the test file drops the database.
    await recreateDatabase(db.url);
    const lines: string[] = [];
    const cli = loadCliConfig(env);
    expect(await rebuildCatalogCommand(cli, db.url, before.counters[0]!.fonds as string, 'cli:e2e', (line) => lines.push(line))).toBe(0);
    // Progress and summary in the records officer's language (zh-CN: nothing here sets ARCHIVE_LOCALE or LANG).
    expect(lines.some((l) => /^信息包 \d+\/\d+（本次恢复：\d+）$/.test(l))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^未恢复（不归档、待鉴定、失败或未完成.*）：\d+$/));

    rebuilt = new Catalog(createPool(db.url, 4));
    const after = await snapshot(rebuilt.pool);
    expect(after.ingests).toEqual(before.ingests);
    expect(after.classifications).toEqual(before.classifications);
    expect(after.counters).toEqual(before.counters);
    expect(after.components).toEqual(before.components);
    expect(after.characterizations).toEqual(before.characterizations);
    expect(after.aips).toEqual(before.aips);
    expect(after.preservationCopies).toEqual(before.preservationCopies);
    expect(after.metadata).toEqual(before.metadata);
    expect(after.validation).toEqual(before.validation);
    expect(after.access).toEqual(before.access);
    expect(before.holds).toHaveLength(2);
    expect(after.holds).toEqual(before.holds);
    expect(after.holdItems).toEqual(before.holdItems);
    expect(lines).toContain('从审计链恢复的冻结（含已解除）：2；已恢复文件的处置决定：0');
    // Filed or quarantined when the trail says: the time of the outcome's event (the same transaction as the status change).
    const outcomeAt = new Map(after.audit.filter((e) => e.type === 'ingest.filed' || e.type === 'ingest.quarantined').map((e) => [e.ingest_id as string, (e.at as Date).toISOString()]));
    const { rows: completed } = await rebuilt.pool.query<{ ingest_id: string; completed_at: Date }>("SELECT ingest_id, completed_at FROM ingests WHERE status IN ('FILED', 'QUARANTINED')");
    expect(completed.map((r) => [r.ingest_id, r.completed_at.toISOString()])).toEqual(completed.map((r) => [r.ingest_id, outcomeAt.get(r.ingest_id)]));
    // The whole trail, then the rebuild's own event chained after it.
    expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
    expect(after.audit.slice(before.audit.length).map((e) => e.type)).toEqual(['catalog.rebuilt']);

    // Excluded and review documents left nothing in the store: the rebuild names each of them.
    const notFiled = new Set(before.audit.filter((e) => e.type === 'ingest.excluded' || e.type === 'ingest.review').map((e) => e.ingest_id as string));
    expect(notFiled.size).toBeGreaterThan(0);
    for (const ingestId of notFiled) expect(lines).toContainEqual(expect.stringContaining(`  ${ingestId}  oa-simulator `));

    const s3 = createS3Client(s3SettingsOf(cli));
    try {
      const report = await auditVerify(rebuilt, new ObjectStore(s3), { readBack: false, anchorBucket: env.S3_ARCHIVE_BUCKET!, locale: 'en' });
      expect(report.lines.join('\n')).toMatch(/audit anchors matching the recomputed chain: (\d+) of \1/);
      expect(report.lines.join('\n')).toMatch(/this catalog was rebuilt from the store/);
      expect(report.ok, report.lines.join('\n')).toBe(true);
    } finally {
      s3.destroy();
    }
  }, 300_000);

  it('refuses a catalog that is not empty, and resumes one whose rebuild did not finish', async () => {
    expect(before, 'the catalog the first test filed').toBeDefined();
    const cli = loadCliConfig(env);
    await expect(rebuildCatalogCommand(cli, db.url, 'A', 'cli:e2e', () => undefined)).rejects.toBeInstanceOf(CatalogNotEmptyError);
    // As if the rebuild had stopped before its end: run again, it restores nothing twice.
    await rebuilt!.pool.query('UPDATE catalog_rebuilds SET finished_at = NULL');
    const lines: string[] = [];
    expect(await rebuildCatalogCommand(cli, db.url, before.counters[0]!.fonds as string, 'cli:e2e', (line) => lines.push(line))).toBe(0);
    expect(lines).toContain('从信息包恢复的已归档文件：0；从隔离记录恢复的已隔离文件：0');
    const again = await snapshot(rebuilt!.pool);
    expect(again.ingests).toEqual(before.ingests);
    expect(again.counters).toEqual(before.counters);
    expect(again.holds).toEqual(before.holds);
    expect(again.holdItems).toEqual(before.holdItems);
  }, 120_000);
});
