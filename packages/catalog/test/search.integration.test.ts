import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestIdOf, ingestKeyOf, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { extractedTextOf, recordExtractedText, searchDocuments, searchWordsOf } from '../src/index.ts';
import { createTestCatalog, exampleEventFor } from '../src/testing.ts';

let db: Awaited<ReturnType<typeof createTestCatalog>>;

/** Records a document with the given metadata, its extracted body and (optionally) a FILE decision. */
async function seed(documentId: string, data: Partial<DocumentFinalizedEvent['data']>, body: string, filed?: { category: string; retention: string; year: number; referenceCode: string }): Promise<string> {
  const base = exampleEventFor(documentId);
  const event = { ...base, data: { ...base.data, ...data } };
  const id = ingestIdOf(ingestKeyOf(event));
  await db.catalog.recordIngest(id, event);
  await recordExtractedText(db.catalog.pool, id, body ? [{ ordinal: 1, text: body }] : [], [{ ordinal: 1, outcome: body ? 'extracted' : 'empty', source: 'preservation', chars: body.length, truncated: false, ...(body ? {} : { reason: 'scan' }) }]);
  if (filed) {
    await db.catalog.pool.query(
      `INSERT INTO classifications (ingest_id, outcome, category, retention, year, rule_ids, schedule_version, explanation, reference_code)
       VALUES ($1, 'FILE', $2, $3, $4, '{R1}', 'test', '归档', $5)`,
      [id, filed.category, filed.retention, filed.year, filed.referenceCode],
    );
  }
  return id;
}

let notice: string;
let minutes: string;
let contract: string;
let scan: string;

beforeAll(async () => {
  db = await createTestCatalog();
  notice = await seed('S-1', { title: '关于做好2025年度档案移交工作的通知', documentNumber: '示政办发〔2025〕12号', departmentCode: 'BGS' }, '各科室：现就档案移交有关事项通知如下。一、移交范围。二、时间安排：请于十二月底前完成。', { category: 'WS', retention: 'Y', year: 2025, referenceCode: 'X001-WS-2025-Y-BGS-0001' });
  minutes = await seed('S-2', { title: '办公室2025年第3次办公会议纪要', documentNumber: '会议纪要〔2025〕3号', departmentCode: 'BGS' }, '会议研究了防汛应急演练的准备工作，议定由信息中心负责通信保障。', { category: 'WS', retention: 'D30', year: 2024, referenceCode: 'X001-WS-2024-D30-BGS-0001' });
  contract = await seed('S-3', { title: '政务云平台租用服务合同', documentNumber: 'HT-2025-0042', issuer: { name: '示范信息技术有限公司', relation: '外部' }, departmentCode: 'XXZX' }, 'Party A and Party B agree on 100% uptime_target of the cloud platform.');
  scan = await seed('S-4', { title: '关于开展安全生产大检查的通知', documentNumber: '示财发〔2025〕7号', departmentCode: 'CWK' }, '');
});
afterAll(async () => {
  await db?.drop();
});

const idsOf = (hits: { ingestId: string }[]) => hits.map((h) => h.ingestId).sort();

describe('document search (PostgreSQL, pg_trgm)', () => {
  it('finds a document by a Chinese word that occurs only in the text of its preservation copy, with a snippet', async () => {
    const hits = await searchDocuments(db.catalog.pool, { q: '通信保障' });
    expect(idsOf(hits)).toEqual([minutes]);
    expect(hits[0]!.matchedIn).toEqual(['body']);
    expect(hits[0]!.snippet).toContain('通信保障');
    expect(hits[0]!.extraction).toEqual([{ ordinal: 1, outcome: 'extracted', source: 'preservation', chars: expect.any(Number), truncated: false }]);
  });

  it('finds two-character words, which no trigram of the index holds, by checking the rows', async () => {
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '防汛' }))).toEqual([minutes]);
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '通知' }))).toEqual([notice, scan].sort());
    // One character: a substring too.
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '云' }))).toEqual([contract]);
  });

  it('matches 文号 and issuers, and requires every word of the query', async () => {
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '示政办发' }))).toEqual([notice]);
    expect((await searchDocuments(db.catalog.pool, { q: '示政办发' }))[0]!.matchedIn).toEqual(['documentNumber']);
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '示范信息技术' }))).toEqual([contract]);
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '档案移交 十二月底' }))).toEqual([notice]);
    expect(await searchDocuments(db.catalog.pool, { q: '档案移交 防汛' })).toEqual([]);
  });

  it('takes LIKE wildcards in a query literally and matches Latin text without regard to case', async () => {
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '100%' }))).toEqual([contract]);
    expect(await searchDocuments(db.catalog.pool, { q: '100%%x' })).toEqual([]);
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: 'UPTIME_TARGET' }))).toEqual([contract]);
    expect(await searchDocuments(db.catalog.pool, { q: 'uptime_targex' })).toEqual([]);
  });

  it('finds a document by its exact document id or 档号', async () => {
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: 'S-2' }))).toEqual([minutes]);
    const byCode = await searchDocuments(db.catalog.pool, { q: 'X001-WS-2025-Y-BGS-0001' });
    expect(idsOf(byCode)).toEqual([notice]);
    expect(byCode[0]!.matchedIn).toContain('identifier');
  });

  it('filters by department, category, retention, year, status and finalization date', async () => {
    expect(idsOf(await searchDocuments(db.catalog.pool, { department: 'XXZX' }))).toEqual([contract]);
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '2025', category: 'WS' }))).toEqual([minutes, notice].sort());
    expect(idsOf(await searchDocuments(db.catalog.pool, { category: 'WS', retention: 'D30' }))).toEqual([minutes]);
    expect(idsOf(await searchDocuments(db.catalog.pool, { year: 2025 }))).toEqual([notice]);
    expect(idsOf(await searchDocuments(db.catalog.pool, { status: 'RECEIVED', department: 'CWK' }))).toEqual([scan]);
    expect(await searchDocuments(db.catalog.pool, { status: 'FILED' })).toEqual([]);
    expect(await searchDocuments(db.catalog.pool, { from: new Date('2025-03-15T00:00:00Z') })).toEqual([]);
    expect(await searchDocuments(db.catalog.pool, { q: '通知', limit: 1 })).toHaveLength(1);
  });

  it('keeps why a document has no text, and finds it by its metadata all the same', async () => {
    expect(await extractedTextOf(db.catalog.pool, scan)).toMatchObject({ body: '', extraction: [{ ordinal: 1, outcome: 'empty', reason: 'scan' }] });
    expect(idsOf(await searchDocuments(db.catalog.pool, { q: '安全生产' }))).toEqual([scan]);
  });

  it('uses the trigram index for words of three or more characters', async () => {
    await db.catalog.pool.query('ANALYZE search_documents');
    const client = await db.catalog.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT ingest_id FROM search_documents WHERE searchable ILIKE '%通信保障%'`);
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('search_documents_trgm_idx');
    } finally {
      client.release();
    }
  });

  it('splits a query into words on ASCII and full-width spaces, at most eight', () => {
    expect(searchWordsOf(' 档案\u3000移交  通知 ')).toEqual(['档案', '移交', '通知']);
    expect(searchWordsOf('a b c d e f g h i j')).toHaveLength(8);
    expect(searchWordsOf(undefined)).toEqual([]);
  });
});
