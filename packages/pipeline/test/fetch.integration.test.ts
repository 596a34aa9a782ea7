import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog, exampleEventFor } from '@oa-archive/catalog/testing';
import { loadConfig, oaSourcesEnv } from '@oa-archive/config';
import { ObjectStore } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { testLogger } from '@oa-archive/testing';
import { FetchRefusedError, type PipelineDeps } from '../src/index.ts';
import { componentUrlRefusal, fetchStage } from '../src/stages/fetch.ts';

/**
 * The fetch stage against real local HTTP servers, PostgreSQL and S3: which origins it contacts,
 * when it presents the source's token, and that it follows no redirect.
 */
const TOKEN = 'fetch-test-token';
const BODY = Buffer.from('%PDF-1.7 component bytes');

interface Seen { url: string; authorization: string | undefined }
async function oaServer(redirectTo?: () => string): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', authorization: (request.headers as IncomingHttpHeaders).authorization });
    if (request.url === '/files/elsewhere' && redirectTo) return void response.writeHead(302, { location: redirectTo() }).end();
    if (request.url === '/files/here') return void response.writeHead(302, { location: '/files/ok' }).end();
    response.writeHead(200, { 'content-type': 'application/pdf', 'content-length': BODY.length }).end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let store: ObjectStore;
let stagingBucket: string;
let oa: Awaited<ReturnType<typeof oaServer>>;
let other: Awaited<ReturnType<typeof oaServer>>;
let n = 0;

const sourcesOf = (spec: object) => loadConfig(oaSourcesEnv, { OA_SOURCES: JSON.stringify({ 'oa-simulator': spec }) }).OA_SOURCES;

function depsWith(sources: PipelineDeps['settings']['sources']): PipelineDeps {
  // fetch reads the catalog, the store and these settings; nothing else of the pipeline is touched.
  return {
    catalog: db.catalog,
    store,
    logger: testLogger(),
    settings: { stagingBucket, sources, fetch: { maxBytes: 1024 * 1024, timeoutMs: 10_000 } },
  } as unknown as PipelineDeps;
}

async function runFetch(sources: PipelineDeps['settings']['sources'], url: string) {
  const documentId = `FETCH-${++n}`;
  const event = exampleEventFor(documentId);
  event.data.components = [{ ...event.data.components[0]!, url, size: BODY.length, sha256: undefined }];
  await db.catalog.recordIngest(`ing_fetch_${n}`, event);
  const ingest = (await db.catalog.getIngest(`ing_fetch_${n}`))!;
  const deps = depsWith(sources);
  const outcome = await fetchStage({ ingest, deps, log: deps.logger, attempt: 1 }).then(
    (result) => ({ ok: true as const, result }),
    (error: Error) => ({ ok: false as const, error }),
  );
  const [component] = await db.catalog.listComponents(ingest.ingestId);
  return { outcome, staged: component!.stagingKey };
}

beforeAll(async () => {
  db = await createTestCatalog();
  const { s3, buckets } = await createTestBuckets('fetch-staging');
  store = new ObjectStore(s3);
  stagingBucket = buckets[0]!;
  other = await oaServer();
  oa = await oaServer(() => `${other.origin}/files/ok`);
});

afterAll(async () => {
  oa?.server.close();
  other?.server.close();
  store?.s3.destroy();
  await db?.drop();
});

const clearSeen = () => {
  oa.seen.length = 0;
  other.seen.length = 0;
};

