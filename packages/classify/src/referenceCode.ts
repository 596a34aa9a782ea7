import type { Retention } from './schedule.ts';

/** The parts of an archival reference code (档号), DA/T 13. */
export interface ReferenceCodeParts {
  fonds: string;
  category: string;
  year: number;
  retention: Retention;
  /** Empty when the agency does not classify by organisation: the segment and its separator go. */
  org: string;
  item: number;
}

/** The class inside which item numbers run 1, 2, 3 … without gaps. */
export type ReferenceClass = Omit<ReferenceCodeParts, 'item'>;

const SEPARATORS = /[-·.\s/_]/;

/**
 * Formats a 档号 from a template such as `{fonds}-{category}·{year}-{retention}-{org}-{item}`.
 * The item number is zero-padded; an empty placeholder is dropped together with the separator
 * before it (or after it, at the start), so `A182-WS·2025-Y-0001` results without an org code.
 */
export function formatReferenceCode(template: string, parts: Omit<ReferenceCodeParts, 'item'> & { item: number | string }, itemDigits: number): string {
  const values: Record<string, string> = {
    fonds: parts.fonds,
    category: parts.category,
    year: String(parts.year),
    retention: parts.retention,
    org: parts.org,
    item: typeof parts.item === 'number' ? String(parts.item).padStart(itemDigits, '0') : parts.item,
  };
  let out = template;
  for (const [name, value] of Object.entries(values)) {
    if (value !== '') {
      out = out.replaceAll(`{${name}}`, value);
      continue;
    }
    const before = new RegExp(`(${SEPARATORS.source})\\{${name}\\}`, 'g');
    const after = new RegExp(`\\{${name}\\}(${SEPARATORS.source})`, 'g');
    out = before.test(out) ? out.replace(before, '') : out.replace(after, '').replaceAll(`{${name}}`, '');
  }
  return out;
}

/** A reference code for display before its item number exists (dry runs): the item shows as `????`. */
export function previewReferenceCode(template: string, parts: ReferenceClass, itemDigits: number): string {
  return formatReferenceCode(template, { ...parts, item: '?'.repeat(itemDigits) }, itemDigits);
}

const PART_PATTERNS: Record<string, string> = {
  fonds: '[A-Z0-9]{1,8}',
  category: '[A-Z]{2}',
  year: '\\d{4}',
  retention: '(?:Y|D30|D10)',
  org: '[A-Z0-9]{1,6}',
};

/**
 * A regular expression that accepts exactly the codes a template produces (authenticity check of a
 * 档号's form). The organisation segment may be absent, with its separator, as formatting allows.
 */
export function referenceCodePattern(template: string, itemDigits: number): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let source = '';
  let rest = template;
  while (rest.length > 0) {
    const next = /\{(\w+)\}/.exec(rest);
    if (!next) {
      source += escape(rest);
      break;
    }
    const literal = rest.slice(0, next.index);
    const name = next[1]!;
    const part = name === 'item' ? `\\d{${itemDigits},}` : (PART_PATTERNS[name] ?? '.+');
    // An empty org takes the separator before it along (see formatReferenceCode).
    source += name === 'org' ? `(?:${escape(literal)}${part})?` : escape(literal) + part;
    rest = rest.slice(next.index + next[0].length);
  }
  return new RegExp(`^${source}$`, 'u');
}
