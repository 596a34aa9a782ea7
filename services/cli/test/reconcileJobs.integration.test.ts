import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { jobIdOf, StageQueues } from '@oa-archive/pipeline';
import { uniqueName } from '@oa-archive/testing';
import { loadCliConfig } from '../src/config.ts';
import { reconcileJobsCommand, reconcileReportLines } from '../src/commands/recovery.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let redis: Redis;
const prefix = uniqueName('cli-reconcile');

beforeAll(async () => {
  db = await createTestCatalog();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
});
afterAll(async () => {
  for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
  await redis?.quit();
  await db?.drop();
});

describe('archive reconcile-jobs', () => {
  it('runs one pass and prints what it did: a stranded ingest is back in its queue', async () => {
    await seedIngestAt(db.catalog, 'ing_cli_stranded', exampleEventFor('CLI-STRANDED'), { status: 'IN_PROGRESS', stage: 'validate' });
    const lines: string[] = [];
    const config = loadCliConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, RECONCILE_GRACE_MS: '0' });
    expect(await reconcileJobsCommand(config, db.catalog, 'li.qiang', (line) => lines.push(line))).toBe(0);
    expect(lines).toEqual([
      'ing_cli_stranded  validate  requeued  (job missing)  its validate job is missing from Redis (lost, or never queued)',
      'checked 1 ingest(s) on their way: 1 requeued, 0 overdue, 0 failed',
    ]);
    const queues = new StageQueues(redis, { prefix, retry: { attempts: 1, backoffMs: 1 } });
    expect(await queues.queue('validate').getJobState(jobIdOf('ing_cli_stranded', 'validate'))).toBe('waiting');
    await queues.close();
    const { rows } = await db.catalog.pool.query(`SELECT actor FROM audit_events WHERE ingest_id = 'ing_cli_stranded' AND type = 'ingest.recovered'`);
    expect(rows).toEqual([{ actor: 'reconciler (cli, li.qiang)' }]);
  });

  it('says when another pass holds the reconciler lock', () => {
    expect(reconcileReportLines({ ran: false, skipped: 'another reconciler pass is running', checked: 0, actions: [] })).toEqual(['not run: another reconciler pass is running']);
  });
});
