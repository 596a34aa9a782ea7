import { COMPONENT_ROLES, SECURITY_LEVELS, URGENCY_LEVELS } from '@oa-archive/contracts';

/**
 * Rules for the values of DA/T 46 elements, checked at filing (DA/T 70 GD-1-2 length, GD-1-3 type
 * and format, GD-1-4 值域, GD-1-6 special characters). Pure. The lengths follow common practice for
 * catalogue fields (DA/T 46 itself fixes none); the 值域 are the event contract's.
 */
export type ElementType = 'text' | 'date8' | 'datetime' | 'integer' | 'hex64';

export interface ElementRule {
  type: ElementType;
  maxLength?: number;
  allowed?: readonly string[];
  /** Characters a file name may not carry (path separators, Windows-reserved ones). */
  fileName?: boolean;
}

export const ELEMENT_RULES: Readonly<Record<string, ElementRule>> = {
  题名: { type: 'text', maxLength: 500 },
  文件编号: { type: 'text', maxLength: 100 },
  责任者: { type: 'text', maxLength: 200 },
  日期: { type: 'date8' },
  文种: { type: 'text', maxLength: 20 },
  紧急程度: { type: 'text', allowed: URGENCY_LEVELS },
  密级: { type: 'text', allowed: SECURITY_LEVELS },
  主送: { type: 'text', maxLength: 500 },
  件数: { type: 'integer' },
  页数: { type: 'integer' },
  稿本: { type: 'text', maxLength: 20 },
  计算机文件名: { type: 'text', maxLength: 255, fileName: true },
  计算机文件大小: { type: 'integer' },
  格式信息: { type: 'text', maxLength: 100 },
  立档单位名称: { type: 'text', maxLength: 200 },
  机构人员名称: { type: 'text', maxLength: 200 },
  业务行为: { type: 'text', maxLength: 100 },
  行为时间: { type: 'datetime' },
  值: { type: 'hex64' },
};

/** 稿本 of a component is its role in the item (正文, 附件 …); of the item it is 正本. */
const DRAFT_VALUES: readonly string[] = [...COMPONENT_ROLES, '正本'];

export interface ElementValue {
  /** Where it stands, e.g. "电子属性[2].计算机文件名". */
  path: string;
  name: string;
  value: unknown;
}

/** Every leaf value in a metadata record with its element name and path. */
export function elementValuesOf(node: unknown, path = ''): ElementValue[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => elementValuesOf(item, `${path}[${i + 1}]`));
  if (node !== null && typeof node === 'object') return Object.entries(node).flatMap(([key, value]) => elementValuesOf(value, path ? `${path}.${key}` : key));
  const name = path.replace(/\[\d+\]/g, '').split('.').at(-1) ?? path;
  return [{ path, name, value: node }];
}

// C0/C1 controls, U+FFFD (a decoding that went wrong), lone surrogates, and characters XML 1.0 cannot carry.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const SPECIAL = /[\u0000-\u001f\u007f-\u009f\ufffd\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;
const FILE_NAME_FORBIDDEN = /[\\/:*?"<>|]/;

const validDate8 = (s: string) => {
  if (!/^\d{8}$/.test(s)) return false;
  const d = new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10).replaceAll('-', '') === s;
};

export interface ElementProblems {
  length: string[];
  type: string[];
  domain: string[];
  special: string[];
}

/** Checks every value of the record against ELEMENT_RULES; elements without a rule are only checked for special characters. */
export function checkElementValues(record: unknown): ElementProblems & { checked: number } {
  const problems: ElementProblems = { length: [], type: [], domain: [], special: [] };
  let checked = 0;
  for (const { path, name, value } of elementValuesOf(record)) {
    const rule = ELEMENT_RULES[name];
    const text = typeof value === 'string' ? value : undefined;
    if (text !== undefined && SPECIAL.test(text)) problems.special.push(`${path}含控制字符或无效字符`);
    if (!rule) continue;
    checked++;
    if (rule.maxLength !== undefined && text !== undefined && [...text].length > rule.maxLength) problems.length.push(`${path}长${[...text].length}字，超过${rule.maxLength}`);
    if (rule.fileName && text !== undefined && FILE_NAME_FORBIDDEN.test(text)) problems.special.push(`${path}含文件名不允许的字符`);
    const typeOk =
      rule.type === 'integer'
        ? typeof value === 'number' && Number.isInteger(value) && value >= 0
        : rule.type === 'date8'
          ? text !== undefined && validDate8(text)
          : rule.type === 'datetime'
            ? text !== undefined && /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))
            : rule.type === 'hex64'
              ? text !== undefined && /^[0-9a-f]{64}$/.test(text)
              : text !== undefined && text.trim().length > 0;
    if (!typeOk) problems.type.push(`${path}应为${TYPE_NAMES[rule.type]}，实为${JSON.stringify(value)}`);
    const allowed = name === '稿本' ? DRAFT_VALUES : rule.allowed;
    if (allowed && text !== undefined && !allowed.includes(text)) problems.domain.push(`${path}“${text}”不在值域（${allowed.join('/')}）内`);
  }
  return { ...problems, checked };
}

const TYPE_NAMES: Record<ElementType, string> = {
  text: '非空文本',
  date8: '8位日期（YYYYMMDD）',
  datetime: 'ISO 8601日期时间',
  integer: '非负整数',
  hex64: '64位十六进制摘要值',
};
