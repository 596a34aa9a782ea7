import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, classificationOf, itemNumbersOfClass, recordClassification, voidedReferenceCodesOf } from '../src/index.ts';
import { createTestCatalog, exampleEventFor } from '../src/testing.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;
beforeAll(async () => {
  db = await createTestCatalog();
});
afterAll(async () => {
  await db?.drop();
});

const decision = { outcome: 'FILE' as const, category: 'WS', organisationCode: 'BGS', year: 2025, ruleIds: ['R'], scheduleVersion: 't', explanation: 'e' };
let run = 0;

describe('档号 item numbers under concurrent workers', () => {
  it('are 1..N per class with no gap and no repeat, and a retried ingest keeps its number', async () => {
    await fc.assert(
      fc.asyncProperty(
        // For each document: its class (retention) and whether its classify job runs twice.
        fc.array(fc.record({ retention: fc.constantFrom('Y', 'D30', 'D10'), retried: fc.boolean() }), { minLength: 1, maxLength: 25 }),
        async (documents) => {
          const fonds = `F${++run}`;
          const ids = await Promise.all(
            documents.map(async (_d, i) => {
              const id = `ing_${fonds}_${i}`;
              await db.catalog.recordIngest(id, exampleEventFor(`${fonds}-${i}`));
              return id;
            }),
          );
          const classifyOnce = (id: string, retention: 'Y' | 'D30' | 'D10') =>
            recordClassification(db.catalog.pool, id, { ...decision, retention }, {
              itemClass: { fonds, category: 'WS', year: 2025, retention, org: 'BGS' },
              format: (item) => `${fonds}-WS·2025-${retention}-BGS-${String(item).padStart(4, '0')}`,
            });
          const jobs = documents.flatMap((d, i) => (d.retried ? [classifyOnce(ids[i]!, d.retention), classifyOnce(ids[i]!, d.retention)] : [classifyOnce(ids[i]!, d.retention)]));
          await Promise.all(jobs);

          for (const retention of ['Y', 'D30', 'D10'] as const) {
            const inClass = ids.filter((_id, i) => documents[i]!.retention === retention);
            const numbers = (await Promise.all(inClass.map(async (id) => (await classificationOf(db.catalog.pool, id))!.itemNumber!))).sort((a, b) => a - b);
            expect(numbers).toEqual(inClass.map((_id, i) => i + 1));
          }
          const codes = await Promise.all(ids.map(async (id) => (await classificationOf(db.catalog.pool, id))!.referenceCode));
          expect(new Set(codes).size).toBe(ids.length);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('keeps the number on a replay, and records each decision in the audit trail', async () => {
    await db.catalog.recordIngest('ing_replay', exampleEventFor('replay-1'));
    const numbering = { itemClass: { fonds: 'R1', category: 'WS', year: 2025, retention: 'Y', org: 'BGS' }, format: (n: number) => `R1-WS·2025-Y-BGS-${String(n).padStart(4, '0')}` };
    const first = await recordClassification(db.catalog.pool, 'ing_replay', { ...decision, retention: 'Y' }, numbering);
    const again = await recordClassification(db.catalog.pool, 'ing_replay', { ...decision, retention: 'Y' }, numbering);
    expect(first.referenceCode).toBe('R1-WS·2025-Y-BGS-0001');
    expect(again.referenceCode).toBe(first.referenceCode);
    const { rows } = await db.catalog.pool.query(`SELECT count(*)::int AS n FROM audit_events WHERE ingest_id = 'ing_replay' AND type = 'ingest.classified'`);
    expect(rows[0].n).toBe(2);
  });

  it('voids the number of a document re-classified into another class or excluded, and the class stays gap-free', async () => {
    const classOf = (retention: 'Y' | 'D30') => ({ itemClass: { fonds: 'V1', category: 'WS', year: 2025, retention, org: 'VOD' }, format: (n: number) => `V1-WS·2025-${retention}-VOD-${String(n).padStart(4, '0')}` });
    for (const id of ['ing_v1', 'ing_v2', 'ing_v3']) await db.catalog.recordIngest(id, exampleEventFor(id));
    await recordClassification(db.catalog.pool, 'ing_v1', { ...decision, organisationCode: 'VOD', retention: 'Y' }, classOf('Y'));
    await recordClassification(db.catalog.pool, 'ing_v2', { ...decision, organisationCode: 'VOD', retention: 'Y' }, classOf('Y'));
    // Replayed from the start: the schedule now says 30 years for ing_v1, and ing_v2 is now a 重份.
    const moved = await recordClassification(db.catalog.pool, 'ing_v1', { ...decision, organisationCode: 'VOD', retention: 'D30' }, classOf('D30'));
    const excluded = await recordClassification(db.catalog.pool, 'ing_v2', { ...decision, outcome: 'EXCLUDE', category: null, retention: null, organisationCode: null, year: null, ruleIds: ['builtin:duplicate'] });
    const third = await recordClassification(db.catalog.pool, 'ing_v3', { ...decision, organisationCode: 'VOD', retention: 'Y' }, classOf('Y'));
    expect(moved).toMatchObject({ referenceCode: 'V1-WS·2025-D30-VOD-0001', itemNumber: 1 });
    expect(excluded).toMatchObject({ referenceCode: null, itemNumber: null, category: null });
    expect(third.referenceCode).toBe('V1-WS·2025-Y-VOD-0003');
    expect(await voidedReferenceCodesOf(db.catalog.pool, 'ing_v1')).toEqual([
      expect.objectContaining({ referenceCode: 'V1-WS·2025-Y-VOD-0001', itemNumber: 1, voidedBy: 'worker:classify', reason: 're-classified from FILE WS·2025·Y·VOD to FILE WS·2025·D30·VOD' }),
    ]);
    expect(await voidedReferenceCodesOf(db.catalog.pool, 'ing_v2')).toEqual([expect.objectContaining({ referenceCode: 'V1-WS·2025-Y-VOD-0002', reason: 're-classified from FILE WS·2025·Y·VOD to EXCLUDE' })]);
    // Check 2-4 reads held and voided numbers: 1 and 2 voided, 3 held — consecutive.
    const y = await itemNumbersOfClass(db.catalog.pool, { category: 'WS', year: 2025, retention: 'Y', organisationCode: 'VOD' });
    expect({ held: y.held.sort(), voided: y.voided.sort() }).toEqual({ held: [3], voided: [1, 2] });
    expect((await auditEventsOf(db.catalog.pool, 'ing_v2')).map((e) => e.type)).toEqual(['ingest.received', 'ingest.classified', 'ingest.reference-code-voided', 'ingest.classified']);
  });
});
