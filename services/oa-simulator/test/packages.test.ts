import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeMapped, LOCAL_SOURCES_FILE, loadMapping, readManifest, type Mapping } from '@oa-archive/gateway';
import { createFileServer, eepPackageOf, folderPackageOf, ledgerEntryOf, listen, MemoryLedger, simulateDocument } from '../src/index.ts';

/**
 * The simulator's packages read back with the gateway's own mappings (package-json.yaml, eep.yaml):
 * every file found, every declared size and digest true, and the document one the contract accepts.
 * And the OA's list of what it finalized, GET /finalized, behind the token.
 */
const MAPPINGS = path.join(path.dirname(LOCAL_SOURCES_FILE), 'mappings');
const documents = Array.from({ length: 12 }, (_, i) => simulateDocument(11, i + 1));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const origins = { allowedOrigins: [], allowedS3Prefixes: ['s3://staging/oa-packages/oa-sim-drop/'] };

function judged(mapping: Mapping, pkg: ReturnType<typeof folderPackageOf>, metadataPath: string) {
  const files = pkg.files.map((f) => ({ path: f.path, size: f.bytes.length, modifiedAt: new Date() }));
  const metadata = pkg.files.find((f) => f.path === metadataPath)!.bytes;
  const manifest = readManifest({ mapping, metadata, metadataPath, files });
  if (!manifest.ok) throw new Error(JSON.stringify(manifest.problems));
  // The URLs and digests the gateway would fill in once the files are staged.
  const components = (manifest.mapped.data.components as Record<string, unknown>[]).map((c, i) => ({ ...c, url: `s3://staging/oa-packages/oa-sim-drop/sha256/${i}` }));
  const result = judgeMapped({ source: 'oa-sim-drop', origins, limits: { maxComponents: 200, maxDeclaredBytes: 2 ** 34, maxRecordBytes: 2 ** 20 }, receivedAt: new Date(), mapped: { ...manifest.mapped, data: { ...manifest.mapped.data, components } } });
  return { manifest, result };
}

describe('folder packages', () => {
  it('have metadata.json last, and every file it names with its true size and md5', async () => {
    const mapping = await loadMapping(path.join(MAPPINGS, 'package-json.yaml'));
    for (const document of documents) {
      const pkg = folderPackageOf(document);
      expect(pkg.files.at(-1)!.path).toBe('metadata.json');
      const { manifest, result } = judged(mapping, pkg, 'metadata.json');
      expect(result.ok, result.ok ? '' : result.message).toBe(true);
      if (!manifest.ok) continue;
      expect(manifest.unreferenced).toEqual([]);
      expect(manifest.files.map((f) => f.declared.size)).toEqual(document.components.map((c) => c.bytes.length));
      expect(manifest.files.map((f) => f.declared.md5)).toEqual(document.components.map((c) => createHash('md5').update(c.bytes).digest('hex')));
    }
  });
});

describe('EEP packages', () => {
  it('embed every file in base64, in the DA/T 48 subset eep.yaml reads', async () => {
    const mapping = await loadMapping(path.join(MAPPINGS, 'eep.yaml'));
    for (const document of documents) {
      const pkg = eepPackageOf(document);
      expect(pkg).toMatchObject({ kind: 'file', name: `${document.data.documentId}.xml` });
      const { manifest, result } = judged(mapping, pkg, pkg.name);
      expect(result.ok, result.ok ? '' : result.message).toBe(true);
      if (!manifest.ok || !result.ok) continue;
      expect(manifest.files.map((f) => (f.source.kind === 'content' ? sha256(Buffer.from(f.source.base64, 'base64')) : ''))).toEqual(document.components.map((c) => sha256(c.bytes)));
      expect(result.document.event.data).toMatchObject({ documentId: document.data.documentId, title: document.data.title, departmentCode: document.data.departmentCode, securityLevel: document.data.securityLevel, workflow: { id: document.data.workflow.id, type: document.data.workflow.type } });
    }
  });
});

describe('GET /finalized', () => {
  const ledger = new MemoryLedger();
  let base = '';
  let server: ReturnType<typeof createFileServer>;

  beforeAll(async () => {
    server = createFileServer({ token: 'ledger-test-token', ledger });
    base = (await listen(server, 0)).baseUrl;
    await ledger.record(documents.slice(0, 4).map((d) => ledgerEntryOf(d, 'oa-sim-json', 'push')));
    await ledger.record([ledgerEntryOf(documents[4]!, 'oa-sim-json', 'none'), ledgerEntryOf(documents[5]!, 'oa-sim-table', 'table')]);
  });
  afterAll(() => void server?.close());

  const get = (query: string, token = 'ledger-test-token') => fetch(`${base}/finalized?${query}`, { headers: { authorization: `Bearer ${token}` } });

  it('lists what the OA finalized for a source in the period, sent or not', async () => {
    const answer = (await (await get('source=oa-sim-json&since=2025-01-01T00:00:00Z&until=2026-01-01T00:00:00Z')).json()) as { documents: { documentId: string }[] };
    expect(answer.documents.map((d) => d.documentId).sort()).toEqual(documents.slice(0, 5).map((d) => d.data.documentId).sort());
    const narrow = (await (await get('source=oa-sim-json&since=2030-01-01&until=2031-01-01')).json()) as { documents: unknown[] };
    expect(narrow.documents).toEqual([]);
  });

  it('needs the token and a period', async () => {
    expect((await get('source=oa-sim-json&since=2025-01-01&until=2026-01-01', 'wrong-token-of-same')).status).toBe(401);
    expect((await get('source=oa-sim-json')).status).toBe(400);
  });
});
