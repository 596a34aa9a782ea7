import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditSegmentOf,
  createHold,
  decideDisposition,
  dispositionItemOf,
  holdsOf,
  inTransaction,
  liftHold,
  parseClassSelector,
  recordClassification,
  type Catalog,
  type ChainedAuditEvent,
} from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { custodyOfTrail, selectorOfText } from '../src/rebuild/custodyTrail.ts';
import { insertCustody } from '../src/rebuild/restoreRows.ts';

/**
 * A rebuilt catalog keeps the custody decisions people took: holds (a lawsuit's hold must still stop
 * disposition) and disposition decisions, read back from the audit trail. Holds and decisions are
 * made through the catalog's own functions on the real PostgreSQL, the rows dropped as a lost
 * catalog would have them, and restored from the trail alone.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let catalog: Catalog;

async function fileItem(documentId: string, year: number, retention: 'D30' | 'D10'): Promise<{ ingestId: string; referenceCode: string }> {
  const ingestId = `ing-${documentId}`;
  await seedIngestAt(catalog, ingestId, exampleEventFor(documentId), { status: 'FILED' });
  const decision = await recordClassification(
    catalog.pool,
    ingestId,
    { outcome: 'FILE', category: 'WS', retention, organisationCode: 'BGS', year, ruleIds: ['r1'], scheduleVersion: 't', explanation: 'test' },
    { itemClass: { fonds: 'A182', category: 'WS', year, retention, org: 'BGS' }, format: (n) => `A182-WS·${year}-${retention}-BGS-${String(n).padStart(4, '0')}` },
  );
  return { ingestId, referenceCode: decision.referenceCode! };
}

/** A value with every Date replaced, to compare what was restored apart from when. */
const withoutTimes = (value: unknown): unknown => JSON.parse(JSON.stringify(value, function (this: Record<string, unknown>, key, v) { return this[key] instanceof Date ? 'time' : v; }));
/** Every Date of `a` within a second of the one in the same place in `b`. */
function closeInTime(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return Math.abs(a.getTime() - b.getTime()) < 1000;
  if (a && b && typeof a === 'object' && typeof b === 'object') return Object.keys(a).every((k) => closeInTime((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  return true;
}

const trailOf = async (): Promise<ChainedAuditEvent[]> => auditSegmentOf(catalog.pool, 0, Number.MAX_SAFE_INTEGER);

beforeAll(async () => {
  db = await createTestCatalog();
  catalog = db.catalog;
});

afterAll(async () => {
  await db?.drop();
});

describe('holds and disposition decisions restored from the audit trail', () => {
  it('gives back every hold, lifted or active, with what it names, and the decisions in force', async () => {
    const held = await fileItem('CUST-1', 2014, 'D10');
    const decided = await fileItem('CUST-2', 1990, 'D30');
    await createHold(catalog.pool, { name: '诉讼-2026-01', reason: '合同纠纷诉讼', selectors: [{ kind: 'reference-code', value: held.referenceCode }, parseClassSelector('WS/2014')], actor: 'console:档案员' });
    await createHold(catalog.pool, { name: '审计-2025', reason: '审计署专项审计', selectors: [{ kind: 'ingest', value: decided.ingestId }], actor: 'cli:admin' });
    await liftHold(catalog.pool, { name: '审计-2025', reason: '审计结束', actor: 'cli:admin' });
    await decideDisposition(catalog.pool, { item: decided.referenceCode, request: { decision: 'retain', reason: '仍有查考价值', extendYears: 5 }, actor: 'admin', asOf: '2026-02-01' });
    await decideDisposition(catalog.pool, { item: decided.referenceCode, request: { decision: 'transfer', reason: '移交市档案馆' }, actor: 'admin', asOf: '2026-02-01' });

    const holdsBefore = await holdsOf(catalog.pool);
    const itemBefore = await dispositionItemOf(catalog.pool, decided.referenceCode, '2026-02-01');
    const heldBefore = await dispositionItemOf(catalog.pool, held.referenceCode, '2026-02-01');
    expect(heldBefore?.holds).toEqual(['诉讼-2026-01']);

    // The catalog loses them; the trail is what a rebuild has.
    const trail = await trailOf();
    await inTransaction(catalog.pool, async (tx) => {
      await tx.query('DELETE FROM hold_items');
      await tx.query('DELETE FROM holds');
      await tx.query('DELETE FROM disposition_decisions');
    });
    expect((await dispositionItemOf(catalog.pool, held.referenceCode, '2026-02-01'))?.holds).toEqual([]);

    const custody = custodyOfTrail(trail);
    const restored = await inTransaction(catalog.pool, (tx) => insertCustody(tx, custody, new Set([held.ingestId, decided.ingestId])));
    expect(restored).toMatchObject({ holds: 2, decisions: 2 });

    // Times come from the trail's events, written in the same transactions as the rows: within a second of them.
    expect(withoutTimes(await holdsOf(catalog.pool))).toEqual(withoutTimes(holdsBefore));
    expect(closeInTime(await holdsOf(catalog.pool), holdsBefore)).toBe(true);
    expect(withoutTimes(await dispositionItemOf(catalog.pool, decided.referenceCode, '2026-02-01'))).toEqual(withoutTimes(itemBefore));
    expect(await dispositionItemOf(catalog.pool, held.referenceCode, '2026-02-01')).toEqual(heldBefore);

    // A hold placed after the rebuild takes the next id, not one the trail already names.
    const next = await createHold(catalog.pool, { name: '调查-2026', reason: '纪检调查', selectors: [{ kind: 'ingest', value: held.ingestId }], actor: 'cli:admin' });
    expect(next.id).toBeGreaterThan(Math.max(...holdsBefore.map((h) => h.id)));
  });

  it('skips decisions on items a rebuild did not restore', async () => {
    const custody = custodyOfTrail(await trailOf());
    const restored = await inTransaction(catalog.pool, async (tx) => {
      await tx.query('DELETE FROM hold_items');
      await tx.query('DELETE FROM holds');
      await tx.query('DELETE FROM disposition_decisions');
      return insertCustody(tx, custody, new Set());
    });
    expect(restored.decisions).toBe(0);
    expect((await catalog.pool.query('SELECT count(*)::int AS n FROM disposition_decisions')).rows[0].n).toBe(0);
  });
});

describe('reading the trail', () => {
  const event = (seq: number, type: string, payload: Record<string, unknown>, ingestId: string | null = null): ChainedAuditEvent => ({
    seq,
    at: `2026-03-0${seq}T08:00:00.000Z`,
    ingestId,
    type,
    actor: 'person:admin.zhao',
    payload,
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
  });

  it('tells what an older hold event named from its text: class, ingest id or 档号', () => {
    expect(selectorOfText('WS/2015/D10')).toEqual({ kind: 'class', category: 'WS', year: 2015, retention: 'D10' });
    expect(selectorOfText(`ing_${'a'.repeat(32)}`)).toEqual({ kind: 'ingest', value: `ing_${'a'.repeat(32)}` });
    expect(selectorOfText('A182-WS·2015-D10-BGS-0001')).toEqual({ kind: 'reference-code', value: 'A182-WS·2015-D10-BGS-0001' });
    const custody = custodyOfTrail([event(1, 'hold.created', { holdId: 7, name: 'h', reason: 'r', items: ['WS', 'A182-WS·2015-D10-BGS-0001'] })]);
    expect(custody.holds[0]?.selectors).toEqual([{ kind: 'class', category: 'WS' }, { kind: 'reference-code', value: 'A182-WS·2015-D10-BGS-0001' }]);
  });

  it('keeps schedule versions in the order they were accepted, and says which carry no text', () => {
    const custody = custodyOfTrail([
      event(1, 'schedule.rule-accepted', { scheduleVersion: '2025.1+learned.1', baseVersion: '2025.1' }),
      event(2, 'schedule.rule-accepted', { scheduleVersion: '2025.1+learned.2', baseVersion: '2025.1+learned.1', rootVersion: '2025.1', yaml: 'version: 2025.1+learned.2\n' }),
    ]);
    expect(custody.scheduleVersions).toEqual([
      { version: '2025.1+learned.1', rootVersion: '2025.1', baseVersion: '2025.1', createdBy: 'admin.zhao', createdAt: '2026-03-01T08:00:00.000Z' },
      { version: '2025.1+learned.2', rootVersion: '2025.1', baseVersion: '2025.1+learned.1', yaml: 'version: 2025.1+learned.2\n', createdBy: 'admin.zhao', createdAt: '2026-03-02T08:00:00.000Z' },
    ]);
  });

  it('names destroyed items apart: their objects are gone by decision', () => {
    const custody = custodyOfTrail([event(1, 'disposition.destroyed', { referenceCode: 'A182-WS·2010-D10-BGS-0003', decisionId: 4 }, 'ing_x')]);
    expect([...custody.destroyed.values()]).toEqual([{ ingestId: 'ing_x', referenceCode: 'A182-WS·2010-D10-BGS-0003', at: '2026-03-01T08:00:00.000Z' }]);
  });
});
