import type { z } from 'zod';
import { isMap, LineCounter, parseDocument, type Document, type Pair } from 'yaml';

/**
 * Validates a YAML file an operator edits (the retention schedule, the gateway sources and mapping files)
 * completely with zod: every problem comes back at once, each as `file:line:col path: message`, so a typo
 * is found in one round. Callers wrap the problems in their own error class.
 */

export interface YamlProblem {
  path: (string | number)[];
  message: string;
}

export interface YamlFileOptions<T> {
  /** What a schema cannot say (cross-field rules); reported with the line of each path. */
  check?: (value: T) => YamlProblem[];
  /** Names a path in messages; `raw` is the parsed document, e.g. to add a rule's id. */
  describe?: (path: (string | number)[], raw: unknown) => string;
  /** What the file is called in "the … must be a YAML mapping". */
  noun?: string;
}

export type YamlFileResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

type Node = { range?: [number, number, number] } | undefined;

/** Where an unknown key itself stands (not its value), so the message points at the typo. */
function keyLineOf(doc: Document, counter: LineCounter, mapPath: (string | number)[], key: string): string | undefined {
  const map = doc.getIn(mapPath, true);
  if (!isMap(map)) return undefined;
  const pair = (map.items as Pair<{ value?: unknown; range?: [number, number, number] }>[]).find((p) => p.key?.value === key);
  const offset = pair?.key?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = counter.linePos(offset);
  return `${line}:${col}`;
}

function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): string {
  // The deepest node that exists on the path: a missing key points at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = (depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true)) as Node;
    const offset = node?.range?.[0];
    if (offset !== undefined) {
      const { line, col } = counter.linePos(offset);
      return `${line}:${col}`;
    }
  }
  return '1:1';
}

const describePath = (path: (string | number)[]) => path.map(String).join('.') || '(top)';

/** Parses `text` (named `file` in messages) and validates it with `schema`, then `options.check`. */
export function validateYamlFile<S extends z.ZodType>(file: string, text: string, schema: S, options: YamlFileOptions<z.infer<S>> = {}): YamlFileResult<z.infer<S>> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'} ${e.message.split('\n')[0]}`) };
  }
  if (!isMap(doc.contents)) return { ok: false, problems: [`${file}:1:1 the ${options.noun ?? 'file'} must be a YAML mapping`] };
  const raw: unknown = doc.toJS();
  const describe = (path: (string | number)[]) => (options.describe ? options.describe(path, raw) : describePath(path));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
        const where = (issue.code === 'unrecognized_keys' && keyLineOf(doc, counter, path, issue.keys[0]!)) || lineOf(doc, counter, path);
        return `${file}:${where} ${describe(path)}: ${issue.message}`;
      }),
    };
  }
  const problems = options.check?.(parsed.data) ?? [];
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => `${file}:${lineOf(doc, counter, p.path)} ${describe(p.path)}: ${p.message}`) };
  return { ok: true, value: parsed.data };
}
