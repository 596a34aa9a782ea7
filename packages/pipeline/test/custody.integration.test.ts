import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBag } from '@oa-archive/aip';
import { custodyEnv, replicaS3SettingsOf } from '@oa-archive/config';
import { auditEventsOf, custodyOf, custodySummary, fixityAuditsOf, preservationEventsOf, recordAip, type AipFile, type Catalog } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { createS3Client, ensureBuckets, ObjectStore } from '@oa-archive/storage';
import { createTestBuckets, testS3Settings } from '@oa-archive/storage/testing';
import { testLogger } from '@oa-archive/testing';
import { CustodyMetrics, fixityPremisXml, runFixityAudits, runReplication, type CustodyDeps } from '../src/index.ts';

/**
 * Fixity audits and the second copy against the real PostgreSQL, the shared S3Proxy (:9000, the
 * archive) and a second S3Proxy started here on a spare port (the replica). Damage is done behind the
 * archive's back, on the servers' data directories, as a failing disk or a careless hand would.
 */
const INFRA = path.join(import.meta.dirname, '..', '..', '..', 'infra', 'local');
const OA_HOME = process.env.OA_ARCHIVE_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'oa-archive');
const PRIMARY_DATA_DIR = process.env.S3_DATA_DIR ?? path.join(OA_HOME, 's3');
const CYCLE_MS = 90 * 86_400_000;

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let catalog: Catalog;
let primary: ObjectStore;
let archiveBucket: string;
let replicaDir: string;
let replicaEnv: NodeJS.ProcessEnv;
let replica: { store: ObjectStore; bucket: string };
let replicaEndpoint: string;
let metrics: CustodyMetrics;
const registry = new Registry();

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

const s3sh = (command: 'start' | 'stop') => promisify(execFile)('bash', [path.join(INFRA, 's3.sh'), command], { env: replicaEnv, timeout: 180_000 });

beforeAll(async () => {
  db = await createTestCatalog();
  catalog = db.catalog;
  const created = await createTestBuckets('custody-archive');
  created.s3.destroy();
  // As the worker's custody client: audits digest every byte themselves (see S3Settings.responseChecksums).
  primary = new ObjectStore(createS3Client({ ...testS3Settings(), responseChecksums: 'when_required' }));
  archiveBucket = created.buckets[0]!;
  replicaDir = await mkdtemp(path.join(tmpdir(), 'oa-replica-s3-'));
  const port = await freePort();
  replicaEnv = { ...process.env, S3_PORT: String(port), S3_DATA_DIR: path.join(replicaDir, 'data'), S3_PIDFILE: path.join(replicaDir, 's3.pid') };
  await s3sh('start');
  replicaEndpoint = `http://127.0.0.1:${port}`;
  const replicaS3 = createS3Client({ ...testS3Settings(), endpoint: replicaEndpoint, responseChecksums: 'when_required' });
  replica = { store: new ObjectStore(replicaS3), bucket: `replica-${randomBytes(4).toString('hex')}` };
  await ensureBuckets(replicaS3, [replica.bucket]);
  metrics = new CustodyMetrics(registry, catalog.pool);
}, 240_000);

afterAll(async () => {
  if (replicaEnv) await s3sh('stop');
  if (replicaDir) await rm(replicaDir, { recursive: true, force: true });
  replica?.store.s3.destroy();
  primary?.s3.destroy();
  await db?.drop();
});

const depsOf = (withReplica: boolean): CustodyDeps => ({
  catalog,
  primary,
  ...(withReplica ? { replica } : {}),
  settings: { cycleMs: CYCLE_MS, maxBytesPerSecond: 50 * 1024 * 1024 },
  metrics,
  logger: testLogger(),
});