describe('fetch pins scheme, host and port per source', () => {
  it('fetches from an http origin the source lists explicitly, presenting its token', async () => {
    clearSeen();
    const { outcome, staged } = await runFetch(sourcesOf({ allowedOrigins: [oa.origin], token: TOKEN }), `${oa.origin}/files/ok`);
    expect(outcome.ok).toBe(true);
    expect(staged).not.toBeNull();
    expect(oa.seen).toEqual([{ url: '/files/ok', authorization: `Bearer ${TOKEN}` }]);
  });

  it('never sends the token over plain http to a host listed the old way (allowedHosts means https)', async () => {
    clearSeen();
    const { outcome, staged } = await runFetch(sourcesOf({ allowedHosts: [new URL(oa.origin).host], token: TOKEN }), `${oa.origin}/files/ok`);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toBeInstanceOf(FetchRefusedError);
      expect(outcome.error.message).toContain(`points at ${oa.origin}, which is not an allowed origin of source "oa-simulator" (allowed: ${oa.origin.replace('http:', 'https:')})`);
    }
    expect(oa.seen).toEqual([]);
    expect(staged).toBeNull();
  });

  it('refuses http where the source lists the same host and port with https only', async () => {
    clearSeen();
    const { outcome } = await runFetch(sourcesOf({ allowedOrigins: [oa.origin.replace('http:', 'https:')], token: TOKEN }), `${oa.origin}/files/ok`);
    expect(outcome.ok || outcome.error).toBeInstanceOf(FetchRefusedError);
    expect(oa.seen).toEqual([]);
  });

  it('refuses another port of the same host', async () => {
    clearSeen();
    const { outcome } = await runFetch(sourcesOf({ allowedOrigins: [oa.origin], token: TOKEN }), `${other.origin}/files/ok`);
    expect(outcome.ok || outcome.error).toBeInstanceOf(FetchRefusedError);
    expect([...oa.seen, ...other.seen]).toEqual([]);
  });

  it('refuses a redirect to another origin: nothing is requested there, nothing staged', async () => {
    clearSeen();
    const { outcome, staged } = await runFetch(sourcesOf({ allowedOrigins: [oa.origin, other.origin], token: TOKEN }), `${oa.origin}/files/elsewhere`);
    expect(outcome.ok || outcome.error).toBeInstanceOf(FetchRefusedError);
    expect(outcome.ok || outcome.error.message).toMatch(/redirects are not followed/);
    expect(oa.seen.map((s) => s.url)).toEqual(['/files/elsewhere']);
    expect(other.seen).toEqual([]);
    expect(staged).toBeNull();
  });

  it('follows no redirect within the origin either (it is the OA answering wrongly, not a path to guess)', async () => {
    clearSeen();
    const { outcome } = await runFetch(sourcesOf({ allowedOrigins: [oa.origin], token: TOKEN }), `${oa.origin}/files/here`);
    expect(outcome.ok || outcome.error).toBeInstanceOf(FetchRefusedError);
    expect(oa.seen.map((s) => s.url)).toEqual(['/files/here']);
  });

  it('refuses a URL carrying credentials of its own', async () => {
    clearSeen();
    const { outcome } = await runFetch(sourcesOf({ allowedOrigins: [oa.origin], token: TOKEN }), oa.origin.replace('http://', 'http://user:pw@') + '/files/ok');
    expect(outcome.ok || outcome.error).toBeInstanceOf(FetchRefusedError);
    expect(oa.seen).toEqual([]);
  });
});

describe('fetch records what it staged', () => {
  it('keeps the components staged before a failure, so the next attempt fetches only the rest', async () => {
    clearSeen();
    const documentId = `FETCH-${++n}`;
    const event = exampleEventFor(documentId);
    const first = event.data.components[0]!;
    event.data.components = [
      { ...first, url: `${oa.origin}/files/ok`, size: BODY.length, sha256: undefined },
      { ...first, fileName: 'second.pdf', url: `${oa.origin}/files/here`, size: BODY.length, sha256: undefined },
    ];
    const ingestId = `ing_fetch_${n}`;
    await db.catalog.recordIngest(ingestId, event);
    const ingest = (await db.catalog.getIngest(ingestId))!;
    const deps = depsWith(sourcesOf({ allowedOrigins: [oa.origin], token: TOKEN }));
    for (const attempt of [1, 2]) await expect(fetchStage({ ingest, deps, log: deps.logger, attempt })).rejects.toThrow(FetchRefusedError);
    const components = await db.catalog.listComponents(ingestId);
    expect(components.map((c) => [c.ordinal, c.stagingKey !== null, c.size, c.sha256 !== null])).toEqual([
      [1, true, BODY.length, true],
      [2, false, null, false],
    ]);
    // The first component once, the second (the one that fails) on each attempt.
    expect(oa.seen.map((s) => s.url)).toEqual(['/files/ok', '/files/here', '/files/here']);
  });
});

describe('component URL check (pure)', () => {
  const k8sExample = sourcesOf({ allowedHosts: ['oa.agency.internal:443'], token: 't' })['oa-simulator']!;
  const https = sourcesOf({ allowedOrigins: ['https://oa.agency.internal'] })['oa-simulator']!;
  it.each([
    [k8sExample, 'https://oa.agency.internal/files/1', true],
    [k8sExample, 'https://oa.agency.internal:443/files/1', true],
    [k8sExample, 'https://OA.AGENCY.INTERNAL/files/1', true],
    [k8sExample, 'http://oa.agency.internal/files/1', false],
    [k8sExample, 'http://oa.agency.internal:443/files/1', false],
    [https, 'https://oa.agency.internal:8443/files/1', false],
    [https, 'https://oa.agency.internal.evil.example/files/1', false],
    [https, 'https://evil.example/oa.agency.internal/files/1', false],
  ])('%#: %s', (source, url, allowed) => {
    expect(componentUrlRefusal('oa', source, new URL(url)) === undefined).toBe(allowed);
  });
});
