/**
 * node test/bench/src/search.ts [--documents 2000] [--copies 10] [--runs 5] [--real-extraction 4]
 *
 * Which PostgreSQL search serves Chinese better on the simulator's documents (docs/search.md): pg_trgm
 * (GIN gin_trgm_ops; ILIKE substring, and word_similarity) against full-text search with the 'simple'
 * configuration (the only one that does not stem English words; there is no zhparser or other Chinese
 * parser on this server), both on whole text and on character bigrams made by the application. For
 * each query: recall and precision against the truth (the query occurs as a substring,
 * case-insensitively, in title, 文号, issuer or body), and the median latency over --runs runs. The
 * body of each document is the text of its DOCX components (what LibreOffice's PDF/A copy carries);
 * --real-extraction N converts N of them with LibreOffice and reads them back with Ghostscript's
 * txtwrite, to show the extracted text is that text. Runs in a scratch database, dropped afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { extractPdfText } from '@oa-archive/convert';
import { simulateDocument } from '@oa-archive/oa-simulator';

const { values } = parseArgs({
  options: {
    documents: { type: 'string', default: '2000' },
    copies: { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    seed: { type: 'string', default: '7' },
    'real-extraction': { type: 'string', default: '0' },
  },
});
const DOCUMENTS = Number(values.documents);
/** Each simulated document is loaded this many times (same text, another id): latency at a larger catalog without simulating it. */
const COPIES = Number(values.copies);
const RUNS = Number(values.runs);
const SEED = Number(values.seed);

/** The queries: words a records officer would type, from titles, 文号, issuers and body text. */
const QUERIES: string[] = [
  // two characters
  '通知', '防汛', '合同', '现就', '特此',
  // three
  '办公室', '财务科', '信息化', '示政办',
  // four and more
  '档案移交', '职责分工', '有关事项', '示范省财政厅', '安全生产大检查', '电子文件单套制', '节能降耗工作措施',
  // 文号 as typed from memory: a part of the number, with its brackets or Latin letters
  '〔2025〕1', 'HT-2025',
];
const FIELDS = ['title', '文号', 'issuer', 'body'] as const;

