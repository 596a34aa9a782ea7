import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPackageName, loadMapping, packagePath, readManifest } from '../src/index.ts';
import { instanceOf } from '../src/packages/layout.ts';
import { MAPPINGS } from './support/gateway.ts';
import { eepXml, folderPackage } from './support/packages.ts';

const files = (pkg: { files: { path: string; bytes: Buffer }[] }) => pkg.files.map((f) => ({ path: f.path, size: f.bytes.length, modifiedAt: new Date('2026-01-01T00:00:00Z') }));
const metadataOf = (pkg: { files: { path: string; bytes: Buffer }[] }) => pkg.files.find((f) => f.path === 'metadata.json')!.bytes;

describe('names and paths in a package drop', () => {
  it.each([
    ['files/1-正文.pdf', 'files/1-正文.pdf'],
    [' a/b.pdf ', 'a/b.pdf'],
    ['../x.pdf', undefined],
    ['a/../../x.pdf', undefined],
    ['/etc/passwd', undefined],
    ['a//b', undefined],
    ['a/./b', undefined],
    ['a\\b', undefined],
    ['a\u0000b', undefined],
    ['', undefined],
  ])('packagePath(%j) = %j', (raw, expected) => {
    expect(packagePath(raw)).toBe(expected);
  });

  it('skips hidden names (a package still being written) and names with separators', () => {
    expect(['FW-1', '.FW-1', '.FW-1.partial', 'a/b', 'x\ny', 'EEP.xml'].filter(isPackageName)).toEqual(['FW-1', 'EEP.xml']);
  });

  it('tells drops of one name apart by the metadata file’s time, and an incomplete one by its newest file', () => {
    const at = (iso: string) => new Date(iso);
    expect(instanceOf([{ path: 'metadata.json', modifiedAt: at('2026-01-02T00:00:00Z') }, { path: 'a.pdf', modifiedAt: at('2026-01-03T00:00:00Z') }], 'metadata.json')).toBe('2026-01-02T00:00:00.000Z');
    expect(instanceOf([{ path: 'a.pdf', modifiedAt: at('2026-01-03T00:00:00Z') }, { path: 'b.pdf', modifiedAt: at('2026-01-01T00:00:00Z') }], 'metadata.json')).toBe('incomplete 2026-01-03T00:00:00.000Z');
  });
});

describe('readManifest', async () => {
  const json = await loadMapping(path.join(MAPPINGS, 'package-json.yaml'));
  const eep = await loadMapping(path.join(MAPPINGS, 'eep.yaml'));

  it('plans every file of a folder package with what its metadata declares, and lists the files it does not name', () => {
    const pkg = folderPackage('M-1');
    const manifest = readManifest({ mapping: json, metadata: metadataOf(pkg), metadataPath: 'metadata.json', files: [...files(pkg), { path: 'notes.txt', size: 3, modifiedAt: new Date() }] });
    expect(manifest.ok).toBe(true);
    if (!manifest.ok) return;
    expect(manifest.files.map((f) => [f.ordinal, f.source, f.declared.size, f.declared.md5])).toEqual(
      pkg.files.slice(0, 2).map((f, i) => [i + 1, { kind: 'path', path: f.path, size: f.bytes.length }, f.bytes.length, createHash('md5').update(f.bytes).digest('hex')]),
    );
    expect(manifest.unreferenced).toEqual(['notes.txt']);
    // path and content never reach the event's data.
    expect((manifest.mapped.data.components as Record<string, unknown>[]).every((c) => !('path' in c) && !('content' in c))).toBe(true);
  });

  it('collects every problem of the files at once', () => {
    const pkg = folderPackage('M-2', {
      tamper: (m, list) => {
        const declared = (m.公文 as { files: Record<string, unknown>[] }).files;
        declared[0]!.size = 1;
        declared.push({ ...declared[1]!, order: 3, path: '../outside.pdf' }, { ...declared[1]!, order: 4 }, { ...declared[1]!, order: 5, path: 'files/absent.pdf' });
        list.pop();
      },
    });
    const manifest = readManifest({ mapping: json, metadata: metadataOf(pkg), metadataPath: 'metadata.json', files: files(pkg) });
    expect(manifest.ok).toBe(false);
    if (manifest.ok) return;
    expect(manifest.documentId).toBe('M-2');
    expect(manifest.problems.map((p) => [p.code, p.file])).toEqual([
      ['size-mismatch', 'files/1-M-2 正文.pdf'],
      ['file-missing', 'files/2-附件1：说明.txt'],
      ['unsafe-path', '../outside.pdf'],
      ['duplicate-file', 'files/2-附件1：说明.txt'],
      ['file-missing', 'files/absent.pdf'],
    ]);
  });

  it('reads an EEP with embedded files, and refuses content that is not base64', () => {
    const xml = Buffer.from(eepXml('M-3'));
    const ok = readManifest({ mapping: eep, metadata: xml, metadataPath: 'M-3.xml', files: [{ path: 'M-3.xml', size: xml.length, modifiedAt: new Date() }] });
    expect(ok.ok && ok.files.map((f) => f.source.kind)).toEqual(['content', 'content']);
    const bad = Buffer.from(eepXml('M-3').replace('<编码数据>', '<编码数据>*not base64*'));
    const refused = readManifest({ mapping: eep, metadata: bad, metadataPath: 'M-3.xml', files: [{ path: 'M-3.xml', size: bad.length, modifiedAt: new Date() }] });
    expect(refused.ok || refused.problems.map((p) => p.code)).toEqual(['bad-content']);
  });

  it('names a metadata file it cannot read', () => {
    const manifest = readManifest({ mapping: json, metadata: Buffer.from('{"公文": {'), metadataPath: 'metadata.json', files: [] });
    expect(manifest.ok || manifest.problems).toEqual([expect.objectContaining({ code: 'unreadable-metadata', file: 'metadata.json' })]);
  });

  it('asks a mapping without path or content for the URL the contract needs, and accepts either instead', async () => {
    const { parseMapping } = await import('../src/index.ts');
    const base = `schema: oa-archive/gateway-mapping@1
format: json
fields: { documentId: a, version: b, title: c, documentType: d, issuer.name: e, issuer.relation: f, departmentCode: g, dates.created: h, dates.finalized: i, securityLevel: j, workflow.id: k, workflow.type: l,
  workflow.steps: { each: s, fields: { step: a, actor: b, action: c, at: d } },
  components: { each: f, fields: { role: r, fileName: n, FILE } } }
`;
    expect(() => parseMapping(base.replace(', FILE', ''))).toThrow(/no rule for components\.url/);
    expect(() => parseMapping(base.replace('FILE', 'path: p'))).not.toThrow();
    expect(() => parseMapping(base.replace('FILE', 'content: c'))).not.toThrow();
  });
});
