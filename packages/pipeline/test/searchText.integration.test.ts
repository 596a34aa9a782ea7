import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractedTextOf, searchDocuments, type PreservationCopyRecord } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor } from '@oa-archive/catalog/testing';
import { ingestIdOf, ingestKeyOf } from '@oa-archive/contracts';
import { ConversionTimeoutError, extractPdfText, htmlToPdfA } from '@oa-archive/convert';
import { minimalPdf } from '@oa-archive/aip/testing';
import { ObjectStore } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { testLogger } from '@oa-archive/testing';
import type { PipelineSettings } from '../src/context.ts';
import { extractSearchText } from '../src/searchText.ts';

/**
 * Text for search, as convert extracts it: a PDF/A made by LibreOffice with Chinese text (read from
 * scratch, where convert leaves it), a blank PDF/A kept as its own copy (read from the real S3
 * staging bucket), a photo, a component without a copy and a file Ghostscript cannot read; the
 * catalog then finds the document by a word of its text alone.
 */
const SLOW = 180_000;
const SENTENCE = '会议议定由信息中心负责防汛应急演练期间的通信保障工作。';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let root: string;
let store: ObjectStore;
let staging: string;
let chinesePdf: string;

beforeAll(async () => {
  db = await createTestCatalog();
  root = await mkdtemp(path.join(tmpdir(), 'search-text-'));
  const { s3, buckets } = await createTestBuckets('search-text');
  staging = buckets[0]!;
  store = new ObjectStore(s3);
  chinesePdf = path.join(root, '1.pdf');
  await writeFile(chinesePdf, await htmlToPdfA(`<html><head><meta charset="utf-8"><title>纪要</title></head><body><h1>办公会议纪要</h1><p>${SENTENCE}</p></body></html>`));
}, SLOW);
afterAll(async () => {
  await db?.drop();
  await rm(root, { recursive: true, force: true });
});

const digest = (bytes: Buffer, alg: string) => createHash(alg).update(bytes).digest('hex');

function copyRecord(ordinal: number, bytes: Buffer, over: Partial<PreservationCopyRecord>): PreservationCopyRecord {
  return { ordinal, action: 'convert', target: 'PDF/A-2b', stagingKey: `ingests/search-text/preservation/${ordinal}.pdf`, fileName: `${ordinal}.pdf`, size: bytes.length, sha256: digest(bytes, 'sha256'), sm3: digest(bytes, 'sm3'), formatName: 'PDF/A-2b', puid: 'fmt/476', technical: {}, findings: [], archiveKey: null, ...over };
}

describe('text of the preservation copies for search', () => {
  it('reads Chinese text from a LibreOffice PDF/A, bounded in characters', { timeout: SLOW }, async () => {
    const { text, truncated } = await extractPdfText(chinesePdf);
    expect(text.replace(/\s/g, '')).toContain(SENTENCE);
    expect(truncated).toBe(false);
    const bounded = await extractPdfText(chinesePdf, { limits: { maxChars: 6, maxPages: 10, timeoutMs: 30_000 } });
    expect(bounded).toEqual({ text: text.slice(0, 6), truncated: true });
    // Ghostscript stopped at its time limit, its process group killed: the caller gets the tool's timeout error.
    await expect(extractPdfText(chinesePdf, { limits: { maxChars: 100, maxPages: 10, timeoutMs: 1 } })).rejects.toBeInstanceOf(ConversionTimeoutError);
  });

  it('records the text and, for every component without text, why; the document is found by a word of its text only', { timeout: SLOW }, async () => {
    const event = exampleEventFor('SEARCH-TEXT-1');
    const ingestId = ingestIdOf(ingestKeyOf(event));
    await db.catalog.recordIngest(ingestId, event);

    const blank = minimalPdf({ pdfa: true });
    const blankCopy = copyRecord(2, blank, { action: 'keep', target: null });
    await store.putStream({ bucket: staging, key: blankCopy.stagingKey, body: Readable.from([blank]) });
    const broken = Buffer.from('%PDF-1.7\nthis is not a PDF body at all\n');
    const brokenFile = path.join(root, '5.pdf');
    await writeFile(brokenFile, broken);
    const chineseBytes = await readFile(chinesePdf);
    const photo = Buffer.from('not read');

    const extraction = await extractSearchText({
      deps: { catalog: db.catalog, store, settings: { stagingBucket: staging, scratchDir: root } as PipelineSettings, cache: undefined },
      ingestId,
      components: [{ ordinal: 5 }, { ordinal: 4 }, { ordinal: 3 }, { ordinal: 2 }, { ordinal: 1 }],
      copies: [
        copyRecord(1, chineseBytes, {}),
        blankCopy,
        copyRecord(3, photo, { action: 'keep', target: null, formatName: 'JPEG', fileName: '3.jpg' }),
        copyRecord(5, broken, {}),
      ],
      onDisk: new Map([
        [1, chinesePdf],
        [5, brokenFile],
      ]),
      dir: root,
      log: testLogger(),
    });

    expect(extraction.map((e) => [e.ordinal, e.outcome, e.source])).toEqual([
      [1, 'extracted', 'preservation'],
      [2, 'empty', 'original'],
      [3, 'not-text', 'original'],
      [4, 'not-text', null],
      [5, 'failed', 'preservation'],
    ]);
    expect(extraction[0]!.chars).toBeGreaterThanOrEqual(SENTENCE.length);
    for (const e of extraction.slice(1)) expect(e.reason).toBeTruthy();
    expect(extraction[4]!.reason).toMatch(/^ghostscript: could not read the PDF: .*Error/);

    const stored = await extractedTextOf(db.catalog.pool, ingestId);
    expect(stored?.body.replace(/\s/g, '')).toContain(SENTENCE);
    expect(stored?.extraction).toEqual(extraction);
    const hits = await searchDocuments(db.catalog.pool, { q: '通信保障' });
    expect(hits.map((h) => [h.ingestId, h.matchedIn])).toEqual([[ingestId, ['body']]]);
    expect(hits[0]!.snippet).toContain('通信保障');
  });
});
