import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAip } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { exampleDocumentFinalizedEvent, parseDocumentFinalized } from '@oa-archive/contracts';
import { ObjectStore } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { auditVerify } from '../src/index.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let store: ObjectStore;
let bucket: string;
beforeAll(async () => {
  db = await createTestCatalog();
  const { s3, buckets } = await createTestBuckets('verify');
  store = new ObjectStore(s3);
  bucket = buckets[0]!;
  const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify(exampleDocumentFinalizedEvent)), headers: {} });
  if (!parsed.ok) throw new Error(parsed.reason);
  await db.catalog.recordIngest('ing_verify', parsed.event);
  for (const ordinal of [1, 2]) {
    const body = Buffer.from(`component ${ordinal}`);
    const sha256 = createHash('sha256').update(body).digest('hex');
    await store.depositOnce({ bucket, key: `doc/${ordinal}`, size: body.length, sha256, open: async () => Readable.from([body]) });
    await db.catalog.recordFetched('ing_verify', ordinal, { stagingKey: `s/${ordinal}`, size: body.length, sha256 });
    await db.catalog.recordDeposited('ing_verify', ordinal, { bucket, key: `doc/${ordinal}` });
  }
});
afterAll(async () => {
  await db?.drop();
});

describe('archive audit verify', () => {
  it('passes when the chain is intact and every archive object matches the catalog', async () => {
    const report = await auditVerify(db.catalog, store, { readBack: true, locale: 'en' });
    expect(report.ok).toBe(true);
    expect(report.lines.join('\n')).toMatch(/audit chain intact: 1 events/);
    expect(report.lines.join('\n')).toMatch(/matching the catalog: 2 of 2 \(read back and hashed\)/);
  });

  it('names an archive object that has gone missing', async () => {
    await store.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doc/2' }));
    const report = await auditVerify(db.catalog, store, { readBack: false, locale: 'en' });
    expect(report.ok).toBe(false);
    expect(report.lines).toContain(`MISSING s3://${bucket}/doc/2 (ingest ing_verify, component 2)`);
    // In Chinese the sentence is translated; the address and the ingest id stay as they are.
    const zh = await auditVerify(db.catalog, store, { readBack: false, locale: 'zh-CN' });
    expect(zh.lines).toContain(`缺失 s3://${bucket}/doc/2（归档编号 ing_verify，第2个组件）`);
    expect(zh.lines).toContain('与目录一致的存档对象：1/2（仅比对大小；加 --read-back 可读回并计算每个对象的摘要）');
  });

  it('counts a bag planned for an ingest that is not FILED apart, not as missing', async () => {
    // The package stage records the bag before deposit; an ingest that failed part-way through deposit
    // has some or none of its objects in the store until a replay finishes them.
    await recordAip(db.catalog.pool, 'ing_verify', 'A182/2025/WS/D30/unfinished', [{ path: 'bagit.txt', kind: 'tag', stagingKey: 'ing_verify/bag/bagit.txt', size: 55, sha256: 'f'.repeat(64), sm3: 'e'.repeat(64) }]);
    const report = await auditVerify(db.catalog, store, { readBack: false, locale: 'en' });
    expect(report.lines).toContain('bags planned but not filed (their ingest failed or waits; a replay completes them): 1');
    expect(report.lines.filter((l) => l.includes('unfinished'))).toEqual([]);
  });
});
