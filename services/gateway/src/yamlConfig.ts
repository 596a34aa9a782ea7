import type { z } from 'zod';
import { isMap, LineCounter, parseDocument, type Document, type Pair } from 'yaml';

/**
 * A YAML file an operator edits (the sources file, a mapping file), validated completely with zod:
 * every problem is reported at once, each as `file:line:col path: message`, so a typo is found in one
 * round. The same way packages/classify reports the retention schedule.
 */

export class YamlConfigError extends Error {
  override readonly name = 'YamlConfigError';
  readonly problems: string[];
  constructor(what: string, file: string, problems: string[]) {
    super(`${what} ${file} is not valid:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export interface YamlProblem {
  path: (string | number)[];
  message: string;
}

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

const describe = (path: (string | number)[]) => path.map(String).join('.') || '(top)';

/**
 * Parses `text` and validates it with `schema`; `check` adds what a schema cannot say (cross-field
 * rules). Throws a YamlConfigError naming the line and the field of every problem.
 */
export function parseYamlConfig<S extends z.ZodType>(
  what: string,
  file: string,
  text: string,
  schema: S,
  check: (value: z.infer<S>) => YamlProblem[] = () => [],
): z.infer<S> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new YamlConfigError(what, file, doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'} ${e.message.split('\n')[0]}`));
  }
  if (!isMap(doc.contents)) throw new YamlConfigError(what, file, [`${file}:1:1 the file must be a YAML mapping`]);
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new YamlConfigError(
      what,
      file,
      parsed.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
        const where = (issue.code === 'unrecognized_keys' && keyLineOf(doc, counter, path, issue.keys[0]!)) || lineOf(doc, counter, path);
        return `${file}:${where} ${describe(path)}: ${issue.message}`;
      }),
    );
  }
  const problems = check(parsed.data);
  if (problems.length > 0) throw new YamlConfigError(what, file, problems.map((p) => `${file}:${lineOf(doc, counter, p.path)} ${describe(p.path)}: ${p.message}`));
  return parsed.data;
}
