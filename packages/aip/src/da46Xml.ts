import { el, renderDocument, XmlValueError, type XmlElement } from './xml.ts';

/**
 * The document's DA/T 46-2009 metadata record as XML, written into the AIP as a tag file
 * (`metadata/da46.xml`).
 *
 * Mapping, applied to the record generically so new elements need no change here:
 * - every key becomes an element with exactly that (Chinese) name, in the record's key order;
 * - a nested object becomes nested elements, an array becomes the element repeated once per item
 *   (`电子属性` gives one `<电子属性>` per file, `机构人员`, `业务` likewise);
 * - an object carrying `值` is a value with qualifiers: `值` becomes the text and its other scalar
 *   keys attributes — `{ 算法: 'SM3', 值: '…' }` under `数字摘要` gives `<数字摘要 算法="SM3">…</数字摘要>`;
 * - undefined and null are left out (the element is absent), numbers and booleans are written as is.
 */

/** What this module needs of `MetadataRecord` (@oa-archive/characterize), structurally. */
export interface Da46RecordLike {
  聚合层次: string;
  电子文件号: string;
  内容描述: { 题名: string };
  电子属性: readonly { 数字摘要: readonly { 算法: string; 值: string }[] }[];
}

export interface Da46Extra {
  /** The whole 档号 as assigned, written as the `值` attribute of the 档号 group. */
  referenceCode?: string;
  /** 全宗号 */
  fonds?: string;
  /** 保管期限, e.g. 永久 / 定期30年 / 定期10年 or their codes. */
  retention?: string;
  /** 年度 */
  year?: number;
  /** 类别号 */
  category?: string;
  /**
   * 权限管理 (DA/T 46 权限管理 group) for a document filed with its use restricted, e.g. 内部: its
   * 控制标识 (控制), 授权对象 (the least role that may use the content) and 授权行为. A 密级 it is not:
   * 密级 stays what the OA recorded.
   */
  access?: { 控制标识: string; 授权对象: string; 授权行为: string };
}

export const DA46_NAMESPACE = 'urn:oa-archive:da-t-46-2009';

const NAMESPACE_NOTE =
  'DA/T 46-2009 (文书类电子文件元数据方案) defines metadata elements, not an XML schema; ' +
  `the namespace ${DA46_NAMESPACE} and this serialisation are ours. Element names are the standard's.`;

function scalarText(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new XmlValueError(`${path}: ${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toElements(name: string, value: unknown, path: string): XmlElement[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => toElements(name, item, `${path}[${i}]`));
  if (isPlainObject(value)) {
    if ('值' in value) {
      const attributes: [string, string][] = [];
      for (const [key, attr] of Object.entries(value)) {
        if (key === '值') continue;
        const text = scalarText(attr, `${path}.${key}`);
        if (text === undefined && attr !== undefined && attr !== null) throw new XmlValueError(`${path}.${key}: a qualifier of 值 must be a scalar`);
        if (text !== undefined) attributes.push([key, text]);
      }
      const text = scalarText(value['值'], `${path}.值`);
      return [el(name, text ?? '', attributes)];
    }
    return [el(name, Object.entries(value).flatMap(([key, child]) => toElements(key, child, `${path}.${key}`)))];
  }
  const text = scalarText(value, path);
  if (text === undefined) throw new XmlValueError(`${path}: a ${typeof value} cannot be written as XML`);
  return [el(name, text)];
}

function referenceCodeGroup(extra: Da46Extra): XmlElement | undefined {
  const parts: XmlElement[] = [];
  if (extra.fonds !== undefined) parts.push(el('全宗号', extra.fonds));
  if (extra.year !== undefined) {
    if (!Number.isInteger(extra.year)) throw new XmlValueError(`年度 ${extra.year} is not an integer year`);
    parts.push(el('年度', String(extra.year)));
  }
  if (extra.retention !== undefined) parts.push(el('保管期限', extra.retention));
  if (extra.category !== undefined) parts.push(el('类别号', extra.category));
  if (parts.length === 0 && extra.referenceCode === undefined) return undefined;
  return el('档号', parts, extra.referenceCode !== undefined ? [['值', extra.referenceCode]] : undefined);
}

/**
 * The 档号 group goes where DA/T 46 numbers it (element 4): after 电子文件号, or failing that after
 * 来源, or after 聚合层次.
 */
function insertionIndex(keys: readonly string[]): number {
  for (const after of ['电子文件号', '来源', '聚合层次']) {
    const i = keys.indexOf(after);
    if (i >= 0) return i + 1;
  }
  return 0;
}

/** 权限管理 follows the record's elements (电子属性 …) and precedes the entities (机构人员, 业务), as DA/T 46 orders them. */
function accessInsertionIndex(keys: readonly string[]): number {
  const entity = keys.findIndex((key) => key === '机构人员' || key === '业务' || key === '实体关系');
  return entity >= 0 ? entity : keys.length;
}

export function toDa46Xml(record: Da46RecordLike, extra: Da46Extra = {}): string {
  return renderDocument(el('文件', da46Elements(record, extra), [['xmlns', DA46_NAMESPACE]]), [NAMESPACE_NOTE]);
}

/** The record's elements, 档号 and 权限管理 spliced in, as toDa46Xml writes them; shared with the EEP's 文件实体 (eep.ts). */
export function da46Elements(record: object, extra: Da46Extra = {}): XmlElement[] {
  const entries = Object.entries(record);
  const children: XmlElement[][] = entries.map(([key, value]) => toElements(key, value, key));
  // Spliced in from the back, so the 档号 index still counts the record's own keys.
  if (extra.access) {
    if (entries.some(([key]) => key === '权限管理')) throw new XmlValueError('the record already has a 权限管理; do not pass it again in extra');
    children.splice(accessInsertionIndex(entries.map(([key]) => key)), 0, toElements('权限管理', extra.access, '权限管理'));
  }
  const group = referenceCodeGroup(extra);
  if (group) {
    if (entries.some(([key]) => key === '档号')) throw new XmlValueError('the record already has a 档号; do not pass it again in extra');
    children.splice(insertionIndex(entries.map(([key]) => key)), 0, [group]);
  }
  return children.flat();
}
