import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEventsOf,
  claimAipForAudit,
  createHold,
  decideDisposition,
  destructionRegister,
  dispositionItemOf,
  enrolInCustody,
  liftHold,
  recordAip,
  recordClassification,
  verifyAuditChain,
  type AipFile,
  type Catalog,
} from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { listObjectVersions, ObjectStore, readObjectLock } from '@oa-archive/storage';
import { createObjectLockTestBucket } from '@oa-archive/storage/testing';
import { testLogger, waitFor } from '@oa-archive/testing';
import { destroyItem, DestructionRefusedError, registerCsv, registerPdf, type DestructionDeps } from '../src/index.ts';

/**
 * Destruction against the real PostgreSQL and Ceph's RADOS Gateway (infra/local/ceph.sh), the store
 * here that enforces Object Lock: objects are written under COMPLIANCE retention a few seconds ahead,
 * so the test sees the store refuse (and the destruction remove nothing) and then, once the retention
 * has expired, the destruction remove every version while the catalog keeps the record.
 */
const ASOF = '2026-02-01';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let catalog: Catalog;
let store: ObjectStore;
let bucket: string;
let deps: DestructionDeps;

beforeAll(async () => {
  db = await createTestCatalog();
  catalog = db.catalog;
  const created = await createObjectLockTestBucket('disposition');
  store = new ObjectStore(created.s3);
  bucket = created.bucket;
  deps = { pool: catalog.pool, primary: store, archiveLocks: true, logger: testLogger() };
}, 60_000);

