import { describe, expect, it } from 'vitest';
import { documentFinalizedDataSchema, exampleDocumentFinalizedEvent } from '@oa-archive/contracts';
import type { Tags } from 'exiftool-vendored';
import { buildMetadataRecord, DEFAULT_MANDATORY_ELEMENTS, missingElements, technicalMetadataOf, type ComponentForRecord } from '../src/index.ts';

const data = documentFinalizedDataSchema.parse(exampleDocumentFinalizedEvent.data);
const pdf: ComponentForRecord = {
  ordinal: 1,
  role: '正文',
  fileName: '通知.pdf',
  size: 48213,
  sha256: 'a'.repeat(64),
  sm3: 'b'.repeat(64),
  format: { formatName: 'PDF', formatVersion: '1.7', mediaType: 'application/pdf', extension: 'pdf', puid: 'fmt/276', mediaKind: 'text', basis: 'test' },
  technical: { pageCount: 3, creatingApplication: 'WPS Office' },
};

describe('DA/T 46 metadata record', () => {
  const record = buildMetadataRecord({ timeZone: 'Asia/Shanghai', ingestId: 'ing_1', agencyName: '示范市人民政府办公室', sourceSystem: 'oa-simulator', data, components: [pdf, { ...pdf, ordinal: 2, role: '处理单', technical: {} }] });

  it('merges the OA’s metadata with what was extracted from the files', () => {
    expect(record.内容描述).toEqual({
      题名: '关于做好2025年度档案移交工作的通知',
      文件编号: '示政办发〔2025〕12号',
      责任者: '示范市人民政府办公室',
      日期: '20250313',
      文种: '通知',
      紧急程度: '普通',
      密级: '公开',
      主送: '普发',
    });
    expect(record.形式特征).toMatchObject({ 件数: 1, 页数: 3, 文件组合类型: '组合文件' });
    expect(record.电子属性[0]).toMatchObject({ 计算机文件名: '通知.pdf', 计算机文件大小: 48213, 格式信息: 'PDF 1.7', PRONOM格式标识: 'fmt/276', 文档创建程序: 'WPS Office' });
    expect(record.电子属性[0]!.数字摘要).toEqual([
      { 算法: 'SM3', 值: 'b'.repeat(64) },
      { 算法: 'SHA-256', 值: 'a'.repeat(64) },
    ]);
    expect(record.业务.map((b) => b.业务行为)).toEqual(['拟稿', '审核', '签发']);
    expect(record.机构人员[0]).toEqual({ 机构人员名称: '示范市人民政府办公室', 机构人员类型: '责任者' });
  });

  it('finds nothing missing when the working mandatory set is present', () => {
    expect(missingElements(record, DEFAULT_MANDATORY_ELEMENTS)).toEqual([]);
  });

  it('names each mandatory element that is absent, as the standard names it', () => {
    const { documentNumber: _n, ...withoutNumber } = data;
    const bare = buildMetadataRecord({ timeZone: 'Asia/Shanghai', ingestId: 'ing_2', agencyName: 'a', sourceSystem: 's', data: { ...withoutNumber, workflow: { ...data.workflow, steps: [] } }, components: [pdf] });
    expect(missingElements(bare, [...DEFAULT_MANDATORY_ELEMENTS, '文件编号', '文档创建程序'])).toEqual(['业务', '文件编号']);
  });

  it('dates the record by the agency’s calendar and clock: a UTC evening is the next day in Shanghai', () => {
    const late = {
      ...data,
      dates: { created: '2025-03-12T02:00:00Z', signed: '2025-03-13T17:30:00Z', finalized: '2025-03-13T18:00:00Z' },
      workflow: { ...data.workflow, steps: [{ step: '签发', actor: '张伟', action: '签发', at: '2025-03-13T17:30:00Z' }] },
    };
    const shanghai = buildMetadataRecord({ timeZone: 'Asia/Shanghai', ingestId: 'ing_4', agencyName: 'a', sourceSystem: 's', data: late, components: [pdf] });
    expect(shanghai.内容描述.日期).toBe('20250314');
    expect(shanghai.业务[0]!.行为时间).toBe('2025-03-14T01:30:00+08:00');
    // The zone is configuration's, not assumed: in UTC the same instants keep their UTC day.
    const utc = buildMetadataRecord({ timeZone: 'UTC', ingestId: 'ing_4', agencyName: 'a', sourceSystem: 's', data: late, components: [pdf] });
    expect(utc.内容描述.日期).toBe('20250313');
    expect(utc.业务[0]!.行为时间).toBe('2025-03-13T17:30:00+00:00');
  });

  it('requires per-file elements for every file', () => {
    const mixed = buildMetadataRecord({ timeZone: 'Asia/Shanghai', ingestId: 'ing_3', agencyName: 'a', sourceSystem: 's', data, components: [pdf, { ...pdf, ordinal: 2, technical: {} }] });
    expect(missingElements(mixed, ['文档创建程序'])).toEqual(['文档创建程序']);
  });
});

describe('technical metadata from ExifTool tags', () => {
  it('keeps what an archive needs and drops the rest', () => {
    const tags = { PageCount: 2, Author: '办公室', CreatorTool: 'WPS', PDFVersion: '1.7', Part: 2, Conformance: 'B', Encryption: 'Standard V2', Warning: 'Bad xref' } as unknown as Tags;
    expect(technicalMetadataOf(tags)).toEqual({ pageCount: 2, author: '办公室', creatingApplication: 'WPS', pdfVersion: '1.7', pdfaClaim: 'PDF/A-2b', encrypted: true, warnings: ['Bad xref'] });
  });

  it('reads image size, resolution and media duration', () => {
    const tags = { ImageWidth: 320, ImageHeight: 240, XResolution: 72, YResolution: 72, ResolutionUnit: 'inches', Duration: '0:01:05', SampleRate: 44100 } as unknown as Tags;
    expect(technicalMetadataOf(tags)).toMatchObject({ imageWidth: 320, imageHeight: 240, resolution: '72x72 inches', durationSeconds: 65, sampleRate: 44100 });
  });
});
