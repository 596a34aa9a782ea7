import type { z } from 'zod';
import { validateYamlFile, type YamlProblem } from '@oa-archive/config';

export type { YamlProblem };

/**
 * A YAML file an operator edits (the sources file, a mapping file), validated completely with zod:
 * every problem is reported at once, each as `file:line:col path: message`, so a typo is found in one
 * round. Shared with packages/classify (the retention schedule) through
 * @oa-archive/config's validateYamlFile.
 */

export class YamlConfigError extends Error {
  override readonly name = 'YamlConfigError';
  readonly problems: string[];
  constructor(what: string, file: string, problems: string[]) {
    super(`${what} ${file} is not valid:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

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
  const result = validateYamlFile(file, text, schema, { check });
  if (!result.ok) throw new YamlConfigError(what, file, result.problems);
  return result.value;
}
