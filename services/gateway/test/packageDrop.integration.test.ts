import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayPackageOf, gatewaySubmissionOf } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { parseDocumentFinalized, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { listKeys, ObjectStore } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { readTopic, testKafka, testLogger, uniqueName, waitFor } from '@oa-archive/testing';
import { loadGatewayConfig, startGateway, type GatewayProcess } from '../src/index.ts';
import { writeSourcesFile } from './support/gateway.ts';
import { recordsOn } from './support/kafka.ts';
import { documentFiles, dropToDirectory, dropToS3, eepPackage, eepXml, folderPackage, type TestPackage } from './support/packages.ts';

/**
 * Package drops against real S3 (S3Proxy), a real directory, PostgreSQL and Kafka, through two
 * gateways watching the same drops: each package ends in done/ (published once, its files staged where
 * the event's s3:// URLs say) or in rejected/ with every reason, and no package is handled twice.
 */

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let s3: S3Client;
let store: ObjectStore;
let staging: string;
let dropbox: string;
let directory: string;
let topic: string;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  db = await createTestCatalog();
  const created = await createTestBuckets('pkg-staging', 'pkg-dropbox');
  s3 = created.s3;
  [staging, dropbox] = created.buckets as [string, string];
  store = new ObjectStore(s3);
  directory = mkdtempSync(path.join(tmpdir(), 'gateway-drop-'));
  topic = uniqueName('gateway-packages');
  const drop = (where: string) => `{ ${where}, pollMs: 100, settleMs: 2000, leaseMs: 60000 }`;
  const sourcesFile = writeSourcesFile(`sources:
  pkg-json:
    mapping: mappings/package-json.yaml
    packageDrop: ${drop(`s3: { bucket: ${dropbox}, prefix: pkg-json/ }`)}
  pkg-eep:
    mapping: mappings/eep.yaml
    packageDrop: ${drop(`s3: { bucket: ${dropbox}, prefix: pkg-eep/ }`)}
  pkg-dir:
    mapping: mappings/package-json.yaml
    packageDrop: ${drop(`directory: '${directory}'`)}
`);
  const prefixes = (id: string) => ({ allowedS3Prefixes: [`s3://${staging}/oa-packages/${id}/`] });
  const env = {
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: topic,
    GATEWAY_PORT: '0',
    GATEWAY_SOURCES_FILE: sourcesFile,
    S3_STAGING_BUCKET: staging,
    OA_SOURCES: JSON.stringify({ 'pkg-json': prefixes('pkg-json'), 'pkg-eep': prefixes('pkg-eep'), 'pkg-dir': prefixes('pkg-dir') }),
  };
  // Two gateways on the same drops and catalog: the claims keep them off each other's packages.
  for (const id of ['gw-a', 'gw-b']) gateways.push(await startGateway(loadGatewayConfig({ ...env, GATEWAY_POLLER_ID: id }), testLogger()));
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  s3?.destroy();
  await db?.drop();
});

async function keys(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const key of listKeys(s3, dropbox, prefix)) found.push(key);
  return found;
}

