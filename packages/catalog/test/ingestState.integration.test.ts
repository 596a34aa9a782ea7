import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_STATUSES } from '@oa-archive/contracts';
import {
  applyTransition,
  auditEventsOf,
  canTransition,
  claimPendingReceipts,
  IllegalTransitionError,
  INGEST_EVENTS,
  inTransaction,
  markReceiptsSent,
  nextStatus,
  receiptsOf,
  StaleTransitionError,
  verifyAuditChain,
} from '../src/index.ts';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '../src/testing.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;
beforeAll(async () => {
  db = await createTestCatalog();
});
afterAll(async () => {
  await db?.drop();
});

let n = 0;
const fresh = (status: Parameters<typeof seedIngestAt>[3]['status'], stage?: Parameters<typeof seedIngestAt>[3]['stage']) => {
  const id = `ing_state_${++n}`;
  return seedIngestAt(db.catalog, id, exampleEventFor(`STATE-${n}`), { status, ...(stage ? { stage } : {}) }).then(() => id);
};
const at = new Date();
const run = { attempt: 1, startedAt: at, finishedAt: at, detail: {} };

describe('applying a transition (PostgreSQL)', () => {
  it('does not let a failure overwrite FILED: the outcome and its receipt stand', async () => {
    const id = await fresh('FILED');
    await expect(db.catalog.markFailed(id, { stage: 'notify', reason: 'KafkaJSConnectionError: broker down', retryable: true, attempts: 5 })).rejects.toThrow(IllegalTransitionError);
    // What the runner does after notify's last attempt: the attempt is recorded, the outcome is not touched.
    const effect = await db.catalog.recordAttemptFailed(id, 'notify', run, { stage: 'notify', reason: 'KafkaJSConnectionError: broker down', retryable: true, attempts: 5 });
    expect(effect.transition).toBeUndefined();
    expect((await db.catalog.getIngest(id))?.status).toBe('FILED');
    expect((await receiptsOf(db.catalog.pool, id)).map((r) => r.outcome)).toEqual(['FILED']);
  });

  it('moves an ingest through its stages and writes one audit event per transition', async () => {
    const id = await fresh('RECEIVED');
    const first = await db.catalog.completeStage(id, 'fetch', run, { next: 'characterize' });
    expect(first.transition).toMatchObject({ from: 'RECEIVED', to: 'IN_PROGRESS' });
    expect(await db.catalog.getIngest(id)).toMatchObject({ status: 'IN_PROGRESS', currentStage: 'characterize' });
    // A second delivery of the fetch job finds the ingest elsewhere: recorded as stale, nothing moves.
    expect(await db.catalog.completeStage(id, 'fetch', run, { next: 'characterize' })).toEqual({ stale: 'the ingest is at characterize' });
    await expect(db.catalog.transition(id, { event: 'advance', actor: 'test', atStage: 'classify', stage: 'convert' })).rejects.toThrow(StaleTransitionError);
    expect((await auditEventsOf(db.catalog.pool, id)).map((e) => [e.type, e.payload.stale ?? null])).toEqual([
      ['ingest.received', null],
      ['stage.completed', null],
      ['stage.completed', 'the ingest is at characterize'],
    ]);
  });

  it('records a stage run, its outcome, the receipt and the audit events together when a stage reaches an outcome', async () => {
    const id = await fresh('IN_PROGRESS', 'classify');
    const effect = await db.catalog.completeStage(id, 'classify', { ...run, detail: { ruleIds: ['R1'] } }, { outcome: { status: 'EXCLUDED', payload: { explanation: '无保存价值' } } });
    expect(effect.transition).toMatchObject({ from: 'IN_PROGRESS', to: 'EXCLUDED', receipt: { seq: 1, receiptId: `${id}-r1` } });
    expect(await db.catalog.getIngest(id)).toMatchObject({ status: 'EXCLUDED', currentStage: 'classify' });
    expect((await db.catalog.getIngest(id))?.completedAt).toBeInstanceOf(Date);
    expect((await db.catalog.stageRuns(id)).filter((r) => r.stage === 'classify').map((r) => [r.status, r.detail])).toEqual([['SUCCEEDED', { ruleIds: ['R1'] }]]);
    expect((await auditEventsOf(db.catalog.pool, id)).slice(-2).map((e) => [e.type, e.payload.event ?? null, e.payload.to ?? null])).toEqual([
      ['stage.completed', null, null],
      ['ingest.excluded', 'exclude', 'EXCLUDED'],
    ]);
    expect((await receiptsOf(db.catalog.pool, id)).map((r) => r.outcome)).toEqual(['EXCLUDED']);
    expect((await verifyAuditChain(db.catalog.pool)).ok).toBe(true);
  });

  it('lets one of two racing completions of a stage move the ingest; the other finds it moved on', async () => {
    const id = await fresh('IN_PROGRESS', 'convert');
    const effects = await Promise.all([
      db.catalog.completeStage(id, 'convert', run, { next: 'validate' }),
      db.catalog.completeStage(id, 'convert', run, { outcome: { status: 'REVIEW', payload: {} } }),
    ]);
    expect(effects.filter((e) => e.transition).length).toBe(1);
    expect(effects.filter((e) => e.stale).length).toBe(1);
    const moved = effects.find((e) => e.transition)!.transition!;
    expect((await db.catalog.getIngest(id))?.status).toBe(moved.to);
    expect((await db.catalog.stageRuns(id)).filter((r) => r.stage === 'convert').length).toBe(2);
    expect((await verifyAuditChain(db.catalog.pool)).ok).toBe(true);
  });

  it('refuses an outcome the state machine does not allow from the status, recording nothing', async () => {
    const id = await fresh('RECEIVED');
    await expect(db.catalog.completeStage(id, 'fetch', run, { outcome: { status: 'FILED', payload: {} } })).rejects.toThrow(IllegalTransitionError);
    expect(await db.catalog.getIngest(id)).toMatchObject({ status: 'RECEIVED', currentStage: null });
    expect(await db.catalog.stageRuns(id)).toEqual([]);
    expect(await receiptsOf(db.catalog.pool, id)).toEqual([]);
  });

  it('writes the receipt of an outcome in the same transaction, numbered per ingest', async () => {
    const id = await fresh('REVIEW', 'validate');
    expect((await receiptsOf(db.catalog.pool, id)).map((r) => [r.seq, r.receiptId, r.outcome])).toEqual([[1, `${id}-r1`, 'REVIEW']]);
    const settled = await db.catalog.transition(id, { event: 'settle-exclude', actor: 'person:li', payload: { note: '无保存价值' } });
    expect(settled).toMatchObject({ from: 'REVIEW', to: 'EXCLUDED', receipt: { seq: 2, receiptId: `${id}-r2` } });
    const [review, excluded] = await receiptsOf(db.catalog.pool, id);
    expect(review!.receipt).toMatchObject({ id: `${id}-r1`, type: 'archive.ingest.receipt', data: { ingestId: id, outcome: 'REVIEW' } });
    expect(excluded!.receipt).toMatchObject({ id: `${id}-r2`, data: { outcome: 'EXCLUDED' } });
  });

  it('rolls the receipt back with the transition when the transaction fails', async () => {
    const id = await fresh('IN_PROGRESS', 'deposit');
    await expect(
      inTransaction(db.catalog.pool, async (tx) => {
        await applyTransition(tx, id, { event: 'file', actor: 'worker:deposit', atStage: 'deposit' });
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow(/crash before commit/);
    expect((await db.catalog.getIngest(id))?.status).toBe('IN_PROGRESS');
    expect(await receiptsOf(db.catalog.pool, id)).toEqual([]);
  });

  it('lets exactly one of two racing settlements win', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => fresh('REVIEW')));
    for (const id of ids) {
      const results = await Promise.allSettled([
        db.catalog.transition(id, { event: 'settle', actor: 'person:a', stage: 'convert' }),
        db.catalog.transition(id, { event: 'settle-exclude', actor: 'person:b' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled'), id).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(IllegalTransitionError);
      const settlements = (await auditEventsOf(db.catalog.pool, id)).filter((e) => e.actor.startsWith('person:'));
      expect(settlements).toHaveLength(1);
    }
    expect((await verifyAuditChain(db.catalog.pool)).ok).toBe(true);
  });
});

describe('the database as second line', () => {
  it('refuses a status change that does not come through the state machine', async () => {
    const id = await fresh('FILED');
    await expect(db.catalog.pool.query(`UPDATE ingests SET status = 'FAILED' WHERE ingest_id = $1`, [id])).rejects.toThrow(/changes only through the ingest state machine/);
    await expect(
      db.catalog.pool.query(`INSERT INTO ingests (ingest_id, source, document_id, version, event_id, title, document_type, department_code, security_level, finalized_at, event, status)
                             SELECT 'ing_sneak', source, 'SNEAK', 1, 'e', title, document_type, department_code, security_level, finalized_at, event, 'FILED' FROM ingests WHERE ingest_id = $1`, [id]),
    ).rejects.toThrow(/a new ingest is RECEIVED/);
  });

  it('lets a transition through the guard and no later change in the same transaction', async () => {
    const id = await fresh('IN_PROGRESS', 'deposit');
    await expect(
      inTransaction(db.catalog.pool, async (tx) => {
        await applyTransition(tx, id, { event: 'file', actor: 'test', atStage: 'deposit' });
        // The event the guard saw was the transition's own statement's, not the transaction's.
        expect((await tx.query(`SELECT current_setting('oa_archive.ingest_event', true) AS via`)).rows[0].via).toBe('');
        await tx.query(`UPDATE ingests SET status = 'IN_PROGRESS' WHERE ingest_id = $1`, [id]);
      }),
    ).rejects.toThrow(/changes only through the ingest state machine/);
    expect((await db.catalog.getIngest(id))!.status).toBe('IN_PROGRESS');
  });

  it('allows exactly the status pairs the table allows', async () => {
    const tablePairs = new Set(
      INGEST_STATUSES.flatMap((from) => INGEST_EVENTS.filter((e) => canTransition(from, e)).map((e) => nextStatus('t', from, e)).filter((to) => to !== from).map((to) => `${from}>${to}`)),
    );
    const id = await fresh('RECEIVED');
    for (const from of INGEST_STATUSES) {
      for (const to of INGEST_STATUSES.filter((s) => s !== from)) {
        // Put the row in `from` behind the guard's back, then ask the guard about `from` → `to`.
        const verdict = await inTransaction(db.catalog.pool, async (tx) => {
          await tx.query(`SET LOCAL session_replication_role = replica`);
          await tx.query(`UPDATE ingests SET status = $2 WHERE ingest_id = $1`, [id, from]);
          await tx.query(`SET LOCAL session_replication_role = origin`);
          await tx.query(`SELECT set_config('oa_archive.ingest_event', 'test', true)`);
          await tx.query('SAVEPOINT probe');
          try {
            await tx.query(`UPDATE ingests SET status = $2 WHERE ingest_id = $1`, [id, to]);
            return 'allowed';
          } catch {
            await tx.query('ROLLBACK TO SAVEPOINT probe');
            return 'refused';
          }
        });
        expect(verdict, `${from} → ${to}`).toBe(tablePairs.has(`${from}>${to}`) ? 'allowed' : 'refused');
      }
    }
  });
});

describe('the receipt outbox', () => {
  it('hands each pending receipt to one relay, the oldest of an ingest first', async () => {
    const id = await fresh('REVIEW');
    await db.catalog.transition(id, { event: 'settle-exclude', actor: 'person:x' });
    const first = await inTransaction(db.catalog.pool, async (tx) => {
      const mine = await claimPendingReceipts(tx, { limit: 10, ingestId: id });
      // Another relay, at the same time, gets nothing of this ingest: r1 is held, r2 waits for r1.
      const other = await inTransaction(db.catalog.pool, (tx2) => claimPendingReceipts(tx2, { limit: 10, ingestId: id }));
      expect(other).toEqual([]);
      await markReceiptsSent(tx, mine);
      return mine;
    });
    // The relay learns that one more waits, without a transaction more to find out; the last says none does.
    expect(first.map((r) => [r.seq, r.later])).toEqual([[1, true]]);
    const second = await inTransaction(db.catalog.pool, async (tx) => {
      const mine = await claimPendingReceipts(tx, { limit: 10, ingestId: id });
      await markReceiptsSent(tx, mine);
      return mine;
    });
    expect(second.map((r) => [r.seq, r.outcome, r.later])).toEqual([[2, 'EXCLUDED', false]]);
    expect((await receiptsOf(db.catalog.pool, id)).every((r) => r.sentAt !== null)).toBe(true);
  });
});