/** Files a document the way package and deposit do: a BagIt bag, written once under its prefix, recorded in the catalog. */
async function fileAip(documentId: string): Promise<{ ingestId: string; prefix: string; files: AipFile[] }> {
  const ingestId = `ing-${documentId}`;
  await seedIngestAt(catalog, ingestId, exampleEventFor(documentId), { status: 'FILED' });
  const payload = [
    { path: 'data/original/001-正文.pdf', content: randomBytes(3000) },
    { path: 'data/original/002-附件.docx', content: randomBytes(1500) },
  ];
  const digests = (content: Buffer) => ({ size: content.length, sha256: sha('sha256', content), sm3: sha('sm3', content) });
  const bag = buildBag({
    payload: payload.map((p) => ({ path: p.path, ...digests(p.content) })),
    tagFiles: [{ path: 'metadata/da46.xml', content: Buffer.from(`<文件><档号>${documentId}</档号></文件>\n`) }],
    info: { referenceCode: `WS·2026-BGS-Y-${documentId}`, fonds: 'WS', sourceOrganization: '某局', sourceSystem: 'oa', externalIdentifier: ingestId, externalDescription: '通知', dates: { created: '2026-11-01', finalized: '2026-11-02' }, baggingDate: '2026-11-02' },
  });
  const prefix = `WS/2026/BGS/Y/${documentId}`;
  const all = [...payload.map((p) => ({ ...p, kind: 'payload' as const })), ...bag.files.map((f) => ({ ...f, kind: 'tag' as const }))];
  const files: AipFile[] = [];
  for (const file of all) {
    const d = digests(file.content);
    await primary.depositOnce({ bucket: archiveBucket, key: `${prefix}/${file.path}`, size: d.size, sha256: d.sha256, open: async () => Readable.from([file.content]) });
    files.push({ path: file.path, kind: file.kind, stagingKey: `ingests/${ingestId}/${file.path}`, ...d, ...(file.kind === 'payload' ? { ordinal: 1, role: 'original' as const } : {}) });
  }
  await recordAip(catalog.pool, ingestId, prefix, files);
  await catalog.recordDeposited(ingestId, 1, { bucket: archiveBucket, key: `${prefix}/${payload[0]!.path}` });
  return { ingestId, prefix, files };
}

const sha = (algorithm: 'sha256' | 'sm3', content: Buffer) => createHash(algorithm).update(content).digest('hex');

/** Overwrites a stored object's bytes on the server's disk: same size, other content. */
async function corrupt(dataDir: string, bucket: string, key: string, size: number) {
  await writeFile(path.join(dataDir, bucket, key), randomBytes(size));
}

const counter = async (copy: string, result: string) => (await metrics.objectsChecked.get()).values.find((v) => v.labels.copy === copy && v.labels.result === result)?.value ?? 0;

