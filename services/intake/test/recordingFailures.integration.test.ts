import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '@oa-archive/contracts';
import { readTopic, waitFor } from '@oa-archive/testing';
import { metric, startTestIntake, validRecord } from './harness.ts';
import { tcpLink } from './tcpLink.ts';

/** An event the contract accepts, with a title the test database is made to refuse. */
function recordTitled(documentId: string, title: string) {
  const record = validRecord(documentId);
  const event = JSON.parse(String(record.value)) as { data: { title: string } };
  event.data.title = title;
  return { ...record, value: JSON.stringify(event) };
}

describe('an event the catalog refuses for its content', () => {
  let t: Awaited<ReturnType<typeof startTestIntake>>;
  beforeAll(async () => {
    t = await startTestIntake({ env: { INTAKE_RECORD_ATTEMPTS: '3' } });
    // Rules the contract does not know about, as a later migration or a stricter deployment might add:
    // a check constraint (SQLSTATE 23514) and a narrower column (22001, a data exception).
    await t.db.catalog.pool.query(`ALTER TABLE ingests ADD CONSTRAINT test_refuses_poison CHECK (title NOT LIKE '%〔毒〕%')`);
    await t.db.catalog.pool.query(`ALTER TABLE ingests ALTER COLUMN department_code TYPE varchar(3)`);
  });
  afterAll(async () => {
    await t?.tearDown();
  });

  it('is dead-lettered after a bounded number of tries, its offset committed, and the events behind it go on', async () => {
    const longDepartment = validRecord('DEPT');
    longDepartment.value = String(longDepartment.value).replace('"departmentCode":"BGS"', '"departmentCode":"BGS-LONG"');
    await t.send([recordTitled('POISON', '关于〔毒〕的通知'), validRecord('AFTER-1'), longDepartment, validRecord('AFTER-2')]);
    await waitFor(() => t.intake.stats.ingested === 2, { what: 'the valid events behind the refused ones' });

    const letters = (await readTopic(t.kafka, t.config.KAFKA_TOPIC_DEAD_LETTER, 2)).map((m) => JSON.parse(m.value) as DeadLetter);
    expect(letters.map((l) => l.origin.offset)).toEqual(['0', '2']);
    expect(letters[0]!.reason).toMatch(/^the catalog refused the event 3 time\(s\) \(SQLSTATE 23514\): .*test_refuses_poison/);
    expect(letters[0]!.failure).toEqual({ code: '23514', attempts: 3 });
    expect(letters[1]!.reason).toMatch(/^the catalog refused the event 3 time\(s\) \(SQLSTATE 22001\): value too long/);
    // The original record is kept for a redrive once the catalog's rule or the OA's data is fixed.
    expect(JSON.parse(letters[0]!.value!.content).data.title).toBe('关于〔毒〕的通知');

    expect((await t.db.catalog.listIngests()).map((i) => i.documentId).sort()).toEqual(['AFTER-1', 'AFTER-2']);
    const { committed, end } = await t.offsets();
    expect(committed).toBe(end);
    expect(await metric(t.intake.opsUrl, /oa_archive_intake_record_errors_total\{kind="event"\} (\d+)/)).toBe(6);
  });
});

describe('a catalog that is down', () => {
  it('keeps the record uncommitted and retries it, never dead-letters it, and records it once PostgreSQL is back', async () => {
    const link = await tcpLink({ host: '127.0.0.1', port: Number(new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').port || 5432) });
    const t = await startTestIntake({
      databaseUrl: (url) => {
        const viaLink = new URL(url);
        viaLink.port = String(link.port);
        return viaLink.toString();
      },
    });
    try {
      await link.cut();
      await t.send([validRecord('WHILE-DOWN')]);
      // Several deliveries have failed for want of a database …
      await waitFor(async () => ((await metric(t.intake.opsUrl, /oa_archive_intake_record_errors_total\{kind="transient"\} (\d+)/)) ?? 0) >= 3, {
        timeoutMs: 30_000,
        what: 'repeated tries against the unreachable catalog',
      });
      // … and none of them set the record aside or moved the offset past it.
      expect(t.intake.stats).toMatchObject({ ingested: 0, deadLettered: 0 });
      expect(await t.offsets()).toMatchObject({ deadLetters: 0, end: '1' });
      expect(['-1', '0', '']).toContain((await t.offsets()).committed);
      expect(await metric(t.intake.opsUrl, /oa_archive_intake_record_errors_total\{kind="event"\} (\d+)/)).toBeUndefined();

      await link.restore();
      await waitFor(() => t.intake.stats.ingested === 1, { timeoutMs: 60_000, what: 'the record once PostgreSQL answers again' });
      expect((await t.db.catalog.listIngests()).map((i) => i.documentId)).toEqual(['WHILE-DOWN']);
      await waitFor(async () => (await t.offsets()).committed === '1', { what: 'the offset committed after recording' });
      expect(t.intake.stats.deadLettered).toBe(0);
    } finally {
      await link.restore().catch(() => undefined);
      await t.tearDown();
      await link.close();
    }
  });
});
