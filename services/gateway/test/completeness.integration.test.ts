import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitOnce } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { ingestIdOf, type IngestStatus } from '@oa-archive/contracts';
import { completenessReport, completenessTargetOf, CompletenessError, openMiddleTable, type CompletenessTarget } from '../src/index.ts';
import { writeSourcesFile } from './support/gateway.ts';
import { postgresOaDatabase, type OaDatabase } from './support/oaDatabase.ts';

/**
 * The completeness check against a real OA list endpoint (an HTTP server here, paging and all), a
 * real middle table in PostgreSQL and a real catalog: planted gaps are found, with the reason when the
 * gateway refused the document, and so are documents received but not final.
 */
const TOKEN = 'completeness-list-token-0123';
const SINCE = new Date('2025-03-01T00:00:00+08:00');
const UNTIL = new Date('2025-04-01T00:00:00+08:00');

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let oa: Server;
let listUrl = '';
const requests: { url: string; authorization: string | undefined }[] = [];
let table: OaDatabase;

/** The OA's finalized documents; two pages of three. */
const FINALIZED = ['C-FILED', 'C-REVIEW', 'C-ACCEPTED', 'C-GAP-1', 'C-FAILED', 'C-GAP-2'].map((documentId, i) => ({ documentId, version: 1, finalizedAt: `2025-03-${String(3 + i).padStart(2, '0')}T10:00:00+08:00`, departmentCode: 'BGS' }));

async function seed(source: string, documentId: string, status: IngestStatus | 'ACCEPTED', finalized = '2025-03-03T10:00:00+08:00') {
  const event = exampleEventFor(documentId);
  const data = { ...event.data, dates: { ...event.data.dates, finalized } };
  const ingestId = ingestIdOf({ source, documentId, version: 1 });
  if (status === 'ACCEPTED') {
    await submitOnce(db.catalog.pool, { source, documentId, version: 1, ingestId, eventId: `ev-${documentId}`, channel: 'push', contentSha256: 'x'.repeat(64), files: [], event: { ...event, data } as unknown as Record<string, unknown> }, async () => {});
    return;
  }
  await seedIngestAt(db.catalog, ingestId, { ...event, source, data }, { status });
}

beforeAll(async () => {
  db = await createTestCatalog();
  oa = createServer((request, response) => {
    requests.push({ url: request.url ?? '', authorization: request.headers.authorization });
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return void response.writeHead(401).end();
    const url = new URL(request.url ?? '/', 'http://oa');
    if (url.pathname === '/moved') return void response.writeHead(302, { location: 'http://elsewhere.invalid/list' }).end();
    const page = Number(url.searchParams.get('page') ?? '1');
    const next = page === 1 ? `/finalized?page=2&since=${url.searchParams.get('since')}&until=${url.searchParams.get('until')}` : undefined;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ documents: FINALIZED.slice((page - 1) * 3, page * 3), ...(next ? { next } : {}) }));
  });
  await new Promise<void>((resolve) => oa.listen(0, '127.0.0.1', resolve));
  listUrl = `http://127.0.0.1:${(oa.address() as AddressInfo).port}/finalized`;
  await seed('oa-list', 'C-FILED', 'FILED');
  await seed('oa-list', 'C-REVIEW', 'REVIEW');
  await seed('oa-list', 'C-ACCEPTED', 'ACCEPTED');
  await seed('oa-list', 'C-FAILED', 'FAILED');
  // The archive has it, finalized in the period; the OA's list does not.
  await seed('oa-list', 'C-UNLISTED', 'EXCLUDED', '2025-03-20T10:00:00+08:00');
  // Outside the period: not reported as unlisted.
  await seed('oa-list', 'C-EARLIER', 'FILED', '2025-02-20T10:00:00+08:00');

  table = await postgresOaDatabase();
  const middle = openMiddleTable({ driver: 'postgresql', url: table.url, table: table.table });
  await middle.create();
  await middle.close();
  await table.insert([
    { docId: 'T-FILED', payload: '{}', status: 'published' },
    { docId: 'T-REJECTED', payload: '{}', status: 'rejected' },
    { docId: 'T-WAITING', payload: '{}', status: 'ready' },
  ]);
  const client = new pg.Client({ connectionString: table.url });
  await client.connect();
  await client.query(`UPDATE ${table.table} SET result = $1 WHERE doc_id = 'T-REJECTED'`, ['the document does not meet the contract: title (标题): required']);
  await client.end();
  await seed('oa-table', 'T-FILED', 'FILED');
});

