import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewaySubmissionOf, latestGatewayVersionOf, pruneNonces, rememberNonce, submitOnce, type NewGatewaySubmission } from '../src/index.ts';
import { createTestCatalog } from '../src/testing.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;

beforeAll(async () => {
  db = await createTestCatalog();
});

afterAll(async () => {
  await db?.drop();
});

const submission = (documentId: string, version = 1, contentSha256 = 'a'.repeat(64)): NewGatewaySubmission => ({
  source: 'oa-test',
  documentId,
  version,
  ingestId: `ing_${documentId}_${version}`,
  eventId: `gw_${documentId}_${version}`,
  channel: 'push',
  contentSha256,
  files: [{ fileName: 'a.pdf', md5: null }],
  event: { data: { documentId, version } },
});

describe('gateway submissions', () => {
  it('publish once for one key, however many submit it at the same moment', async () => {
    let published = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        submitOnce(db.catalog.pool, submission('DOC-RACE'), async () => {
          published++;
          // Kafka takes a while to acknowledge: the others wait on the uncommitted row meanwhile.
          await sleep(100);
        }),
      ),
    );
    expect(published).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.submission.eventId))).toEqual(new Set(['gw_DOC-RACE_1']));
  });

  it('keep nothing when publishing fails, so the next try publishes', async () => {
    await expect(submitOnce(db.catalog.pool, submission('DOC-FAIL'), async () => Promise.reject(new Error('Kafka down')))).rejects.toThrow('Kafka down');
    expect(await gatewaySubmissionOf(db.catalog.pool, { source: 'oa-test', documentId: 'DOC-FAIL', version: 1 })).toBeUndefined();
    let published = 0;
    const retried = await submitOnce(db.catalog.pool, submission('DOC-FAIL'), async () => {
      published++;
    });
    expect([retried.created, published]).toEqual([true, 1]);
  });

  it('return the accepted row to a different document under the same key, and know the latest version', async () => {
    await submitOnce(db.catalog.pool, submission('DOC-V', 1), async () => {});
    await submitOnce(db.catalog.pool, submission('DOC-V', 2), async () => {});
    const other = await submitOnce(db.catalog.pool, submission('DOC-V', 2, 'b'.repeat(64)), async () => {
      throw new Error('must not publish');
    });
    expect(other).toMatchObject({ created: false, submission: { contentSha256: 'a'.repeat(64), files: [{ fileName: 'a.pdf', md5: null }] } });
    expect(await latestGatewayVersionOf(db.catalog.pool, 'oa-test', 'DOC-V')).toBe(2);
    expect(await latestGatewayVersionOf(db.catalog.pool, 'oa-test', 'DOC-NONE')).toBeUndefined();
  });
});

describe('nonces', () => {
  it('are accepted once per app id, and forgotten once old', async () => {
    expect(await rememberNonce(db.catalog.pool, 'app-1', 'nonce-0123456789abcdef')).toBe(true);
    expect(await rememberNonce(db.catalog.pool, 'app-1', 'nonce-0123456789abcdef')).toBe(false);
    expect(await rememberNonce(db.catalog.pool, 'app-2', 'nonce-0123456789abcdef')).toBe(true);
    expect(await pruneNonces(db.catalog.pool, new Date(Date.now() - 60_000))).toBe(0);
    expect(await pruneNonces(db.catalog.pool, new Date(Date.now() + 1000))).toBe(2);
    expect(await rememberNonce(db.catalog.pool, 'app-1', 'nonce-0123456789abcdef')).toBe(true);
  });
});
