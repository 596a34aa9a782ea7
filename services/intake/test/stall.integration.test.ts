import { describe, expect, it } from 'vitest';
import { stallStateKey } from '@oa-archive/kafka';
import { waitFor } from '@oa-archive/testing';
import { metric, startTestIntake, validRecord } from './harness.ts';

async function readiness(opsUrl: string | undefined): Promise<{ status: number; body: { ready: boolean; failed?: string[] } }> {
  const response = await fetch(`${opsUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; failed?: string[] } };
}

describe('a partition that stops advancing', () => {
  it('is reported on /readyz, as a metric and for the console while it is stuck, and no longer once it moves', async () => {
    const t = await startTestIntake({ env: { INTAKE_STALL_AFTER_MS: '1000', INTAKE_STALL_CHECK_MS: '100' } });
    // Something holds the ingests table (a long migration, a stuck transaction): recording waits, and
    // every dependency still answers, so only the partition's progress shows that intake is stuck.
    const blocker = await t.db.catalog.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE ingests IN ACCESS EXCLUSIVE MODE');
      await t.send([validRecord('HELD-UP')]);

      const stuck = await waitFor(async () => {
        const r = await readiness(t.intake.opsUrl);
        return r.status === 503 ? r : undefined;
      }, { timeoutMs: 15_000, what: '/readyz to report the stall' });
      expect(stuck.body).toEqual({ ready: false, failed: ['consumption'] });
      expect(await metric(t.intake.opsUrl, /oa_archive_intake_partition_stalled\{partition="0"\} (\d+)/)).toBe(1);
      expect(await metric(t.intake.opsUrl, /oa_archive_intake_partition_lag\{partition="0"\} (\d+)/)).toBe(1);
      const published = JSON.parse((await t.redis.get(stallStateKey(t.config.QUEUE_PREFIX, t.config.KAFKA_TOPIC_FINALIZED, 0))) ?? 'null');
      expect(published).toMatchObject({ topic: t.config.KAFKA_TOPIC_FINALIZED, partition: 0, lag: 1, stalled: true });
      expect(await t.redis.pttl(stallStateKey(t.config.QUEUE_PREFIX, t.config.KAFKA_TOPIC_FINALIZED, 0))).toBeGreaterThan(0);

      await blocker.query('ROLLBACK');
      await waitFor(() => t.intake.stats.ingested === 1, { what: 'the held-up event' });
      await waitFor(async () => (await readiness(t.intake.opsUrl)).status === 200, { what: '/readyz to recover' });
      expect(await metric(t.intake.opsUrl, /oa_archive_intake_partition_stalled\{partition="0"\} (\d+)/)).toBe(0);
      expect(await t.redis.get(stallStateKey(t.config.QUEUE_PREFIX, t.config.KAFKA_TOPIC_FINALIZED, 0))).toBeNull();
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
      await t.tearDown();
    }
  });

  it('is not reported while back pressure pauses consumption on purpose', async () => {
    const t = await startTestIntake({ env: { INTAKE_STALL_AFTER_MS: '500', INTAKE_STALL_CHECK_MS: '100', INTAKE_BACKLOG_PAUSE: '1', INTAKE_BACKLOG_RESUME: '0' } });
    try {
      await t.send([validRecord('FIRST')]);
      await waitFor(() => t.intake.stats.paused, { what: 'back pressure to pause consumption' });
      await t.send([validRecord('WAITING')]);
      // Records wait far longer than the stall time, yet this is back pressure, not a stall.
      await waitFor(async () => (await metric(t.intake.opsUrl, /oa_archive_intake_partition_lag\{partition="0"\} (\d+)/)) === 1, { what: 'the waiting record to show as lag' });
      await new Promise((resolve) => setTimeout(resolve, 1500)); // three stall periods
      expect(await metric(t.intake.opsUrl, /oa_archive_intake_partition_stalled\{partition="0"\} (\d+)/)).toBe(0);
      expect((await readiness(t.intake.opsUrl)).status).toBe(200);
    } finally {
      await t.tearDown();
    }
  });
});
