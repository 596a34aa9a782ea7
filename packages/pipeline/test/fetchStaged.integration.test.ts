import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog, exampleEventFor } from '@oa-archive/catalog/testing';
import { loadConfig, oaSourcesEnv } from '@oa-archive/config';
import { ObjectStore } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { testLogger } from '@oa-archive/testing';
import { FetchRefusedError, StagedObjectMissingError, type PipelineDeps } from '../src/index.ts';
import { componentUrlRefusal, fetchStage } from '../src/stages/fetch.ts';

/**
 * Components at `s3://` URLs (files the gateway staged from a package drop), against real PostgreSQL
 * and S3: read from the store only under the source's allowedS3Prefixes, streamed into the ingest's
 * staging key with their digests; anything else refused without a read.
 */
const BODY = Buffer.from('%PDF-1.7 a file from a package drop');
const SHA256 = createHash('sha256').update(BODY).digest('hex');

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let store: ObjectStore;
let staging: string;
let other: string;
let n = 0;

const sourcesOf = (spec: object) => loadConfig(oaSourcesEnv, { OA_SOURCES: JSON.stringify({ 'oa-drop': spec }) }).OA_SOURCES;

async function runFetch(sources: PipelineDeps['settings']['sources'], url: string) {
  const ingestId = `ing_staged_${++n}`;
  const event = exampleEventFor(`STAGED-${n}`);
  event.data.components = [{ ...event.data.components[0]!, url, size: BODY.length, sha256: SHA256 }];
  await db.catalog.recordIngest(ingestId, { ...event, source: 'oa-drop' });
  const ingest = (await db.catalog.getIngest(ingestId))!;
  const deps = { catalog: db.catalog, store, logger: testLogger(), settings: { stagingBucket: staging, sources, fetch: { maxBytes: 1024 * 1024, timeoutMs: 10_000 } } } as unknown as PipelineDeps;
  const outcome = await fetchStage({ ingest, deps, log: deps.logger, attempt: 1 }).then(
    (result) => ({ ok: true as const, result }),
    (error: Error) => ({ ok: false as const, error }),
  );
  const [component] = await db.catalog.listComponents(ingestId);
  return { outcome, component: component! };
}

beforeAll(async () => {
  db = await createTestCatalog();
  const { s3, buckets } = await createTestBuckets('staged-staging', 'staged-other');
  store = new ObjectStore(s3);
  [staging, other] = buckets as [string, string];
  for (const bucket of [staging, other]) await store.putStream({ bucket, key: 'oa-packages/oa-drop/sha256/abc', body: Readable.from([BODY]) });
  await store.putStream({ bucket: staging, key: 'oa-packages/oa-other/sha256/abc', body: Readable.from([BODY]) });
});

afterAll(async () => {
  store?.s3.destroy();
  await db?.drop();
});

describe('fetching a staged package file', () => {
  it('streams an object under the source prefix into staging, with its digests', async () => {
    const sources = sourcesOf({ allowedS3Prefixes: [`s3://${staging}/oa-packages/oa-drop/`] });
    const { outcome, component } = await runFetch(sources, `s3://${staging}/oa-packages/oa-drop/sha256/abc`);
    expect(outcome.ok).toBe(true);
    expect(component).toMatchObject({ size: BODY.length, sha256: SHA256 });
    expect(await store.digestOf(staging, component.stagingKey!)).toMatchObject({ size: BODY.length, sha256: SHA256 });
  });

  it.each([
    ['another source’s prefix', (s: string) => `s3://${s}/oa-packages/oa-other/sha256/abc`],
    ['another bucket', () => `s3://${other}/oa-packages/oa-drop/sha256/abc`],
    ['a path that climbs out of the prefix', (s: string) => `s3://${s}/oa-packages/oa-drop/../oa-other/sha256/abc`],
  ])('refuses %s without reading it', async (_what, url) => {
    const sources = sourcesOf({ allowedS3Prefixes: [`s3://${staging}/oa-packages/oa-drop/`] });
    const { outcome, component } = await runFetch(sources, url(staging));
    expect(outcome.ok || outcome.error).toBeInstanceOf(FetchRefusedError);
    expect(component.stagingKey).toBeNull();
  });

  it('refuses s3 URLs for a source that only lists HTTP origins', async () => {
    const { outcome } = await runFetch(sourcesOf({ allowedOrigins: ['https://oa.example.org'] }), `s3://${staging}/oa-packages/oa-drop/sha256/abc`);
    expect(outcome.ok || outcome.error).toBeInstanceOf(FetchRefusedError);
    expect(outcome.ok ? '' : outcome.error.message).toMatch(/allowedS3Prefixes.*it has none/);
  });

  it('fails without retry when the staged object is gone', async () => {
    const sources = sourcesOf({ allowedS3Prefixes: [`s3://${staging}/oa-packages/oa-drop/`] });
    const { outcome } = await runFetch(sources, `s3://${staging}/oa-packages/oa-drop/sha256/missing`);
    expect(outcome.ok || outcome.error).toBeInstanceOf(StagedObjectMissingError);
    expect(outcome.ok || (outcome.error as StagedObjectMissingError).retryable).toBe(false);
  });
});

describe('s3 URL check (pure)', () => {
  const source = sourcesOf({ allowedS3Prefixes: ['s3://oa-staging/oa-packages/oa-drop/'], allowedOrigins: ['https://oa.example.org'] })['oa-drop']!;
  it.each([
    ['s3://oa-staging/oa-packages/oa-drop/sha256/ab', true],
    ['s3://oa-staging/oa-packages/oa-drop-evil/sha256/ab', false],
    ['s3://oa-staging/oa-packages/oa-drop/%2e%2e/x', false],
    ['s3://oa-staging/oa-packages/oa-drop/x?versionId=1', false],
    ['s3://user:pw@oa-staging/oa-packages/oa-drop/x', false],
    ['s3://oa-archive/oa-packages/oa-drop/x', false],
    ['https://oa.example.org/files/1', true],
  ])('%s', (url, allowed) => {
    expect(componentUrlRefusal('oa-drop', source, new URL(url)) === undefined).toBe(allowed);
  });
});
