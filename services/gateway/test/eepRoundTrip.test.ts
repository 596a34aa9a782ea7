import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eepInputOf, writeEep, type EepEncoding } from '@oa-archive/aip';
import { documentFinalizedDataSchema, exampleDocumentFinalizedEvent } from '@oa-archive/contracts';
import { loadMapping, readManifest } from '../src/index.ts';
import { MAPPINGS } from './support/gateway.ts';

/**
 * The archive's own EEP output (@oa-archive/aip writeEep, what the package stage puts into a bag when
 * the schedule says `output: { eep: true }`) read back by this gateway's EEP mapping: another archive
 * running this software could take in what we hand over.
 */
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const encodingOf = (fileName: string, bytes: Buffer, description?: string): EepEncoding => ({
  fileName,
  size: bytes.length,
  formatInfo: 'application/pdf',
  sha256: sha256(bytes),
  sm3: createHash('sm3').update(bytes).digest('hex'),
  ...(description ? { description } : {}),
  async *open() {
    yield bytes;
  },
});

describe('an EEP the archive writes, read by mappings/eep.yaml', () => {
  it('gives back the document, its workflow and each original, leaving the preservation copies aside', async () => {
    const data = exampleDocumentFinalizedEvent.data;
    const originals = data.components.map((c, i) => Buffer.from(`%PDF-1.4\n% ${c.fileName} ${i}\n%%EOF\n`));
    const copy = Buffer.from('%PDF-1.7 保存版本\n%%EOF\n');
    // What characterize's DA/T 46 record holds for the 文件 level (buildMetadataRecord).
    const record = {
      聚合层次: '件',
      来源: { 立档单位名称: '示范市人民政府', 信息系统描述: 'oa-simulator' },
      电子文件号: data.documentId,
      内容描述: { 题名: data.title, 文件编号: data.documentNumber, 责任者: data.issuer.name, 日期: '20250313', 文种: data.documentType, 紧急程度: data.urgency, 密级: data.securityLevel },
      形式特征: { 文件组合类型: '组合文件', 件数: 1, 稿本: '正本' },
    };
    const { chunks, result } = writeEep(
      eepInputOf({
        data,
        record,
        extra: { referenceCode: 'A182-WS·2025-Y-BGS-0001', fonds: 'A182', retention: 'Y', year: 2025, category: 'WS' },
        createdAt: '2025-03-14T09:30:12+08:00',
        creator: '示范市人民政府',
        documents: data.components.map((c, i) => ({ role: c.role, encodings: [encodingOf(c.fileName, originals[i]!), ...(i === 0 ? [encodingOf('正文.pdf', copy, '保存版本，由编码1转换')] : [])] })),
      }),
    );
    const parts: Buffer[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    expect(await result).toEqual({ signed: false });
    const xml = Buffer.concat(parts);

    const eep = await loadMapping(path.join(MAPPINGS, 'eep.yaml'));
    const manifest = readManifest({ mapping: eep, metadata: xml, metadataPath: 'FW.xml', files: [{ path: 'FW.xml', size: xml.length, modifiedAt: new Date() }] });
    expect(manifest.ok || manifest.problems).toBe(true);
    if (!manifest.ok) return;
    expect(manifest.files.map((f) => (f.source.kind === 'content' ? sha256(Buffer.from(f.source.base64, 'base64')) : f.source.kind))).toEqual(originals.map(sha256));

    const mapped = manifest.mapped.data as Record<string, unknown>;
    expect(mapped).toMatchObject({
      documentId: data.documentId,
      version: data.version,
      title: data.title,
      documentNumber: data.documentNumber,
      documentType: data.documentType,
      issuer: data.issuer,
      departmentCode: data.departmentCode,
      securityLevel: data.securityLevel,
      urgency: data.urgency,
      dates: { created: data.dates.created, finalized: data.dates.finalized, signed: '2025-03-13T00:00:00+08:00' },
      workflow: data.workflow,
    });
    expect((mapped.components as { role: string; fileName: string; size: number }[]).map((c) => [c.role, c.fileName, c.size])).toEqual(data.components.map((c, i) => [c.role, c.fileName, originals[i]!.length]));
    // What the mapping gives is a valid event once the gateway has staged the files (it adds each url).
    const staged = { ...mapped, components: (mapped.components as Record<string, unknown>[]).map((c, i) => ({ ...c, url: `s3://oa-staging/eep/${i}` })) };
    expect(documentFinalizedDataSchema.safeParse(staged).success).toBe(true);
  });
});

describe('readPath name[n]', () => {
  it('picks the n-th of a repeated element, counts a single one as a list of one, and prefers a key of that very name', async () => {
    const { readPath } = await import('../src/mapping/apply.ts');
    const doc = { 块: { 实体: [{ 码: 'A' }, { 码: 'B' }] }, 单: { 实体: { 码: 'C' } }, 'x[1]': 'literal', x: ['no'] };
    expect(readPath(doc, '块.实体[1].码')).toBe('A');
    expect(readPath(doc, '块.实体[2].码')).toBe('B');
    expect(readPath(doc, '块.实体[3].码')).toBeUndefined();
    expect(readPath(doc, '单.实体[1].码')).toBe('C');
    expect(readPath(doc, '单.实体[2].码')).toBeUndefined();
    expect(readPath(doc, '块.实体.码')).toBeUndefined();
    expect(readPath(doc, 'x[1]')).toBe('literal');
  });
});
