import type { ListRule, Mapping, ValueRule } from './schema.ts';
import { COMPONENT_MD5_KEY, documentTargetOf, LIST_TARGETS, PACKAGE_FILE_FIELDS, type TargetField } from './targets.ts';
import { convert } from './values.ts';

/**
 * Applies a mapping to a decoded payload (JSON value, or XML as fast-xml-parser gives it). Pure.
 * Produces the candidate `data` for the contract, the problems found on the way, and for every
 * target field the place in the OA's payload it came from, so that a refusal names the OA's own
 * field (标题, 文件列表.文件[2].地址) beside the canonical one.
 */

export interface MappingIssue {
  /** The canonical field, e.g. `components.1.url`. */
  path: string;
  /** Where it came from in the OA's payload, e.g. `文件列表.文件[2].地址`. */
  sourceField?: string;
  message: string;
}

export interface MappedDocument {
  data: Record<string, unknown>;
  issues: MappingIssue[];
  /** Canonical path → the OA's field. */
  sources: Map<string, string>;
  /** Per component, in order: where a package's file is (`path` in the package, or base64 `content`); taken out of `data`. */
  packageFiles: PackageFileRef[];
}

export interface PackageFileRef {
  path?: string;
  content?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const POSITION = /^(.+)\[([1-9]\d{0,3})\]$/;

/**
 * Follows a dotted path through own properties only (never the prototype: `constructor` is a name like
 * any other). `name[n]` picks the n-th (from 1, as in XPath) of a repeated element, a single one
 * counting as a list of one: a DA/T 48 EEP carries several 机构人员实体 and the department is the first.
 */
export function readPath(root: unknown, path: string): unknown {
  let node = root;
  for (const name of path.split('.')) {
    if (!isObject(node)) return undefined;
    if (Object.hasOwn(node, name)) {
      node = node[name];
      continue;
    }
    const position = POSITION.exec(name);
    if (!position || !Object.hasOwn(node, position[1]!)) return undefined;
    const found = node[position[1]!];
    const list = Array.isArray(found) ? found : [found];
    node = list[Number(position[2]) - 1];
  }
  return node;
}

function writePath(target: Json, path: string, value: unknown): void {
  const names = path.split('.');
  let node = target;
  for (const name of names.slice(0, -1)) {
    if (!isObject(node[name])) Object.defineProperty(node, name, { value: {}, enumerable: true, writable: true, configurable: true });
    node = node[name] as Json;
  }
  // defineProperty: a key such as `__proto__` under extra is stored as data, not as the prototype.
  Object.defineProperty(node, names.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
}

const isMissing = (value: unknown, emptyAsMissing: boolean) =>
  value === undefined || value === null || (emptyAsMissing && typeof value === 'string' && value.trim() === '') || (emptyAsMissing && isObject(value) && Object.keys(value).length === 0);

class Mapper {
  readonly issues: MappingIssue[] = [];
  readonly sources = new Map<string, string>();
  readonly #mapping: Mapping;

  constructor(mapping: Mapping) {
    this.#mapping = mapping;
  }

  /** One value rule against one context (the document, or one element of a list). */
  value(rule: ValueRule, spec: TargetField, context: unknown, targetPath: string, sourcePrefix: string): unknown {
    const sourceField = rule.from === undefined ? undefined : `${sourcePrefix}${rule.from}`;
    if (sourceField) this.sources.set(targetPath, sourceField);
    let raw: unknown = rule.from === undefined ? rule.value : readPath(context, rule.from);
    // An empty XML element arrives as "", an empty JSON object as {}: both mean "not given".
    if (isMissing(raw, this.#mapping.emptyAsMissing)) raw = rule.default;
    if (raw === undefined) return undefined;
    if (rule.map && (typeof raw === 'string' || typeof raw === 'number')) {
      const key = String(raw).trim();
      if (Object.hasOwn(rule.map, key)) raw = rule.map[key];
    }
    const converted = convert(raw, rule.type ?? spec.type, rule.timezone ?? this.#mapping.timezone);
    if (!converted.ok) {
      this.issues.push({ path: targetPath, ...(sourceField ? { sourceField } : {}), message: converted.message });
      return undefined;
    }
    return converted.value;
  }

  list(rule: ListRule, target: string, context: unknown): Json[] {
    this.sources.set(target, rule.each);
    const found = readPath(context, rule.each);
    if (isMissing(found, this.#mapping.emptyAsMissing)) return [];
    const elements = (Array.isArray(found) ? found : [found]).map((element, index) => ({ element, index }));
    if (rule.sortBy) {
      const keyed = elements.map(({ element, index }) => {
        const raw = readPath(element, rule.sortBy!);
        const key = convert(raw, 'integer', '+00:00');
        if (!key.ok || raw === undefined) {
          this.issues.push({ path: `${target}`, sourceField: `${rule.each}[${index + 1}].${rule.sortBy}`, message: raw === undefined ? 'the order number is missing' : `the order number ${key.ok ? '' : key.message}` });
        }
        return { element, index, key: key.ok ? (key.value as number) : Number.MAX_SAFE_INTEGER };
      });
      // Equal order numbers keep the OA's order (Array.prototype.sort is stable).
      elements.splice(0, elements.length, ...keyed.sort((a, b) => a.key - b.key));
    }
    const items = LIST_TARGETS[target]!.items;
    return elements.map(({ element, index }, position) => {
      const item: Json = {};
      for (const [name, itemRule] of Object.entries(rule.fields)) {
        const value = this.value(itemRule, items[name]!, element, `${target}.${position}.${name}`, `${rule.each}[${index + 1}].`);
        if (value !== undefined) writePath(item, name, value);
      }
      this.sources.set(`${target}.${position}`, `${rule.each}[${index + 1}]`);
      return item;
    });
  }
}

/** The components' md5 leave the component (the contract has no such field) for `extra.componentMd5`, one per component. */
function setAsideMd5(data: Json, mapper: Mapper): void {
  const components = data.components;
  if (!Array.isArray(components)) return;
  const digests = components.map((component: Json, index) => {
    const md5 = component.md5;
    delete component.md5;
    if (md5 === undefined) return null;
    if (typeof md5 !== 'string' || !/^[0-9a-fA-F]{32}$/.test(md5)) {
      const sourceField = mapper.sources.get(`components.${index}.md5`);
      mapper.issues.push({ path: `components.${index}.md5`, ...(sourceField ? { sourceField } : {}), message: 'md5 must be 32 hexadecimal characters' });
      return null;
    }
    return md5.toLowerCase();
  });
  if (digests.some((d) => d !== null)) {
    const extra = Object.hasOwn(data, 'extra') && isObject(data.extra) ? data.extra : {};
    writePath(data, 'extra', extra);
    writePath(extra, COMPONENT_MD5_KEY, digests);
  }
}

/** `path` and `content` leave the components for `packageFiles`: they say where the gateway finds a package's file, and never reach the event. */
function setAsidePackageFiles(data: Json): PackageFileRef[] {
  const components = data.components;
  if (!Array.isArray(components)) return [];
  return components.map((component: Json) => {
    const ref: PackageFileRef = {};
    for (const name of PACKAGE_FILE_FIELDS) {
      const value = component[name];
      delete component[name];
      if (typeof value === 'string') ref[name] = value;
    }
    return ref;
  });
}

export function applyMapping(mapping: Mapping, payload: unknown): MappedDocument {
  const mapper = new Mapper(mapping);
  const data: Json = {};
  const document = mapping.root === undefined ? payload : readPath(payload, mapping.root);
  if (!isObject(document)) {
    const where = mapping.root === undefined ? 'the payload' : `the payload's ${mapping.root}`;
    return { data, sources: mapper.sources, packageFiles: [], issues: [{ path: '(document)', ...(mapping.root ? { sourceField: mapping.root } : {}), message: `${where} is not ${mapping.format === 'xml' ? 'an element with children' : 'a JSON object'}` }] };
  }
  // `extra` as a whole first, so that extra.<name> rules add to it rather than being replaced by it.
  const entries = Object.entries(mapping.fields);
  for (const [target, rule] of [...entries.filter(([t]) => t === 'extra'), ...entries.filter(([t]) => t !== 'extra')]) {
    if (rule.kind === 'list') {
      writePath(data, target, mapper.list(rule, target, document));
      continue;
    }
    const value = mapper.value(rule, documentTargetOf(target)!, document, target, '');
    if (value === undefined) continue;
    if (target === 'extra' && !isObject(value)) {
      mapper.issues.push({ path: 'extra', ...(rule.from ? { sourceField: rule.from } : {}), message: 'extra must be an object (name → value)' });
      continue;
    }
    writePath(data, target, target === 'extra' ? { ...value } : value);
  }
  setAsideMd5(data, mapper);
  const packageFiles = setAsidePackageFiles(data);
  return { data, issues: mapper.issues, sources: mapper.sources, packageFiles };
}

/** The OA's field for a canonical path, or for the nearest enclosing one that has a source. */
export function sourceFieldOf(sources: Map<string, string>, path: string): string | undefined {
  const parts = path.split('.');
  for (let depth = parts.length; depth > 0; depth--) {
    const found = sources.get(parts.slice(0, depth).join('.'));
    if (found !== undefined) return depth === parts.length ? found : `${found} (${parts.slice(depth).join('.')})`;
  }
  // A missing object (issuer, dates) is named by the fields that should have filled it.
  const children = [...sources].filter(([target]) => target.startsWith(`${path}.`)).map(([, source]) => source);
  return children.length > 0 ? children.join(', ') : undefined;
}
