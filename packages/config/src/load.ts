import { z } from 'zod';
import { resolveSecretFiles } from './secretFiles.ts';

/** Start-up refuses to run on a bad environment; the message lists every variable at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  // Secrets given as <NAME>_FILE are read first, so the schema sees them as if set directly.
  const secrets = resolveSecretFiles(env);
  const result = schema.safeParse(secrets.env);
  if (result.success && secrets.problems.length === 0) return result.data;
  throw new ConfigError([
    ...secrets.problems,
    ...(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`)),
  ]);
}