afterAll(async () => {
  store?.s3.destroy();
  await db?.drop();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Files a 2015 D10 item and deposits its AIP under COMPLIANCE retention until `retainUntil`. */
async function fileLockedItem(documentId: string, retainUntil: Date) {
  const ingestId = `ing-${documentId}`;
  await seedIngestAt(catalog, ingestId, exampleEventFor(documentId), { status: 'FILED' });
  const decision = await recordClassification(
    catalog.pool,
    ingestId,
    { outcome: 'FILE', category: 'WS', retention: 'D10', organisationCode: 'BGS', year: 2015, ruleIds: ['r1'], scheduleVersion: 't', explanation: 'test' },
    { itemClass: { fonds: 'A182', category: 'WS', year: 2015, retention: 'D10', org: 'BGS' }, format: (n) => `A182-WS·2015-D10-BGS-${String(n).padStart(4, '0')}` },
  );
  const prefix = `A182/2015/WS/D10/${decision.referenceCode}`;
  const files: AipFile[] = [];
  for (const [path, text] of [
    ['data/original/001-正文.txt', `关于${documentId}的通知`],
    ['bagit.txt', 'BagIt-Version: 1.0\n'],
  ] as const) {
    const body = Buffer.from(text);
    await store.depositOnce({ bucket, key: `${prefix}/${path}`, size: body.length, sha256: sha256(body), lock: { mode: 'COMPLIANCE', retainUntil }, open: async () => Readable.from([body]) });
    files.push({ path, kind: path.startsWith('data/') ? 'payload' : 'tag', stagingKey: `ingests/${ingestId}/${path}`, size: body.length, sha256: sha256(body), sm3: 'x' });
  }
  await recordAip(catalog.pool, ingestId, prefix, files);
  await catalog.recordDeposited(ingestId, 1, { bucket, key: `${prefix}/data/original/001-正文.txt` });
  await enrolInCustody(catalog.pool, [{ ingestId, bucket, firstAuditAt: new Date() }]);
  return { ingestId, referenceCode: decision.referenceCode!, prefix };
}

/** A retain-until in whole seconds, a few seconds ahead: long enough to be refused first, short enough to wait out. */
const secondsAhead = (n: number) => new Date(Math.ceil(Date.now() / 1000) * 1000 + n * 1000);

describe('destruction on a store that enforces Object Lock (Ceph RGW)', () => {
  it('refuses a held item, removes nothing while the store retains an object, then removes every version and keeps the record', async () => {
    const until = secondsAhead(6);
    const item = await fileLockedItem('DESTROY-1', until);
    // A stray later version of one object (a second write to a versioned bucket): it goes too.
    await store.putStream({ bucket, key: `${item.prefix}/bagit.txt`, body: Readable.from([Buffer.from('BagIt-Version: 1.0\n')]) });
    expect(await listObjectVersions(store.s3, bucket, `${item.prefix}/`)).toHaveLength(3);

    // Not decided yet: nothing may be destroyed.
    await expect(destroyItem(deps, { item: item.referenceCode, actor: 'admin', asOf: ASOF })).rejects.toMatchObject({ name: 'DispositionRefusedError', code: 'not-approved' });
    await decideDisposition(catalog.pool, { item: item.ingestId, request: { decision: 'destroy', reason: '到期，经鉴定无继续保存价值' }, actor: 'admin', asOf: ASOF });

    // A hold placed after the decision stops the destruction.
    await createHold(catalog.pool, { name: '调查-1', reason: '纪检调查', selectors: [{ kind: 'ingest', value: item.ingestId }], actor: 'admin' });
    await expect(destroyItem(deps, { item: item.referenceCode, actor: 'admin', asOf: ASOF })).rejects.toMatchObject({ code: 'held', params: { holds: '调查-1' } });
    await liftHold(catalog.pool, { name: '调查-1', reason: '调查结束', actor: 'admin' });

    // The store still retains the deposited versions: refused with the reason, nothing removed.
    const refused = await destroyItem(deps, { item: item.referenceCode, actor: 'admin', asOf: ASOF }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DestructionRefusedError);
    expect((refused as DestructionRefusedError).locked).toHaveLength(2);
    expect((refused as DestructionRefusedError).locked[0]).toMatchObject({ code: 'object-retained', copy: 'primary', bucket, params: { mode: 'COMPLIANCE', until: until.toISOString() } });
    expect(await listObjectVersions(store.s3, bucket, `${item.prefix}/`)).toHaveLength(3);
    expect((await dispositionItemOf(catalog.pool, item.ingestId, ASOF))?.state).toBe('destroy-approved');

    // Once the retention has expired (as the store reports it), the destruction goes through.
    await waitFor(async () => {
      const lock = await readObjectLock(store.s3, bucket, `${item.prefix}/data/original/001-正文.txt`);
      return Date.now() > (lock.retainUntil?.getTime() ?? 0) + 1000;
    }, { timeoutMs: 30_000, intervalMs: 500, what: 'the retention to expire' });
    const result = await destroyItem(deps, { item: item.referenceCode, actor: 'cli:archivist', asOf: ASOF });
    expect(result.objects).toHaveLength(3);
    expect(result.item).toMatchObject({ state: 'destroyed', destruction: { destroyedBy: 'cli:archivist' } });
    expect(await listObjectVersions(store.s3, bucket, `${item.prefix}/`)).toEqual([]);

    // The catalog keeps the record, the audit trail says what went, custody leaves the AIP alone.
    expect(await catalog.getIngest(item.ingestId)).toMatchObject({ status: 'FILED' });
    const destroyed = (await auditEventsOf(catalog.pool, item.ingestId)).filter((e) => e.type === 'disposition.destroyed');
    expect(destroyed).toHaveLength(1);
    expect(destroyed[0]!.payload).toMatchObject({ referenceCode: item.referenceCode, objects: 3, aips: [item.ingestId], reason: '到期，经鉴定无继续保存价值' });
    expect((await verifyAuditChain(catalog.pool)).ok).toBe(true);
    expect(await claimAipForAudit(catalog.pool, { kind: 'ingests', ingestIds: [item.ingestId] }, { now: new Date(), startedAt: new Date(), leaseMs: 60_000 })).toBeUndefined();

    // Destroyed once: a second run is refused, not repeated.
    await expect(destroyItem(deps, { item: item.ingestId, actor: 'admin', asOf: ASOF })).rejects.toMatchObject({ code: 'destroyed' });
  }, 60_000);

  it('never removes an object under a legal hold', async () => {
    const item = await fileLockedItem('DESTROY-2', secondsAhead(1));
    // One more object of the AIP, under a legal hold (no end date): only its release by the store's administrator frees it.
    const key = `${item.prefix}/metadata/held.txt`;
    const body = Buffer.from('held');
    await store.depositOnce({ bucket, key, size: body.length, sha256: sha256(body), lock: { mode: 'COMPLIANCE', legalHold: true }, open: async () => Readable.from([body]) });
    await decideDisposition(catalog.pool, { item: item.ingestId, request: { decision: 'destroy', reason: '无保存价值' }, actor: 'admin', asOf: ASOF });
    await waitFor(async () => {
      const lock = await readObjectLock(store.s3, bucket, `${item.prefix}/data/original/001-正文.txt`);
      return Date.now() > (lock.retainUntil?.getTime() ?? 0) + 1000;
    }, { timeoutMs: 30_000, intervalMs: 500, what: 'the retention to expire' });
    const refused = await destroyItem(deps, { item: item.ingestId, actor: 'admin', asOf: ASOF }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DestructionRefusedError);
    expect((refused as DestructionRefusedError).locked).toEqual([expect.objectContaining({ code: 'object-legal-hold', key })]);
    expect((refused as Error).message).toMatch(/nothing destroyed; 1 object version\(s\) are still protected by the store.*under a legal hold/);
    expect(await listObjectVersions(store.s3, bucket, `${item.prefix}/`)).toHaveLength(3);
    expect((await dispositionItemOf(catalog.pool, item.ingestId, ASOF))?.state).toBe('destroy-approved');
  }, 60_000);

  it('prints the destruction register as CSV and as PDF/A with the Chinese text embedded', async () => {
    const records = await destructionRegister(catalog.pool);
    expect(records).toHaveLength(1);
    const csv = registerCsv(records, { locale: 'zh-CN', timeZone: 'Asia/Shanghai', departmentNames: { BGS: '办公室' } });
    const [header, row] = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toBe('序号,档号,题名,年度,门类名称,门类代码,部门名称,部门代码,保管期限,销毁理由（鉴定意见）,批准人,批准日期,执行人,销毁日期,对象数,字节数,归档编号');
    expect(row).toContain(`1,${records[0]!.referenceCode},`);
    expect(row).toContain(',2015,文书,WS,办公室,BGS,定期10年,到期，经鉴定无继续保存价值,admin,');
    expect(row).toContain(',cli:archivist,');

    const pdf = await registerPdf(records, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdf.toString('latin1');
    expect(text).toMatch(/pdfaid:part>2</);
    expect(text).toMatch(/FontName\/[A-Z]{6}\+NotoSansCJK/);
  }, 120_000);
});
