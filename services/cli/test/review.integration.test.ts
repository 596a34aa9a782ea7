import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, classificationOf, recordClassification } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { uniqueName } from '@oa-archive/testing';
import { reviewCommand } from '../src/commands/operate.ts';
import { loadCliConfig } from '../src/index.ts';

/**
 * `archive review settle` holds to the console's rule: filing as the matched rule suggests rests on the
 * rule; filing otherwise (or with no rule to follow) takes a written reason and `--confirm`, and the
 * reason is recorded as the decision's basis. Against the real PostgreSQL and Redis.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let config: ReturnType<typeof loadCliConfig>;

/** Held back at classify by a finding although D30-OWN-NOTICE would file it (the rule's suggestion: WS · D30). */
async function waiting(documentId: string, ruleIds = ['D30-OWN-NOTICE', 'builtin:integrity:corrupt']): Promise<string> {
  const id = `ing_${documentId}`;
  await seedIngestAt(db.catalog, id, exampleEventFor(documentId), { status: 'REVIEW', stage: 'classify' });
  await recordClassification(db.catalog.pool, id, { outcome: 'REVIEW', category: null, retention: null, organisationCode: null, year: null, ruleIds, scheduleVersion: 't', explanation: '请人工核实' });
  return id;
}

const settle = (id: string, values: Record<string, string | boolean>) => reviewCommand(config, db.catalog, 'settle', id, { as: 'archivist.wang', ...values }, () => undefined);
const basisOf = async (id: string) => (await auditEventsOf(db.catalog.pool, id)).find((e) => e.type === 'ingest.review-settled')?.payload;

beforeAll(async () => {
  db = await createTestCatalog();
  config = loadCliConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: uniqueName('cli-review'), ARCHIVE_LOCALE: 'zh-CN' });
});

afterAll(async () => {
  await db?.drop();
});

describe('archive review settle', () => {
  it('files as the rule suggests without a note, the rule as its basis', async () => {
    const id = await waiting('CLI-REVIEW-1');
    expect(await settle(id, { file: 'WS:D30' })).toBe(0);
    expect(await classificationOf(db.catalog.pool, id)).toMatchObject({ outcome: 'FILE', category: 'WS', retention: 'D30' });
    expect(await basisOf(id)).toMatchObject({ basis: { kind: 'rule', ruleId: 'D30-OWN-NOTICE' } });
  });

  it('refuses another retention without a reason, then without --confirm, and records the reason it was given', async () => {
    const id = await waiting('CLI-REVIEW-2');
    await expect(settle(id, { file: 'WS:Y' })).rejects.toThrow('所选门类和保管期限（WS · Y）与规则建议（WS · D30）不同：请填写理由。');
    await expect(settle(id, { file: 'WS:Y', note: '涉及本机关重大决策，应永久保存' })).rejects.toThrow(/请加 --confirm 确认/);
    expect((await classificationOf(db.catalog.pool, id))?.outcome).toBe('REVIEW');
    expect(await settle(id, { file: 'WS:Y', note: '涉及本机关重大决策，应永久保存', confirm: true })).toBe(0);
    expect(await classificationOf(db.catalog.pool, id)).toMatchObject({ outcome: 'FILE', category: 'WS', retention: 'Y' });
    expect(await basisOf(id)).toMatchObject({ basis: { kind: 'note', note: '涉及本机关重大决策，应永久保存' } });
  });

  it('asks for a reason when no rule suggests a class', async () => {
    const id = await waiting('CLI-REVIEW-3', []);
    await expect(settle(id, { file: 'WS:D10' })).rejects.toThrow('没有规则建议：请填写归档理由，作为处理依据。');
  });
});
