import { z } from 'zod';

/**
 * The rule for text in archival metadata: every string of an event (and every key of `extra`) must be
 * text the catalog stores exactly as sent. PostgreSQL (UTF-8) refuses U+0000 in `text` and in `jsonb`,
 * and an unpaired UTF-16 surrogate is not a character at all: `jsonb` refuses it and `text` would
 * silently become U+FFFD. Such values are rejected with the field named, never cleaned: an archive keeps
 * what the OA said or refuses it, it does not keep an altered copy.
 */

const NUL = '\u0000';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be archival metadata, or undefined when it can. */
export function unstorableCharacterIn(text: string): string | undefined {
  const nul = text.indexOf(NUL);
  if (nul >= 0) return `contains U+0000 (NUL) at character ${nul}, which archival metadata may not hold`;
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    const unit = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    return `contains an unpaired surrogate U+${unit} at character ${surrogate.index}, which is not a character (the OA sent broken UTF-16)`;
  }
  return undefined;
}

function refineArchival(text: string, ctx: z.RefinementCtx): void {
  const problem = unstorableCharacterIn(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

/** A string field of archival metadata: no NUL, no unpaired surrogate. Chain `.min()` / `.max()` as usual. */
export function archivalText(): z.ZodString {
  return z.string().superRefine(refineArchival);
}

/** A URL field under the same rule (the WHATWG parser would otherwise accept and re-encode such characters). */
export function archivalUrl(protocol: RegExp): z.ZodURL {
  return z.url({ protocol }).superRefine(refineArchival);
}

/** How a key with hostile characters is shown in an issue path: escaped, and shortened. */
function printableKey(key: string): string {
  let escaped = '';
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    const hostile = unit < 0x20 || unit === 0x7f || (unit >= 0xd800 && unit <= 0xdfff);
    escaped += hostile ? `\\u${unit.toString(16).padStart(4, '0')}` : key[i];
  }
  return escaped.length > 80 ? `${escaped.slice(0, 80)}…` : escaped;
}

export interface JsonTextIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Every string and key in a JSON value (as JSON.parse returns it) checked against the rule above, and
 * its nesting bounded: the catalog stores such values as jsonb, and a pathologically deep one exhausts
 * stacks on the way there. Stops descending at `maxDepth`, so hostile input cannot make it recurse deeply.
 */
export function storableJsonIssues(value: unknown, maxDepth: number): JsonTextIssue[] {
  const issues: JsonTextIssue[] = [];
  const visit = (node: unknown, path: (string | number)[], depth: number): void => {
    if (typeof node === 'string') {
      const problem = unstorableCharacterIn(node);
      if (problem) issues.push({ path, message: problem });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth >= maxDepth) {
      issues.push({ path, message: `nests deeper than ${maxDepth} levels` });
      return;
    }
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, child] of entries) {
      if (typeof key === 'string') {
        const problem = unstorableCharacterIn(key);
        if (problem) {
          issues.push({ path: [...path, printableKey(key)], message: `key ${problem}` });
          continue;
        }
      }
      visit(child, [...path, key], depth + 1);
    }
  };
  visit(value, [], 0);
  return issues;
}