describe('fixity audits', () => {
  it('passes an intact bag, records the audit as a PREMIS event and in the audit trail, and does not audit it again before its cycle', async () => {
    const aip = await fileAip(`intact-${randomBytes(3).toString('hex')}`);
    const before = await counter('primary', 'intact');
    const [report, ...others] = await runFixityAudits(depsOf(false), { kind: 'ingests', ingestIds: [aip.ingestId] }, { actor: 'test' });
    expect(others).toEqual([]);
    expect(report).toMatchObject({ ingestId: aip.ingestId, outcome: 'intact', copies: [{ copy: 'primary', objectsChecked: aip.files.length, findings: [] }], repairs: [] });
    expect(report!.copies[0]!.bytesRead).toBe(aip.files.reduce((sum, f) => sum + f.size, 0));
    expect(await counter('primary', 'intact')).toBe(before + aip.files.length);

    const [audit] = await fixityAuditsOf(catalog.pool, aip.ingestId);
    expect(audit).toMatchObject({ copy: 'primary', bucket: archiveBucket, outcome: 'intact', objectsChecked: aip.files.length, objectsFailed: 0 });
    const premis = (await preservationEventsOf(catalog.pool, aip.ingestId)).filter((e) => e.eventType === 'fixity check');
    expect(premis).toMatchObject([{ outcome: 'success', agentName: 'oa-archive fixity audit' }]);
    expect((await auditEventsOf(catalog.pool, aip.ingestId)).at(-1)).toMatchObject({ type: 'aip.fixity-checked', actor: 'test' });
    const custody = await custodyOf(catalog.pool, aip.ingestId);
    expect(custody!.nextAuditAt.getTime()).toBe(report!.nextAuditAt.getTime());
    expect(custody!.nextAuditAt.getTime() - Date.now()).toBeGreaterThan(CYCLE_MS - 60_000);
    expect((await fixityPremisXml(catalog.pool, aip.ingestId)).xml).toContain('fixity check');

    // The scheduled pass takes only AIPs whose date has come: not this one, until a cycle has passed.
    const due = await runFixityAudits(depsOf(false), { kind: 'due' }, { actor: 'schedule' });
    expect(due.map((r) => r.ingestId)).not.toContain(aip.ingestId);
    await catalog.pool.query("UPDATE aip_custody SET next_audit_at = now() - interval '1 second' WHERE ingest_id = $1", [aip.ingestId]);
    expect((await runFixityAudits(depsOf(false), { kind: 'due' }, { actor: 'schedule' })).map((r) => r.ingestId)).toContain(aip.ingestId);
    expect((await runFixityAudits(depsOf(false), { kind: 'due' }, { actor: 'schedule' })).map((r) => r.ingestId)).not.toContain(aip.ingestId);
    expect(await fixityAuditsOf(catalog.pool, aip.ingestId)).toHaveLength(2);
  });

  it('finds an object changed on disk behind the archive, records and counts it, and raises aip.fixity-failed', async () => {
    const aip = await fileAip(`rot-${randomBytes(3).toString('hex')}`);
    const victim = aip.files.find((f) => f.path === 'data/original/002-附件.docx')!;
    await corrupt(PRIMARY_DATA_DIR, archiveBucket, `${aip.prefix}/${victim.path}`, victim.size);
    const failedBefore = await counter('primary', 'failed');

    const [report] = await runFixityAudits(depsOf(false), { kind: 'ingests', ingestIds: [aip.ingestId] }, { actor: 'test' });
    expect(report!.outcome).toBe('failed');
    expect(report!.copies[0]!.findings.map((f) => [f.path, f.problem])).toEqual([
      [victim.path, 'sha256'],
      [victim.path, 'sm3'],
    ]);
    expect(report!.repairs).toEqual([{ copy: 'primary', path: victim.path, action: 'needs-operator', detail: expect.stringMatching(/no second copy/) }]);
    expect(await counter('primary', 'failed')).toBe(failedBefore + 1);
    expect((await fixityAuditsOf(catalog.pool, aip.ingestId))[0]).toMatchObject({ outcome: 'failed', objectsFailed: 1 });
    expect((await preservationEventsOf(catalog.pool, aip.ingestId)).filter((e) => e.eventType === 'fixity check').at(-1)).toMatchObject({ outcome: 'failure' });
    const event = (await auditEventsOf(catalog.pool, aip.ingestId)).at(-1)!;
    expect(event).toMatchObject({ type: 'aip.fixity-failed', payload: { prefix: aip.prefix } });
    const summary = await custodySummary(catalog.pool);
    expect(summary.failedAips.map((a) => a.ingestId)).toContain(aip.ingestId);
    expect(await registry.getSingleMetricAsString('oa_archive_fixity_failed_aips')).toMatch(/oa_archive_fixity_failed_aips [1-9]/);
  });
});

