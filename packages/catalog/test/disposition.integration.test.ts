import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEventsOf,
  createHold,
  decideDisposition,
  dispositionItemOf,
  dispositionItems,
  DispositionRefusedError,
  HoldError,
  holdsOf,
  liftHold,
  parseClassSelector,
  recordClassification,
  verifyAuditChain,
  type Catalog,
} from '../src/index.ts';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '../src/testing.ts';

/** Disposition decisions and holds against the real PostgreSQL: the review list, the rules as the catalog applies them, the audit trail. */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let catalog: Catalog;

/** Files a document under a 档号 of the given class, as classify and deposit would. */
async function fileItem(documentId: string, year: number, retention: 'Y' | 'D30' | 'D10', category = 'WS'): Promise<{ ingestId: string; referenceCode: string }> {
  const ingestId = `ing-${documentId}`;
  await seedIngestAt(catalog, ingestId, exampleEventFor(documentId), { status: 'FILED' });
  const decision = await recordClassification(
    catalog.pool,
    ingestId,
    { outcome: 'FILE', category, retention, organisationCode: 'BGS', year, ruleIds: ['r1'], scheduleVersion: 't', explanation: 'test' },
    { itemClass: { fonds: 'A182', category, year, retention, org: 'BGS' }, format: (n) => `A182-${category}·${year}-${retention}-BGS-${String(n).padStart(4, '0')}` },
  );
  return { ingestId, referenceCode: decision.referenceCode! };
}

let old10: { ingestId: string; referenceCode: string };
let old30: { ingestId: string; referenceCode: string };
let recent10: { ingestId: string; referenceCode: string };
let permanent: { ingestId: string; referenceCode: string };
let photo: { ingestId: string; referenceCode: string };

beforeAll(async () => {
  db = await createTestCatalog();
  catalog = db.catalog;
  old10 = await fileItem('DISP-1', 2015, 'D10');
  old30 = await fileItem('DISP-2', 1994, 'D30');
  recent10 = await fileItem('DISP-3', 2020, 'D10');
  permanent = await fileItem('DISP-4', 1990, 'Y');
  photo = await fileItem('DISP-5', 2015, 'D10', 'ZP');
});

afterAll(async () => {
  await db?.drop();
});

const stateOf = async (item: string, asOf: string) => (await dispositionItemOf(catalog.pool, item, asOf))?.state;

describe('the disposition review list', () => {
  it('lists D10/D30 items whose retention has run out as of the day asked, never a permanent one', async () => {
    const due = await dispositionItems(catalog.pool, { asOf: '2026-01-01', states: ['due'] });
    expect(due.map((i) => i.referenceCode).sort()).toEqual([old10.referenceCode, old30.referenceCode, photo.referenceCode].sort());
    expect(due.find((i) => i.ingestId === old10.ingestId)).toMatchObject({ dueOn: '2026-01-01', year: 2015, retention: 'D10', versions: [old10.ingestId], holds: [] });
    // The day before, 2015's D10 items are still kept.
    expect((await dispositionItems(catalog.pool, { asOf: '2025-12-31', states: ['due'] })).map((i) => i.ingestId)).toEqual([old30.ingestId]);
    expect(await stateOf(recent10.ingestId, '2026-06-01')).toBe('not-due');
    expect(await dispositionItemOf(catalog.pool, permanent.ingestId, '2999-01-01')).toBeUndefined();
  });
});

describe('decisions', () => {
  it('records a decision with its reason, audited, and takes the item off the due list', async () => {
    const item = await decideDisposition(catalog.pool, { item: old30.referenceCode, request: { decision: 'transfer', reason: '移交市档案馆' }, actor: 'cli:archivist', asOf: '2026-02-01' });
    expect(item).toMatchObject({ state: 'transfer', decision: { decision: 'transfer', reason: '移交市档案馆', decidedBy: 'cli:archivist', dueOn: '2025-01-01' } });
    const events = (await auditEventsOf(catalog.pool, old30.ingestId)).filter((e) => e.type === 'disposition.decided');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'cli:archivist', payload: { referenceCode: old30.referenceCode, decision: 'transfer', reason: '移交市档案馆', asOf: '2026-02-01' } });
    expect((await dispositionItems(catalog.pool, { asOf: '2026-02-01', states: ['due'] })).map((i) => i.ingestId)).not.toContain(old30.ingestId);
  });

  it('extends a retained item from the date it was due, and brings it back then', async () => {
    const item = await decideDisposition(catalog.pool, { item: photo.ingestId, request: { decision: 'retain', reason: '仍有查考价值', extendYears: 5 }, actor: 'admin', asOf: '2026-02-01' });
    expect(item).toMatchObject({ state: 'retained', dueOn: '2031-01-01', decision: { reviewOn: '2031-01-01' } });
    expect(await stateOf(photo.ingestId, '2030-12-31')).toBe('retained');
    expect(await stateOf(photo.ingestId, '2031-01-01')).toBe('due');
  });

  it('refuses with a reason a person can act on: not due, no reason, unknown item', async () => {
    await expect(decideDisposition(catalog.pool, { item: recent10.ingestId, request: { decision: 'destroy', reason: 'x' }, actor: 'admin', asOf: '2026-02-01' })).rejects.toMatchObject({
      name: 'DispositionRefusedError',
      code: 'not-due',
      params: { dueOn: '2031-01-01' },
    });
    await expect(decideDisposition(catalog.pool, { item: old10.ingestId, request: { decision: 'destroy', reason: ' ' }, actor: 'admin', asOf: '2026-02-01' })).rejects.toMatchObject({ code: 'reason-missing' });
    await expect(decideDisposition(catalog.pool, { item: 'NO-SUCH-档号', request: { decision: 'destroy', reason: 'x' }, actor: 'admin', asOf: '2026-02-01' })).rejects.toBeInstanceOf(DispositionRefusedError);
    await expect(decideDisposition(catalog.pool, { item: permanent.ingestId, request: { decision: 'destroy', reason: 'x' }, actor: 'admin', asOf: '2026-02-01' })).rejects.toMatchObject({ code: 'unknown-item' });
  });
});

