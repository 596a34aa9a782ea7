import type { SimulatedDocument } from './documents.ts';
import { oaJsonPayloadOf } from './oaPayloads.ts';

/**
 * A simulated document as a package an OA drops for the archive gateway (services/gateway/mappings):
 * `folder` — a folder with metadata.json (the nested JSON of a push, each file named by its path) and
 * the files; `eep` — one DA/T 48-style EEP XML (电子文件封装包) with every file embedded in base64, in the
 * subset docs/oa-integration.md describes. Pure.
 */

export type PackageShape = 'folder' | 'eep';
export const PACKAGE_SHAPES: readonly PackageShape[] = ['folder', 'eep'];
/** The gateway sources that read each shape (services/gateway/sources.local.yaml). */
export const PACKAGE_SOURCES: Record<PackageShape, string> = { folder: 'oa-sim-drop', eep: 'oa-sim-eep' };

export interface PackageFile {
  /** Inside the package folder ("/"-separated); a single-file package's one file is its own name. */
  path: string;
  bytes: Buffer;
}

export interface SimulatedPackage {
  /** The entry's name in incoming/: the folder, or the file. */
  name: string;
  kind: 'folder' | 'file';
  /** Every file; the metadata is last (an OA writes it last, once the files are in place). */
  files: PackageFile[];
}

/** A component's file in a folder package: numbered, so that two files of the same name stay apart. */
const pathOf = (ordinal: number, fileName: string) => `files/${String(ordinal).padStart(2, '0')}-${fileName}`;

export function folderPackageOf(document: SimulatedDocument): SimulatedPackage {
  const payload = oaJsonPayloadOf(document, 'http://unused.invalid') as { 公文: { files: Record<string, unknown>[] } };
  // The push's files[] with a path in the package instead of a download URL.
  payload.公文.files = payload.公文.files.map(({ url: _url, ...file }) => ({ ...file, path: pathOf(file.order as number, file.name as string) }));
  const files = document.components.map((c, i) => ({ path: pathOf(i + 1, c.fileName), bytes: c.bytes }));
  return { name: document.data.documentId, kind: 'folder', files: [...files, { path: 'metadata.json', bytes: Buffer.from(JSON.stringify(payload, null, 2)) }] };
}

const escape = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
const element = (name: string, value: string | number | undefined) => (value === undefined || value === '' ? '' : `<${name}>${escape(String(value))}</${name}>`);

/** China Standard Time, as the OA writes its dates (ISO 8601 without offset). */
const local = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 19);

export function eepXmlOf(document: SimulatedDocument, created = new Date('2025-12-31T16:00:00Z')): string {
  const { data } = document;
  const documents = document.components
    .map(
      (c, i) =>
        `<文档 角色="${escape(c.role)}"><文档标识符>${escape(`${data.documentId}-${i + 1}`)}</文档标识符><文档序号>${i + 1}</文档序号>` +
        `<文档数据 文档数据ID="${escape(`${data.documentId}-${i + 1}-1`)}"><编码 编码ID="1"><电子属性>${element('格式信息', c.mediaType)}${element('计算机文件名', c.fileName)}${element('计算机文件大小', c.bytes.length)}</电子属性>` +
        `<编码描述>本封装包中“编码数据”元素存储的是计算机文件二进制流的Base64编码</编码描述><反编码关键字>base64</反编码关键字><编码数据>${c.bytes.toString('base64')}</编码数据></编码></文档数据></文档>`,
    )
    .join('\n        ');
  const steps = data.workflow.steps
    .map((s) => `<业务实体>${element('业务状态', s.step)}${element('业务行为', s.action)}${element('机构人员标识符', s.actor)}${element('行为时间', local(s.at))}${element('行为描述', s.opinion)}</业务实体>`)
    .join('\n      ');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<电子文件封装包>',
    '  <封装包格式描述>本封装包依据 DA/T 48《基于XML的电子文件封装规范》生成（文档所述子集）</封装包格式描述>',
    '  <版本>2009</版本>',
    '  <被签名对象 eep版本="2009">',
    '    <封装包类型>原始型</封装包类型>',
    `    <封装包创建时间>${local(created.toISOString())}</封装包创建时间>`,
    `    <封装包创建单位>${escape(data.issuer.name)}</封装包创建单位>`,
    '    <封装内容>',
    '      <文件实体块><文件实体>',
    '        <聚合层次>文件</聚合层次>',
    `        <来源>${element('全宗号', 'A182')}</来源>`,
    `        ${element('电子文件号', data.documentId)}${element('版本', data.version)}`,
    `        <内容描述>${element('题名', data.title)}${element('文件编号', data.documentNumber)}<责任者 关系="${escape(data.issuer.relation)}">${escape(data.issuer.name)}</责任者>` +
      `${element('文种', data.documentType)}${element('拟稿日期', local(data.dates.created))}${element('日期', data.dates.signed ? local(data.dates.signed) : undefined)}${element('办结时间', local(data.dates.finalized))}` +
      `${element('密级', data.securityLevel === '公开' ? '非密' : data.securityLevel)}${element('紧急程度', data.urgency === '普通' ? '一般' : data.urgency)}</内容描述>`,
    '        <文件数据>',
    `        ${documents}`,
    '        </文件数据>',
    '      </文件实体></文件实体块>',
    `      <业务实体块 流程编号="${escape(data.workflow.id)}" 流程类型="${escape(data.workflow.type)}">`,
    `      ${steps}`,
    '      </业务实体块>',
    `      <机构人员实体块><机构人员实体><机构人员类型>内设机构</机构人员类型>${element('组织机构代码', data.departmentCode)}</机构人员实体></机构人员实体块>`,
    '    </封装内容>',
    '  </被签名对象>',
    '  <电子签名块/>',
    '</电子文件封装包>',
    '',
  ].join('\n');
}

export function eepPackageOf(document: SimulatedDocument): SimulatedPackage {
  const name = `${document.data.documentId}.xml`;
  return { name, kind: 'file', files: [{ path: name, bytes: Buffer.from(eepXmlOf(document)) }] };
}

export function packageOf(document: SimulatedDocument, shape: PackageShape): SimulatedPackage {
  return shape === 'folder' ? folderPackageOf(document) : eepPackageOf(document);
}