async function object(key: string): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand({ Bucket: dropbox, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

/** Waits until the package has left incoming/ and its notes are in done/ or rejected/; returns the folder. */
async function settled(source: string, pkg: TestPackage, area: 'done' | 'rejected', folder = pkg.kind === 'folder' ? pkg.name : pkg.name.replace(/\.xml$/, '')): Promise<string[]> {
  const note = area === 'done' ? 'receipt.json' : 'reason.json';
  return waitFor(
    async () => {
      const left = await keys(`${source}/incoming/${pkg.name}`);
      const moved = await keys(`${source}/${area}/${folder}/`);
      return left.length === 0 && moved.includes(`${source}/${area}/${folder}/${note}`) ? moved : undefined;
    },
    { timeoutMs: 30_000, what: `${pkg.name} in ${area}/` },
  );
}

async function eventsFor(documentIds: string[]): Promise<DocumentFinalizedEvent[]> {
  const messages = await readTopic(testKafka(), topic, await recordsOn(topic));
  return messages
    .map((m) => parseDocumentFinalized({ value: Buffer.from(m.value), headers: m.headers }))
    .flatMap((p) => (p.ok ? [p.event] : []))
    .filter((e) => documentIds.includes(e.data.documentId));
}

describe('a valid folder package in S3', () => {
  const pkg = folderPackage('PKG-FOLDER-1');

  it('is published once, with its files staged where the event points, and moved to done/ with a receipt', async () => {
    await dropToS3(s3, dropbox, 'pkg-json/', pkg);
    const moved = await settled('pkg-json', pkg, 'done');
    expect(moved.sort()).toEqual(['files/1-PKG-FOLDER-1 正文.pdf', 'files/2-附件1：说明.txt', 'metadata.json', 'receipt.json'].map((f) => `pkg-json/done/PKG-FOLDER-1/${f}`).sort());
    const receipt = JSON.parse((await object('pkg-json/done/PKG-FOLDER-1/receipt.json')).toString());
    expect(receipt).toMatchObject({ source: 'pkg-json', outcome: 'accepted', documentId: 'PKG-FOLDER-1', version: 1, unreferenced: [] });

    const [event] = await waitFor(async () => ((await eventsFor(['PKG-FOLDER-1'])).length === 1 ? eventsFor(['PKG-FOLDER-1']) : undefined), { what: 'the event' });
    expect(event!.source).toBe('pkg-json');
    const expected = documentFiles('PKG-FOLDER-1');
    expect(event!.data.components.map((c) => [c.role, c.fileName, c.size])).toEqual(expected.map((f) => [f.role, f.name, f.bytes.length]));
    for (const [index, component] of event!.data.components.entries()) {
      const url = new URL(component.url);
      expect(url.href.startsWith(`s3://${staging}/oa-packages/pkg-json/sha256/`)).toBe(true);
      expect(await store.digestOf(url.hostname, url.pathname.slice(1))).toMatchObject({ size: expected[index]!.bytes.length, sha256: component.sha256 });
    }
    expect(await gatewaySubmissionOf(db.catalog.pool, { source: 'pkg-json', documentId: 'PKG-FOLDER-1', version: 1 })).toMatchObject({ channel: 'package', ingestId: receipt.ingestId });
    expect(await gatewayPackageOf(db.catalog.pool, 'pkg-json', 'PKG-FOLDER-1')).toMatchObject({ state: 'done', ingestId: receipt.ingestId, movedTo: `s3://${dropbox}/pkg-json/done/PKG-FOLDER-1/` });
  });

  it('dropped again, is a duplicate: moved to done/~2, nothing published again', async () => {
    const before = await recordsOn(topic);
    await dropToS3(s3, dropbox, 'pkg-json/', pkg);
    await settled('pkg-json', pkg, 'done', 'PKG-FOLDER-1~2');
    expect(JSON.parse((await object('pkg-json/done/PKG-FOLDER-1~2/receipt.json')).toString())).toMatchObject({ outcome: 'duplicate' });
    expect(await recordsOn(topic)).toBe(before);
  });
});

describe('a valid EEP package', () => {
  it('with its files embedded in base64, is published and moved to done/', async () => {
    const pkg = eepPackage('PKG-EEP-1');
    await dropToS3(s3, dropbox, 'pkg-eep/', pkg);
    const moved = await settled('pkg-eep', pkg, 'done');
    expect(moved.sort()).toEqual(['pkg-eep/done/PKG-EEP-1/PKG-EEP-1.xml', 'pkg-eep/done/PKG-EEP-1/receipt.json']);
    const [event] = await waitFor(async () => ((await eventsFor(['PKG-EEP-1'])).length === 1 ? eventsFor(['PKG-EEP-1']) : undefined), { what: 'the EEP event' });
    expect(event!.data).toMatchObject({ documentId: 'PKG-EEP-1', title: '关于PKG-EEP-1的通知', departmentCode: 'CWK', securityLevel: '公开', workflow: { id: 'WF-PKG-EEP-1', type: '发文' } });
    const expected = documentFiles('PKG-EEP-1');
    for (const [index, component] of event!.data.components.entries()) {
      const url = new URL(component.url);
      expect(await store.digestOf(url.hostname, url.pathname.slice(1))).toMatchObject({ size: expected[index]!.bytes.length, sha256: component.sha256 });
    }
  });

  it('in a folder, with its files referenced beside the XML, is published too', async () => {
    const files = documentFiles('PKG-EEP-2');
    // A folder package of this source names its metadata metadata.xml (the mapping reads XML): here, the EEP.
    const pkg: TestPackage = { name: 'PKG-EEP-2', kind: 'folder', files: [...files.map((f, i) => ({ path: `files/${i + 1}.bin`, bytes: f.bytes })), { path: 'metadata.xml', bytes: Buffer.from(eepXml('PKG-EEP-2', { referenced: true })) }] };
    await dropToS3(s3, dropbox, 'pkg-eep/', pkg);
    await settled('pkg-eep', pkg, 'done');
    expect(await eventsFor(['PKG-EEP-2'])).toHaveLength(1);
  });
});

describe('rejected packages', () => {
  const reasonOf = async (source: string, folder: string) => ({
    json: JSON.parse((await object(`${source}/rejected/${folder}/reason.json`)).toString()) as { summary: string; problems: { code: string; file?: string; message: string }[] },
    text: (await object(`${source}/rejected/${folder}/reason.txt`)).toString(),
  });

  it('a package missing a file: rejected/ names the file', async () => {
    const pkg = folderPackage('PKG-MISSING-1', { tamper: (_m, files) => files.splice(1, 1) });
    await dropToS3(s3, dropbox, 'pkg-json/', pkg);
    const moved = await settled('pkg-json', pkg, 'rejected');
    expect(moved).toContain('pkg-json/rejected/PKG-MISSING-1/metadata.json');
    const reason = await reasonOf('pkg-json', 'PKG-MISSING-1');
    expect(reason.json.problems).toEqual([expect.objectContaining({ code: 'file-missing', file: 'files/2-附件1：说明.txt' })]);
    expect(reason.text).toContain('[file-missing] files/2-附件1：说明.txt');
    expect(await gatewayPackageOf(db.catalog.pool, 'pkg-json', 'PKG-MISSING-1')).toMatchObject({ state: 'rejected', documentId: 'PKG-MISSING-1' });
  });

  it('a file whose digest is not the declared one: digest-mismatch, nothing published', async () => {
    const pkg = folderPackage('PKG-DIGEST-1', { tamper: (_m, files) => (files[0]!.bytes = Buffer.from(files[0]!.bytes.toString().replace('PKG-DIGEST-1', 'PKG-DIGEST-X'))) });
    await dropToS3(s3, dropbox, 'pkg-json/', pkg);
    await settled('pkg-json', pkg, 'rejected');
    const reason = await reasonOf('pkg-json', 'PKG-DIGEST-1');
    expect(reason.json.problems).toEqual([expect.objectContaining({ code: 'digest-mismatch', file: 'files/1-PKG-DIGEST-1 正文.pdf', message: expect.stringMatching(/declared MD5 [0-9a-f]{32}, computed [0-9a-f]{32}/) })]);
    expect(await gatewaySubmissionOf(db.catalog.pool, { source: 'pkg-json', documentId: 'PKG-DIGEST-1', version: 1 })).toBeUndefined();
  });

  it('malformed XML: unreadable-metadata with the line', async () => {
    const pkg = eepPackage('PKG-BADXML-1', eepXml('PKG-BADXML-1').replace('</题名>', '</标题>'));
    await dropToS3(s3, dropbox, 'pkg-eep/', pkg);
    await settled('pkg-eep', pkg, 'rejected');
    const reason = await reasonOf('pkg-eep', 'PKG-BADXML-1');
    expect(reason.json.problems).toEqual([expect.objectContaining({ code: 'unreadable-metadata', file: 'PKG-BADXML-1.xml', message: expect.stringMatching(/not well-formed XML: line \d+/) })]);
  });

  it('a path that leaves the package: unsafe-path, and the file outside is never read', async () => {
    const pkg = folderPackage('PKG-PATH-1', {
      tamper: (m) => ((m.公文 as { files: { path: string }[] }).files[0]!.path = '../PKG-FOLDER-1/metadata.json'),
    });
    await dropToS3(s3, dropbox, 'pkg-json/', pkg);
    await settled('pkg-json', pkg, 'rejected');
    expect((await reasonOf('pkg-json', 'PKG-PATH-1')).json.problems).toEqual([expect.objectContaining({ code: 'unsafe-path', file: '../PKG-FOLDER-1/metadata.json' })]);
  });

  it('a document the contract refuses: every field named, before any file is staged', async () => {
    const pkg = folderPackage('PKG-INVALID-1', { tamper: (m) => Object.assign(m.公文 as object, { 标题: '', 办结时间: '昨天' }) });
    await dropToS3(s3, dropbox, 'pkg-json/', pkg);
    await settled('pkg-json', pkg, 'rejected');
    const problems = (await reasonOf('pkg-json', 'PKG-INVALID-1')).json.problems;
    expect(problems.map((p) => p.code)).toEqual(['invalid-document', 'invalid-document']);
    expect(problems.map((p) => p.message).join('\n')).toMatch(/dates\.finalized \(办结时间\)[\s\S]*title \(标题\)|title \(标题\)[\s\S]*dates\.finalized \(办结时间\)/);
  });
});

describe('a directory drop', () => {
  it('moves a valid package to done/ and a broken one to rejected/ with the reasons', async () => {
    const good = folderPackage('PKG-DIR-1');
    const bad = folderPackage('PKG-DIR-2', { tamper: (_m, files) => (files[1]!.bytes = Buffer.concat([files[1]!.bytes, Buffer.from('!')])) });
    await dropToDirectory(directory, good);
    await dropToDirectory(directory, bad);
    await waitFor(async () => (await readdir(path.join(directory, 'incoming'))).length === 0, { timeoutMs: 30_000, what: 'incoming/ to empty' });
    expect((await readdir(path.join(directory, 'done', 'PKG-DIR-1'))).sort()).toEqual(['files', 'metadata.json', 'receipt.json']);
    const reason = JSON.parse(await readFile(path.join(directory, 'rejected', 'PKG-DIR-2', 'reason.json'), 'utf8')) as { problems: { code: string }[] };
    expect(reason.problems.map((p) => p.code)).toEqual(['size-mismatch']);
    expect(await eventsFor(['PKG-DIR-1', 'PKG-DIR-2'])).toHaveLength(1);
  });
});

describe('the example of docs/oa-integration.md', () => {
  it('runs as written: the shell-made package is published and moved to done/', async () => {
    const doc = readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'docs', 'oa-integration.md'), 'utf8');
    const script = /<!-- example:package-drop -->\n```sh\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(script).toBeDefined();
    execFileSync('bash', ['-euo', 'pipefail', '-c', script!], { env: { ...process.env, DROP: directory, PKG: 'DOC-EXAMPLE-1' } });
    await waitFor(async () => (await readdir(path.join(directory, 'done', 'DOC-EXAMPLE-1')).catch((): string[] => [])).includes('receipt.json'), { timeoutMs: 30_000, what: 'the example package in done/' });
    const receipt = JSON.parse(await readFile(path.join(directory, 'done', 'DOC-EXAMPLE-1', 'receipt.json'), 'utf8'));
    expect(receipt).toMatchObject({ outcome: 'accepted', documentId: 'DOC-EXAMPLE-1', version: 1, unreferenced: [] });
    const [event] = await eventsFor(['DOC-EXAMPLE-1']);
    expect(event!.data).toMatchObject({ title: '关于做好2025年度档案移交工作的通知', departmentCode: 'BGS', components: [{ role: '正文', fileName: '关于做好2025年度档案移交工作的通知.pdf' }] });
  });
});

describe('two gateways on one drop', () => {
  it('publish each of many packages exactly once', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `PKG-MANY-${i + 1}`);
    await Promise.all(ids.map((id) => dropToS3(s3, dropbox, 'pkg-json/', folderPackage(id))));
    await waitFor(async () => (await keys('pkg-json/incoming/')).length === 0, { timeoutMs: 60_000, what: 'every package handled' });
    const done = new Set((await keys('pkg-json/done/')).filter((k) => k.endsWith('/receipt.json')).map((k) => k.split('/')[2]));
    for (const id of ids) expect(done).toContain(id);
    expect(await eventsFor(ids)).toHaveLength(ids.length);
    const claimedBy = new Set(await Promise.all(ids.map(async (id) => (await gatewayPackageOf(db.catalog.pool, 'pkg-json', id))!.claimedBy)));
    expect([...claimedBy].every((id) => id === 'gw-a' || id === 'gw-b')).toBe(true);
  });
});