describe('the second copy', () => {
  it('copies every object to the replica store, verified, once however often it runs', async () => {
    const aip = await fileAip(`copy-${randomBytes(3).toString('hex')}`);
    const reports = await runReplication(depsOf(true), { actor: 'test', ingestIds: [aip.ingestId] });
    expect(reports).toEqual([{ ingestId: aip.ingestId, prefix: aip.prefix, state: 'replicated', objects: aip.files.length, written: aip.files.length }]);
    for (const file of aip.files) expect((await replica.store.digestOf(replica.bucket, `${aip.prefix}/${file.path}`)).sm3).toBe(file.sm3);
    expect(await custodyOf(catalog.pool, aip.ingestId)).toMatchObject({ replicationState: 'replicated', replicaBucket: replica.bucket });
    expect(await runReplication(depsOf(true), { actor: 'test', ingestIds: [aip.ingestId] })).toEqual([]);
    // Made to run again (a replayed job), it finds its own objects and writes nothing.
    await catalog.pool.query("UPDATE aip_custody SET replication_state = 'pending' WHERE ingest_id = $1", [aip.ingestId]);
    expect(await runReplication(depsOf(true), { actor: 'test', ingestIds: [aip.ingestId] })).toMatchObject([{ state: 'replicated', written: 0 }]);
    expect((await auditEventsOf(catalog.pool, aip.ingestId)).filter((e) => e.type === 'aip.replicated')).toHaveLength(2);
  });

  it('asks the replica store for the archive\'s encryption at rest: a store that does not apply it gets no copy, and the reason is recorded', async () => {
    const aip = await fileAip(`sse-${randomBytes(3).toString('hex')}`);
    const s3 = testS3Settings();
    // As a worker configured with S3_SSE=AES256 and nothing for the replica: the replica inherits it.
    const settings = replicaS3SettingsOf({
      ...custodyEnv.parse({ REPLICA_S3_BUCKET: replica.bucket, REPLICA_S3_ENDPOINT: replicaEndpoint }),
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: s3.region,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_SSE: 'AES256',
    })!;
    expect(settings.s3.serverSideEncryption).toEqual({ mode: 'AES256' });
    const encrypting = new ObjectStore(createS3Client({ ...settings.s3, responseChecksums: 'when_required' }));
    try {
      const [report] = await runReplication({ ...depsOf(false), replica: { store: encrypting, bucket: settings.bucket } }, { actor: 'test', ingestIds: [aip.ingestId] });
      expect(report).toMatchObject({ state: 'failed' });
      expect(await custodyOf(catalog.pool, aip.ingestId)).toMatchObject({ replicationState: 'failed', replicationReason: expect.stringMatching(/server-side encryption/) });
      for (const file of aip.files) expect(await replica.store.head(replica.bucket, `${aip.prefix}/${file.path}`)).toBeUndefined();
    } finally {
      encrypting.s3.destroy();
    }
  });

  it('does not copy an object whose archive bytes no longer match the catalog, and says why', async () => {
    const aip = await fileAip(`badsrc-${randomBytes(3).toString('hex')}`);
    const victim = aip.files.find((f) => f.kind === 'payload')!;
    await corrupt(PRIMARY_DATA_DIR, archiveBucket, `${aip.prefix}/${victim.path}`, victim.size);
    const [report] = await runReplication(depsOf(true), { actor: 'test', ingestIds: [aip.ingestId] });
    expect(report).toMatchObject({ state: 'failed' });
    expect(await replica.store.head(replica.bucket, `${aip.prefix}/${victim.path}`)).toBeUndefined();
    expect(await custodyOf(catalog.pool, aip.ingestId)).toMatchObject({ replicationState: 'failed', replicationReason: expect.stringMatching(/sha|digest|checksum/i) });
    expect((await custodySummary(catalog.pool)).replication.failed).toBeGreaterThanOrEqual(1);
  });

  it('audits both copies; restores an object missing on one side from the other, and leaves a changed one to an operator', async () => {
    const aip = await fileAip(`repair-${randomBytes(3).toString('hex')}`);
    await runReplication(depsOf(true), { actor: 'test', ingestIds: [aip.ingestId] });
    const [lost, changed] = [aip.files.find((f) => f.path === 'data/original/001-正文.pdf')!, aip.files.find((f) => f.path === 'metadata/da46.xml')!];
    await unlink(path.join(PRIMARY_DATA_DIR, archiveBucket, `${aip.prefix}/${lost.path}`));
    await corrupt(path.join(replicaDir, 'data'), replica.bucket, `${aip.prefix}/${changed.path}`, changed.size);

    const [report] = await runFixityAudits(depsOf(true), { kind: 'ingests', ingestIds: [aip.ingestId] }, { actor: 'test' });
    expect(report!.outcome).toBe('failed');
    expect(report!.copies.map((c) => [c.copy, c.findings.map((f) => `${f.path}:${f.problem}`)])).toEqual([
      ['primary', [`${lost.path}:missing`]],
      ['replica', [`${changed.path}:sha256`, `${changed.path}:sm3`]],
    ]);
    expect(report!.repairs).toEqual([
      { copy: 'primary', path: lost.path, action: 'restored', detail: expect.stringContaining(replica.bucket) },
      { copy: 'replica', path: changed.path, action: 'needs-operator', detail: expect.stringMatching(/write-once replica store/) },
    ]);
    expect((await primary.digestOf(archiveBucket, `${aip.prefix}/${lost.path}`)).sha256).toBe(lost.sha256);

    // The operator removes the bad replica object (docs/custody.md); the next audit writes it again from the archive.
    await unlink(path.join(replicaDir, 'data', replica.bucket, `${aip.prefix}/${changed.path}`));
    const [second] = await runFixityAudits(depsOf(true), { kind: 'ingests', ingestIds: [aip.ingestId] }, { actor: 'test' });
    expect(second!.repairs).toEqual([{ copy: 'replica', path: changed.path, action: 'restored', detail: expect.any(String) }]);
    const [third] = await runFixityAudits(depsOf(true), { kind: 'ingests', ingestIds: [aip.ingestId] }, { actor: 'test' });
    expect(third).toMatchObject({ outcome: 'intact', repairs: [] });
    expect(third!.copies.map((c) => c.copy)).toEqual(['primary', 'replica']);
  });
});