afterAll(async () => {
  oa?.close();
  await table?.drop();
  await db?.drop();
});

describe('completeness against an OA list endpoint', () => {
  it('reads every page with the source token and names the gaps, the documents not final and the unlisted', async () => {
    const target: CompletenessTarget = { id: 'oa-list', finalizedList: { url: listUrl, token: TOKEN, timeoutMs: 5000 } };
    const report = await completenessReport({ db: db.catalog.pool, target, since: SINCE, until: UNTIL, deadlineOf: (d) => new Date(new Date(d.finalizedAt!).getTime() + 7 * 86_400_000) });
    expect(requests.filter((r) => r.url.startsWith('/finalized')).map((r) => [new URL(r.url, 'http://oa').searchParams.get('page'), r.authorization])).toEqual([
      [null, `Bearer ${TOKEN}`],
      ['2', `Bearer ${TOKEN}`],
    ]);
    expect(report.counts).toEqual({ listed: 6, received: 4, final: 2, missing: 2, notFinal: 2, failed: 1, unlisted: 1 });
    expect(report.missing.map((d) => [d.documentId, d.overdue])).toEqual([
      ['C-GAP-1', true],
      ['C-GAP-2', true],
    ]);
    expect(report.notFinal.map((d) => [d.documentId, d.status])).toEqual([
      ['C-REVIEW', 'REVIEW'],
      ['C-ACCEPTED', 'ACCEPTED'],
    ]);
    expect(report.unlisted.map((d) => d.documentId)).toEqual(['C-UNLISTED']);
  });

  it('refuses to follow a redirect with the token', async () => {
    const target: CompletenessTarget = { id: 'oa-list', finalizedList: { url: listUrl.replace('/finalized', '/moved'), token: TOKEN, timeoutMs: 5000 } };
    await expect(completenessReport({ db: db.catalog.pool, target, since: SINCE, until: UNTIL })).rejects.toThrow(/redirected \(HTTP 302\); redirects are not followed/);
  });
});

describe('completeness against a middle table', () => {
  it('takes the table’s rows as the OA’s list, with the gateway’s reason for a rejected row', async () => {
    const target = await completenessTargetOf(
      writeSourcesFile(`sources:
  oa-table:
    mapping: mappings/oa-json-nested.yaml
    middleTable: { driver: postgresql, urlEnv: OA_TABLE_URL, table: ${table.table} }
`),
      'oa-table',
      { OA_TABLE_URL: table.url },
    );
    const report = await completenessReport({ db: db.catalog.pool, target, since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 3_600_000) });
    expect(report.listedBy).toMatch(/^postgresql .* table oa_archive_outbox$/);
    expect(report.counts).toMatchObject({ listed: 3, final: 1, missing: 2 });
    expect(report.missing).toEqual([
      expect.objectContaining({ documentId: 'T-REJECTED', refused: 'middle-table row rejected: the document does not meet the contract: title (标题): required' }),
      expect.objectContaining({ documentId: 'T-WAITING' }),
    ]);
  });

  it('says what is missing from the sources file when a source cannot be asked', async () => {
    const file = writeSourcesFile(`sources:
  oa-push:
    mapping: mappings/oa-json-nested.yaml
    bearer: [{ token: a-bearer-token-0123456789 }]
  oa-table:
    mapping: mappings/oa-json-nested.yaml
    middleTable: { driver: postgresql, urlEnv: OA_TABLE_URL, table: t }
`);
    const target = await completenessTargetOf(file, 'oa-push', {});
    await expect(completenessReport({ db: db.catalog.pool, target, since: SINCE, until: UNTIL })).rejects.toThrow(/neither a finalizedList nor a middleTable/);
    await expect(completenessTargetOf(file, 'oa-table', {})).rejects.toThrow(CompletenessError);
    await expect(completenessTargetOf(file, 'nobody', {})).rejects.toThrow(/no source nobody/);
  });
});