/** The text of word/document.xml in a DOCX: a zip read by its local headers (the simulator's writer stores sizes there). */
function docxText(bytes: Buffer): string {
  let at = 0;
  while (at + 30 <= bytes.length && bytes.readUInt32LE(at) === 0x04034b50) {
    const method = bytes.readUInt16LE(at + 8);
    const compressed = bytes.readUInt32LE(at + 18);
    const nameLength = bytes.readUInt16LE(at + 26);
    const extraLength = bytes.readUInt16LE(at + 28);
    const name = bytes.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    const start = at + 30 + nameLength + extraLength;
    if (name === 'word/document.xml') {
      const data = bytes.subarray(start, start + compressed);
      const xml = (method === 8 ? inflateRawSync(data) : data).toString('utf8');
      return [...xml.matchAll(/<w:p>(.*?)<\/w:p>/g)].map((p) => p[1]!.replace(/<[^>]+>/g, '')).join('\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    }
    at = start + compressed;
  }
  return '';
}

/** Overlapping character pairs of every run of CJK characters, other words as they are: a CJK bigram analyser. */
function bigrams(text: string): string {
  const out: string[] = [];
  for (const token of text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean)) {
    for (const run of token.split(/(\p{Script=Han}+)/u).filter(Boolean)) {
      if (!/\p{Script=Han}/u.test(run)) out.push(run);
      else if (run.length === 1) out.push(run);
      else for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
    }
  }
  return out.join(' ');
}

/** A phrase query of the query's bigrams: each pair follows the one before. */
const bigramPhrase = (q: string) => bigrams(q).split(' ').filter(Boolean).map((t) => `'${t.replace(/'/g, "''")}'`).join(' <-> ');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const db = await createTestCatalog();
  const pool = db.catalog.pool;
  try {
    const facts = await pool.query<{ datctype: string; datcollate: string; version: string }>('SELECT datctype, datcollate, version() FROM pg_database WHERE datname = current_database()');
    const configs = (await pool.query<{ cfgname: string }>('SELECT cfgname FROM pg_ts_config ORDER BY 1')).rows.map((r) => r.cfgname);
    const parsers = (await pool.query<{ prsname: string }>('SELECT prsname FROM pg_ts_parser')).rows.map((r) => r.prsname);
    const zh = (await pool.query<{ name: string }>(`SELECT name FROM pg_available_extensions WHERE name IN ('zhparser', 'pg_jieba', 'pg_bigm', 'pgroonga')`)).rows.map((r) => r.name);
    const trgm = await pool.query<{ two: string[]; three: string[] }>(`SELECT show_trgm('档案') AS two, show_trgm('办公室') AS three`);
    console.log(`PostgreSQL: ${facts.rows[0]!.version.split(',')[0]}; database ctype ${facts.rows[0]!.datctype}, collate ${facts.rows[0]!.datcollate}`);
    console.log(`text search configurations: ${configs.join(', ')}; parsers: ${parsers.join(', ')}; Chinese extensions available: ${zh.length ? zh.join(', ') : 'none'}`);
    console.log(`show_trgm('档案') → ${trgm.rows[0]!.two.length} trigrams (padded; none inside a longer text), show_trgm('办公室') → ${trgm.rows[0]!.three.length}`);
    const tsv = await pool.query<{ v: string }>(`SELECT to_tsvector('simple', '关于做好2025年度档案移交工作的通知') AS v`);
    console.log(`to_tsvector('simple', '关于做好2025年度档案移交工作的通知') → ${tsv.rows[0]!.v}`);

    await pool.query(`CREATE TABLE bench_docs (id int PRIMARY KEY, searchable text NOT NULL, words tsvector NOT NULL, pairs tsvector NOT NULL)`);
    const truth: string[] = [];
    const fields: string[][] = [];
    const started = performance.now();
    for (let offset = 0; offset < DOCUMENTS; offset += 500) {
      const batch = Array.from({ length: Math.min(500, DOCUMENTS - offset) }, (_, k) => {
        const d = simulateDocument(SEED, offset + k);
        const body = d.components.filter((c) => c.fileName.endsWith('.docx')).map((c) => docxText(c.bytes)).join('\n');
        return [d.data.title, d.data.documentNumber ?? '', d.data.issuer.name, body];
      });
      fields.push(...batch);
      // The production column: title, 文号, issuer, body (migration 018).
      truth.push(...batch.map((f) => f.join('\n')));
      await pool.query(
        `INSERT INTO bench_docs (id, searchable, words, pairs)
         SELECT o - 1 + $1, t, to_tsvector('simple', t), to_tsvector('simple', p) FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(t, p, o)`,
        [offset, batch.map((f) => f.join('\n')), batch.map((f) => bigrams(f.join('\n')))],
      );
    }
    // Copy k of document id is id + k × DOCUMENTS: the truth of a copy is its original's.
    await pool.query(`INSERT INTO bench_docs SELECT id + k * $1, searchable, words, pairs FROM bench_docs, generate_series(1, $2 - 1) AS k`, [DOCUMENTS, COPIES]);
    console.log(`${DOCUMENTS} simulated documents (${fields.filter((f) => f[3]).length} with body text) loaded ${COPIES}× (${DOCUMENTS * COPIES} rows) in ${Math.round(performance.now() - started)} ms`);
    await pool.query('CREATE INDEX ON bench_docs USING gin (searchable gin_trgm_ops)');
    await pool.query('CREATE INDEX ON bench_docs USING gin (words)');
    await pool.query('CREATE INDEX ON bench_docs USING gin (pairs)');
    await pool.query('ANALYZE bench_docs');
    const sizes = await pool.query<{ name: string; size: string }>(`SELECT indexrelid::regclass::text AS name, pg_size_pretty(pg_relation_size(indexrelid)) AS size FROM pg_index WHERE indrelid = 'bench_docs'::regclass AND indexrelid::regclass::text <> 'bench_docs_pkey'`);
    console.log(`index sizes: ${sizes.rows.map((r) => `${r.name} ${r.size}`).join(', ')}`);

    const methods: { name: string; sql: string; arg: (q: string) => string }[] = [
      { name: 'trgm ILIKE', sql: `SELECT id FROM bench_docs WHERE searchable ILIKE $1`, arg: (q) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
      { name: 'trgm word_similarity', sql: `SELECT id FROM bench_docs WHERE $1 <% searchable`, arg: (q) => q },
      { name: 'FTS simple', sql: `SELECT id FROM bench_docs WHERE words @@ plainto_tsquery('simple', $1)`, arg: (q) => q },
      { name: 'FTS simple, bigrams', sql: `SELECT id FROM bench_docs WHERE pairs @@ to_tsquery('simple', $1)`, arg: bigramPhrase },
    ];
    const rows: string[][] = [];
    const totals = new Map(methods.map((m) => [m.name, { tp: 0, fp: 0, fn: 0, ms: [] as number[] }]));
    for (const q of QUERIES) {
      const has = (text: string) => text.toLowerCase().includes(q.toLowerCase());
      const matching = truth.flatMap((t, id) => (has(t) ? [id] : []));
      const expected = new Set(matching.flatMap((id) => Array.from({ length: COPIES }, (_, k) => id + k * DOCUMENTS)));
      const from = FIELDS.filter((_, i) => matching.some((id) => has(fields[id]![i]!))).join(', ');
      const row = [q, String([...q].length), from, String(expected.size)];
      for (const m of methods) {
        const times: number[] = [];
        let found = new Set<number>();
        for (let r = 0; r < RUNS; r++) {
          const t0 = performance.now();
          const result = await pool.query<{ id: number }>(m.sql, [m.arg(q)]);
          times.push(performance.now() - t0);
          found = new Set(result.rows.map((x) => x.id));
        }
        const tp = [...found].filter((id) => expected.has(id)).length;
        const total = totals.get(m.name)!;
        total.tp += tp;
        total.fp += found.size - tp;
        total.fn += expected.size - tp;
        total.ms.push(median(times));
        const recall = expected.size ? tp / expected.size : 1;
        const precision = found.size ? tp / found.size : expected.size ? 0 : 1;
        row.push(`${(recall * 100).toFixed(0)}% / ${(precision * 100).toFixed(0)}% / ${median(times).toFixed(1)} ms`);
      }
      rows.push(row);
    }
    console.log(`\n| query | chars | from | relevant | ${methods.map((m) => `${m.name}: recall / precision / median`).join(' | ')} |`);
    console.log(`|---|---|---|---|${methods.map(() => '---').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\noverall (micro-averaged over ${QUERIES.length} queries, ${RUNS} runs each):`);
    for (const [name, t] of totals) {
      console.log(`  ${name}: recall ${((t.tp / (t.tp + t.fn)) * 100).toFixed(1)}%, precision ${(t.tp + t.fp ? (t.tp / (t.tp + t.fp)) * 100 : 100).toFixed(1)}%, median of query medians ${median(t.ms).toFixed(1)} ms, slowest ${Math.max(...t.ms).toFixed(1)} ms`);
    }
    for (const q of ['档案', '办公会议']) {
      const plan = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE SELECT id FROM bench_docs WHERE searchable ILIKE $1`, [`%${q}%`]);
      console.log(`\nEXPLAIN ANALYZE … ILIKE '%${q}%':\n  ${plan.rows.map((r) => r['QUERY PLAN']).join('\n  ')}`);
    }
    await realExtraction(Number(values['real-extraction']));
  } finally {
    await db.drop();
  }
}

/** N DOCX components through LibreOffice (PDF/A-2b) and Ghostscript txtwrite: is every paragraph in the extracted text? */
async function realExtraction(count: number): Promise<void> {
  if (count <= 0) return;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-search-'));
  try {
    console.log(`\nreal extraction, ${count} DOCX → LibreOffice PDF/A-2b → gs txtwrite:`);
    let done = 0;
    for (let index = 0; done < count && index < 200; index++) {
      const docx = simulateDocument(SEED, index).components.find((c) => c.fileName.endsWith('.docx'));
      if (!docx) continue;
      const input = path.join(dir, `${index}.docx`);
      await writeFile(input, docx.bytes);
      await promisify(execFile)('soffice', [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--norestore', '--convert-to', 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}', '--outdir', dir, input], { timeout: 120_000 });
      const t0 = performance.now();
      const { text } = await extractPdfText(path.join(dir, `${index}.pdf`));
      const paragraphs = docxText(docx.bytes).split('\n');
      const missing = paragraphs.filter((p) => !text.replace(/\s/g, '').includes(p.replace(/\s/g, '')));
      console.log(`  ${docx.fileName}: ${text.length} characters in ${Math.round(performance.now() - t0)} ms; ${paragraphs.length - missing.length}/${paragraphs.length} paragraphs found${missing.length ? ` (missing: ${missing.join(' | ')})` : ''}`);
      done++;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
