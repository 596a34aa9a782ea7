import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectStore, readObjectLock, type ObjectLock } from '@oa-archive/storage';
import { createObjectLockTestBucket } from '@oa-archive/storage/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { objectLockFor } from '../src/index.ts';

// The lock the deposit stage derives from the 保管期限, written by ObjectStore.depositOnce to Ceph's
// RADOS Gateway (infra/local/ceph.sh), a store that enforces Object Lock, and read back from it.

// Created once; every test awaits it, so a store that does not answer fails each test (with what to
// run) rather than leaving them skipped.
const setup = createObjectLockTestBucket('retention');
setup.catch(() => undefined);
let store: ObjectStore;
let bucket: string;
beforeEach(async () => {
  const created = await setup;
  bucket = created.bucket;
  store = new ObjectStore(created.s3);
});

async function depositLocked(key: string, lock: ObjectLock | undefined) {
  const body = Buffer.from(`AIP object ${key}`);
  const result = await store.depositOnce({
    bucket,
    key,
    size: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    ...(lock ? { lock } : {}),
    open: async () => Readable.from([body]),
  });
  expect(result.outcome).toBe('written');
  return readObjectLock(store.s3, bucket, key);
}

describe('Object Lock from the 保管期限, on a store that enforces it (Ceph RGW)', () => {
  const signed = new Date('2025-03-14T08:00:00Z');

  it('D30 under compliance: COMPLIANCE retention until 30 years after the date', async () => {
    const stored = await depositLocked('A182/2025/WS/D30/A182-WS·2025-D30-BGS-0001/data/original.docx', objectLockFor('compliance', 'D30', signed));
    expect(stored).toEqual({ mode: 'COMPLIANCE', retainUntil: new Date('2055-03-14T08:00:00Z'), legalHold: false });
  });

  it('D10 under governance: GOVERNANCE retention until 10 years after the date', async () => {
    const stored = await depositLocked('A182/2025/WS/D10/A182-WS·2025-D10-BGS-0002/data/original.docx', objectLockFor('governance', 'D10', signed));
    expect(stored).toEqual({ mode: 'GOVERNANCE', retainUntil: new Date('2035-03-14T08:00:00Z'), legalHold: false });
  });

  it('Y (永久) under compliance: a legal hold with no end date', async () => {
    const stored = await depositLocked('A182/2025/WS/Y/A182-WS·2025-Y-BGS-0003/data/original.docx', objectLockFor('compliance', 'Y', signed));
    expect(stored).toEqual({ legalHold: true });
  });

  it('off: no lock at all', async () => {
    const stored = await depositLocked('A182/2025/WS/D30/A182-WS·2025-D30-BGS-0004/data/original.docx', objectLockFor('off', 'D30', signed));
    expect(stored).toEqual({ legalHold: false });
  });
});
