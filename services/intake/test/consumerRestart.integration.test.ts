import { describe, expect, it } from 'vitest';
import { waitFor } from '@oa-archive/testing';
import { metric, startTestIntake, validRecord } from './harness.ts';

/**
 * A record held longer than the consumer's session (the catalog locked, a broker restart) gets this
 * member evicted from its group; the commit after it is refused as coming from an unknown member, an
 * error kafkajs does not retry: it stops the consumer for good. Intake must start it again, or nothing
 * is consumed until the process restarts (found by `pnpm chaos`: five minutes of nothing after a Kafka
 * stop). Against the real Kafka and PostgreSQL.
 */
describe('the Kafka consumer after kafkajs stopped it for good', () => {
  it('is started again, and records published afterwards are ingested', async () => {
    const t = await startTestIntake({ env: { INTAKE_SESSION_TIMEOUT_MS: '6000' } });
    const blocker = await t.db.catalog.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE ingests IN ACCESS EXCLUSIVE MODE');
      await t.send([validRecord('HELD-PAST-SESSION')]);
      // Past the 6 s session: the coordinator forgets this member while the record waits.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      await blocker.query('ROLLBACK');

      // The record published afterwards is what shows the consumer runs again.
      await t.send([validRecord('AFTER-RESTART')]);
      await waitFor(async () => (await t.db.catalog.pool.query("SELECT 1 FROM ingests WHERE document_id = 'AFTER-RESTART'")).rowCount === 1, {
        timeoutMs: 60_000,
        what: 'the record published after the eviction to be ingested',
      });
      expect(await metric(t.intake.opsUrl, /oa_archive_intake_consumer_restarts_total (\d+)/)).toBeGreaterThanOrEqual(1);
      expect((await t.db.catalog.pool.query("SELECT count(*)::int AS n FROM ingests WHERE document_id = 'HELD-PAST-SESSION'")).rows[0].n).toBe(1);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
      await t.tearDown();
    }
  }, 180_000);
});