describe('holds', () => {
  it('stops destruction of the items it names until it is lifted, audited both ways', async () => {
    const hold = await createHold(catalog.pool, { name: '审计-2026', reason: '审计署专项审计', selectors: [{ kind: 'reference-code', value: old10.referenceCode }], actor: 'admin' });
    expect(hold).toMatchObject({ name: '审计-2026', items: 1, liftedAt: null, selectors: [{ kind: 'reference-code', value: old10.referenceCode }] });
    expect((await dispositionItemOf(catalog.pool, old10.ingestId, '2026-02-01'))?.holds).toEqual(['审计-2026']);

    await expect(decideDisposition(catalog.pool, { item: old10.ingestId, request: { decision: 'destroy', reason: '无保存价值' }, actor: 'admin', asOf: '2026-02-01' })).rejects.toMatchObject({
      code: 'held',
      params: { holds: '审计-2026' },
    });
    // One active hold to a name, so that lifting one names it unambiguously.
    await expect(createHold(catalog.pool, { name: '审计-2026', reason: 'again', selectors: [{ kind: 'ingest', value: old10.ingestId }], actor: 'admin' })).rejects.toMatchObject({ code: 'name-taken' });

    const lifted = await liftHold(catalog.pool, { name: '审计-2026', reason: '审计结束', actor: 'admin' });
    expect(lifted).toMatchObject({ liftedBy: 'admin', liftReason: '审计结束' });
    expect((await dispositionItemOf(catalog.pool, old10.ingestId, '2026-02-01'))?.holds).toEqual([]);
    const item = await decideDisposition(catalog.pool, { item: old10.ingestId, request: { decision: 'destroy', reason: '无保存价值' }, actor: 'admin', asOf: '2026-02-01' });
    expect(item.state).toBe('destroy-approved');

    const events = await catalog.pool.query<{ type: string; payload: Record<string, unknown> }>("SELECT type, payload FROM audit_events WHERE type LIKE 'hold.%' ORDER BY seq");
    expect(events.rows).toEqual([
      { type: 'hold.created', payload: expect.objectContaining({ name: '审计-2026', reason: '审计署专项审计', items: [old10.referenceCode], covers: 1 }) },
      { type: 'hold.lifted', payload: expect.objectContaining({ name: '审计-2026', reason: '审计结束' }) },
    ]);
    expect((await verifyAuditChain(catalog.pool)).ok).toBe(true);
  });

  it('holds a whole class, items filed later included, and takes the held item out of the destroyable ones', async () => {
    await createHold(catalog.pool, { name: '诉讼-甲', reason: '（2026）某民初123号', selectors: [parseClassSelector('ws/2015/d10')], actor: 'admin' });
    const item = await dispositionItemOf(catalog.pool, old10.ingestId, '2026-02-01');
    // The destroy decision stands, but no destruction may take place while the hold is on.
    expect(item).toMatchObject({ state: 'destroy-approved', holds: ['诉讼-甲'] });
    const later = await fileItem('DISP-6', 2015, 'D10');
    expect((await dispositionItemOf(catalog.pool, later.ingestId, '2026-02-01'))?.holds).toEqual(['诉讼-甲']);
    expect((await holdsOf(catalog.pool, { active: true })).find((h) => h.name === '诉讼-甲')).toMatchObject({ items: 2, selectors: [{ kind: 'class', category: 'WS', year: 2015, retention: 'D10' }] });
    await liftHold(catalog.pool, { name: '诉讼-甲', reason: '结案', actor: 'admin' });
  });

  it('refuses a hold on an item that does not exist, or a class it cannot read', async () => {
    await expect(createHold(catalog.pool, { name: 'x', reason: 'y', selectors: [{ kind: 'ingest', value: 'ing-NOPE' }], actor: 'admin' })).rejects.toMatchObject({ code: 'unknown-items', params: { items: 'ing-NOPE' } });
    expect(() => parseClassSelector('文书')).toThrow(HoldError);
    await expect(liftHold(catalog.pool, { name: 'never placed', reason: 'x', actor: 'admin' })).rejects.toMatchObject({ code: 'no-such-hold' });
  });
});
