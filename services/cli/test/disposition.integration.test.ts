import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAip, recordClassification, type AipFile } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { createS3Client, listKeys, ObjectStore } from '@oa-archive/storage';
import { createTestBuckets, testS3Settings } from '@oa-archive/storage/testing';

/**
 * `archive disposition …` and `archive holds …` run as an archivist runs them, on the real PostgreSQL
 * and the local S3Proxy: a store without Object Lock, so with S3_OBJECT_LOCK=off the destruction
 * removes the objects (the Object Lock path is tested against Ceph RGW in packages/pipeline).
 */
const MAIN = path.join(import.meta.dirname, '..', 'src', 'main.ts');
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let env: Record<string, string>;
let store: ObjectStore;
let bucket: string;
let dir: string;

async function archive(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let item: { ingestId: string; referenceCode: string; prefix: string };

beforeAll(async () => {
  db = await createTestCatalog();
  dir = await mkdtemp(path.join(tmpdir(), 'oa-cli-disposition-'));
  const { s3, buckets } = await createTestBuckets('cli-disposition');
  s3.destroy();
  bucket = buckets[0]!;
  const settings = testS3Settings();
  store = new ObjectStore(createS3Client(settings));
  env = {
    DATABASE_URL: db.url,
    S3_ENDPOINT: settings.endpoint,
    S3_ACCESS_KEY_ID: settings.accessKeyId,
    S3_SECRET_ACCESS_KEY: settings.secretAccessKey,
    S3_ARCHIVE_BUCKET: bucket,
    S3_OBJECT_LOCK: 'off',
    ARCHIVE_LOCALE: 'zh-CN',
    LOG_LEVEL: 'silent',
  };
  const ingestId = 'ing-CLI-DISP-1';
  await seedIngestAt(db.catalog, ingestId, exampleEventFor('CLI-DISP-1'), { status: 'FILED' });
  const decision = await recordClassification(
    db.catalog.pool,
    ingestId,
    { outcome: 'FILE', category: 'WS', retention: 'D10', organisationCode: 'BGS', year: 2015, ruleIds: ['r1'], scheduleVersion: 't', explanation: 'test' },
    { itemClass: { fonds: 'A182', category: 'WS', year: 2015, retention: 'D10', org: 'BGS' }, format: (n) => `A182-WS·2015-D10-BGS-${String(n).padStart(4, '0')}` },
  );
  const prefix = `A182/2015/WS/D10/${decision.referenceCode}`;
  const files: AipFile[] = [];
  for (const p of ['data/original/001-正文.txt', 'bagit.txt']) {
    const body = Buffer.from(`${p} of CLI-DISP-1`);
    await store.depositOnce({ bucket, key: `${prefix}/${p}`, size: body.length, sha256: sha256(body), open: async () => Readable.from([body]) });
    files.push({ path: p, kind: p.startsWith('data/') ? 'payload' : 'tag', stagingKey: `x/${p}`, size: body.length, sha256: sha256(body), sm3: 'x' });
  }
  await recordAip(db.catalog.pool, ingestId, prefix, files);
  await db.catalog.recordDeposited(ingestId, 1, { bucket, key: `${prefix}/data/original/001-正文.txt` });
  item = { ingestId, referenceCode: decision.referenceCode!, prefix };
});

afterAll(async () => {
  store?.s3.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

const keys = async () => {
  const found: string[] = [];
  for await (const key of listKeys(store.s3, bucket, `${item.prefix}/`)) found.push(key);
  return found;
};

describe('archive disposition and archive holds', () => {
  it('lists the due item, refuses to destroy it under a hold, destroys it once decided and released, and prints the register', async () => {
    const due = await archive('disposition', 'due', '--as-of', '2026-02-01');
    expect(due.code).toBe(0);
    expect(due.stdout).toContain(item.referenceCode);
    expect(due.stdout).toContain('待鉴定');
    expect(due.stdout).toContain('文书（WS）');
    expect(due.stdout).toContain('办公室（BGS）');

    const held = await archive('holds', 'create', '--name', '审计-2026', '--reason', '专项审计', '--code', item.referenceCode);
    expect(held).toMatchObject({ code: 0, stdout: expect.stringContaining('审计-2026: 1') });

    const refused = await archive('disposition', 'decide', item.referenceCode, '--decision', 'destroy', '--reason', '无保存价值', '--as-of', '2026-02-01');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('该档案已被冻结（审计-2026），须先解除冻结');

    expect((await archive('holds', 'lift', '--name', '审计-2026', '--reason', '审计结束')).code).toBe(0);
    const decided = await archive('disposition', 'decide', item.referenceCode, '--decision', 'destroy', '--reason', '无保存价值', '--as-of', '2026-02-01');
    expect(decided.code).toBe(0);
    expect(decided.stdout).toContain('待销毁');

    const destroyed = await archive('disposition', 'destroy', '--all', '--as-of', '2026-02-01');
    expect(destroyed.stdout).toMatch(new RegExp(`^${item.referenceCode}  已销毁: 2 object version\\(s\\)`, 'm'));
    expect(destroyed.code).toBe(0);
    expect(await keys()).toEqual([]);

    const out = path.join(dir, 'register.csv');
    expect((await archive('disposition', 'register', '--csv', '--out', out, '--since', '2020-01-01')).code).toBe(0);
    const csv = await readFile(out, 'utf8');
    expect(csv).toContain(`1,${item.referenceCode},`);
    // Category and department by name and by code, the names from the schedule.
    expect(csv).toContain(',2015,文书,WS,办公室,BGS,定期10年,无保存价值,cli:');
  }, 900_000);

  it('says what is wrong with a request it cannot carry out', async () => {
    expect((await archive('disposition', 'decide', 'NO-SUCH', '--decision', 'keep', '--reason', 'x')).stderr).toMatch(/--decision must be one of retain, permanent, transfer, destroy/);
    expect((await archive('holds', 'create', '--name', 'x', '--reason', 'y', '--class', '文书')).stdout).toContain('“文书”不是类别');
  }, 300_000);
});
