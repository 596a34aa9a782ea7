import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent, auditHash, GENESIS_HASH, inTransaction } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { createTestBuckets, testS3Settings } from '@oa-archive/storage/testing';

/** `archive audit anchor` and `archive audit verify`, run as a person runs them, on the real services. */
const MAIN = path.join(import.meta.dirname, '..', 'src', 'main.ts');
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let env: Record<string, string>;
let destroy: () => void;

async function archive(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function append(n: number) {
  for (let i = 0; i < n; i++) await inTransaction(db.catalog.pool, (tx) => appendAuditEvent(tx, { ingestId: null, type: 'test.event', actor: 'test', payload: { n: i } }));
}

beforeAll(async () => {
  db = await createTestCatalog();
  const { s3, buckets } = await createTestBuckets('cli-anchors');
  destroy = () => s3.destroy();
  const s3Settings = testS3Settings();
  env = {
    DATABASE_URL: db.url,
    S3_ENDPOINT: s3Settings.endpoint,
    S3_ACCESS_KEY_ID: s3Settings.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3Settings.secretAccessKey,
    S3_ARCHIVE_BUCKET: buckets[0]!,
    LOG_LEVEL: 'silent',
    // The assertions read the English report; the CLI otherwise speaks the shell's language.
    ARCHIVE_LOCALE: 'en',
  };
});

afterAll(async () => {
  destroy?.();
  await db?.drop();
});

describe('archive audit anchor / verify', () => {
  it('anchors the head now, and verify checks the chain against it', async () => {
    await append(3);
    const anchored = await archive('audit', 'anchor');
    expect(anchored.stdout).toMatch(new RegExp(`^anchor written: event 3, hash [0-9a-f]{64} → s3://${env.S3_ARCHIVE_BUCKET}/audit-anchors/00000000000000000003\\.json$`, 'm'));
    expect(anchored.code).toBe(0);
    expect((await archive('audit', 'anchor')).stdout).toMatch(/^anchor already-present: event 3/m);
    await append(2);
    const verified = await archive('audit', 'verify');
    expect(verified.stdout).toMatch(/^audit chain intact: 5 events/m);
    expect(verified.stdout).toMatch(/^audit anchors matching the recomputed chain: 1 of 1 \(latest at event 3, /m);
    expect(verified.code).toBe(0);
  });

  it('fails verify when an anchored event was rewritten and every later hash recomputed', async () => {
    await inTransaction(db.catalog.pool, async (tx) => {
      await tx.query("SET LOCAL session_replication_role = 'replica'");
      await tx.query(`UPDATE audit_events SET payload = '{"n": 99}' WHERE seq = 1`);
      const { rows } = await tx.query('SELECT seq, at, ingest_id, type, actor, payload FROM audit_events ORDER BY seq');
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const hash = auditHash(prev, { seq: Number(row.seq), at: row.at.toISOString(), ingestId: row.ingest_id, type: row.type, actor: row.actor, payload: row.payload });
        await tx.query('UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE seq = $1', [row.seq, prev, hash]);
        prev = hash;
      }
    });
    const verified = await archive('audit', 'verify');
    expect(verified.stdout).toMatch(/^audit chain intact: 5 events/m);
    expect(verified.stdout).toMatch(/^AUDIT CHAIN DOES NOT MATCH ITS ANCHOR at event 3: /m);
    expect(verified.code).toBe(1);
  });
});
