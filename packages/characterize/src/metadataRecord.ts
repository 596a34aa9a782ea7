import { agencyDate, agencyDateTime, type DocumentFinalizedData } from '@oa-archive/contracts';
import type { FormatIdentification } from './types.ts';
import type { TechnicalMetadata } from './technical.ts';
import { DEFAULT_MANDATORY_MEDIA_ELEMENTS, mediaElementsOf, missingMediaElements, type PhotoElements, type RecordingElements } from './mediaRecord.ts';

/**
 * The document's metadata record aligned with DA/T 46-2009 (文书类电子文件元数据方案), element names as
 * the standard writes them; a photo's or recording's 电子属性 also carries its DA/T 54 / DA/T 63
 * elements (mediaRecord.ts). The OA's event metadata and what was extracted from the files are merged;
 * where both speak (页数), the files win, since they are what is kept.
 */
export interface ComponentForRecord {
  ordinal: number;
  role: string;
  fileName: string;
  size: number;
  sha256: string;
  sm3: string;
  format: FormatIdentification;
  technical: TechnicalMetadata;
}

export interface MetadataRecord {
  聚合层次: '件';
  来源: { 立档单位名称: string; 信息系统描述: string };
  电子文件号: string;
  内容描述: {
    题名: string;
    文件编号?: string;
    责任者: string;
    日期: string;
    文种: string;
    紧急程度: string;
    密级: string;
    主送?: string;
  };
  形式特征: { 文件组合类型: string; 件数: number; 页数?: number; 稿本: string };
  电子属性: {
    序号: number;
    稿本: string;
    计算机文件名: string;
    计算机文件大小: number;
    格式信息: string;
    PRONOM格式标识?: string;
    文档创建程序?: string;
    数字摘要: { 算法: 'SM3' | 'SHA-256'; 值: string }[];
    /** A photo's DA/T 54 elements (mediaRecord.ts). */
    照片属性?: PhotoElements;
    /** A recording's DA/T 63 elements (mediaRecord.ts). */
    音视频属性?: RecordingElements;
  }[];
  机构人员: { 机构人员名称: string; 机构人员类型: string }[];
  业务: { 业务状态: string; 业务行为: string; 行为时间: string; 行为依据?: string; 执行者: string }[];
}

/**
 * Elements whose absence is an integrity finding, by their DA/T 46 names, and for photos and recordings
 * their DA/T 54 / DA/T 63 elements as `照片属性.<name>` / `音视频属性.<name>`. Configurable per agency.
 */
export const DEFAULT_MANDATORY_ELEMENTS = ['题名', '责任者', '日期', '文种', '密级', '格式信息', '计算机文件名', '计算机文件大小', '数字摘要', '机构人员', '业务', ...DEFAULT_MANDATORY_MEDIA_ELEMENTS] as const;

export function buildMetadataRecord(args: {
  ingestId: string;
  agencyName: string;
  sourceSystem: string;
  data: DocumentFinalizedData;
  components: ComponentForRecord[];
  /** AGENCY_TIME_ZONE: 日期 is the agency's calendar day, 行为时间 its local time with the offset (+08:00). */
  timeZone: string;
}): MetadataRecord {
  const { data, components, timeZone } = args;
  const pages = components.filter((c) => c.role === '正文').reduce((sum, c) => sum + (c.technical.pageCount ?? 0), 0);
  const actors = [...new Set(data.workflow.steps.map((s) => s.actor))];
  return {
    聚合层次: '件',
    来源: { 立档单位名称: args.agencyName, 信息系统描述: args.sourceSystem },
    电子文件号: args.ingestId,
    内容描述: {
      题名: data.title,
      ...(data.documentNumber ? { 文件编号: data.documentNumber } : {}),
      责任者: data.issuer.name,
      // The agency's day, not UTC's: a document signed at 20:00Z is dated the next day in Shanghai.
      日期: agencyDate(data.dates.signed ?? data.dates.finalized, timeZone).replaceAll('-', ''),
      文种: data.documentType,
      紧急程度: data.urgency,
      密级: data.securityLevel,
      ...(data.distribution ? { 主送: data.distribution } : {}),
    },
    形式特征: {
      文件组合类型: components.length > 1 ? '组合文件' : '单件',
      件数: 1,
      ...(pages > 0 ? { 页数: pages } : {}),
      稿本: '正本',
    },
    电子属性: components.map((c) => ({
      序号: c.ordinal,
      稿本: c.role,
      计算机文件名: c.fileName,
      计算机文件大小: c.size,
      格式信息: c.format.formatVersion ? `${c.format.formatName} ${c.format.formatVersion}` : c.format.formatName,
      ...(c.format.puid ? { PRONOM格式标识: c.format.puid } : {}),
      ...(c.technical.creatingApplication ? { 文档创建程序: c.technical.creatingApplication } : {}),
      数字摘要: [
        { 算法: 'SM3' as const, 值: c.sm3 },
        { 算法: 'SHA-256' as const, 值: c.sha256 },
      ],
      ...mediaElementsOf(c.format, c.technical),
    })),
    机构人员: [
      { 机构人员名称: data.issuer.name, 机构人员类型: '责任者' },
      ...actors.map((actor) => ({ 机构人员名称: actor, 机构人员类型: '经办人' })),
    ],
    业务: data.workflow.steps.map((s) => ({ 业务状态: '完成', 业务行为: s.step, 行为时间: agencyDateTime(s.at, timeZone), 执行者: s.actor, ...(s.opinion ? { 行为依据: s.opinion } : {}) })),
  };
}

const PER_FILE_ELEMENTS = new Set(['稿本', '计算机文件名', '计算机文件大小', '格式信息', 'PRONOM格式标识', '文档创建程序', '数字摘要']);

const present = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/** Every value of an element, wherever it stands in a (nested) part of the record. */
function valuesOf(node: unknown, name: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => valuesOf(item, name));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => [...(key === name ? [value] : []), ...valuesOf(value, name)]);
}

/**
 * Mandatory elements missing or empty in the record, each named as DA/T 46 names it. Elements of
 * the electronic properties (电子属性) must be present for every file.
 */
export function missingElements(record: MetadataRecord, mandatory: readonly string[]): string[] {
  const { 电子属性: files, ...document } = record;
  // `照片属性.拍摄时间` and the like: DA/T 54 / 63 elements, checked for each file carrying that group.
  const isMedia = (name: string) => name.startsWith('照片属性.') || name.startsWith('音视频属性.');
  const missing = mandatory.filter((name) => {
    if (isMedia(name)) return false;
    if (PER_FILE_ELEMENTS.has(name)) return files.length === 0 || files.some((file) => !present((file as Record<string, unknown>)[name]));
    return !valuesOf(document, name).some(present);
  });
  return [...missing, ...missingMediaElements(files as unknown as Record<string, unknown>[], mandatory.filter(isMedia))];
}
