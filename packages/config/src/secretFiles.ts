import { readFileSync, statSync } from 'node:fs';

/**
 * Variables that hold a secret (a password, a key, a token, or a URL with credentials in it). Each can
 * instead be given as `<NAME>_FILE`, the path of a file holding the value, so the secret need not sit
 * in a configuration file or a process listing (docs/configuration.md, "Secrets").
 */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'S3_SECRET_ACCESS_KEY',
  'REPLICA_S3_SECRET_ACCESS_KEY',
  'KAFKA_SASL_PASSWORD',
  'OA_SOURCES',
  'EEP_SM2_PRIVATE_KEY',
  'SIMULATOR_TOKEN',
  'SIMULATOR_PUSH_SECRET',
  'SIMULATOR_TABLE_URL',
  'OIDC_CLIENT_SECRET',
  'CONSOLE_SESSION_SECRET',
] as const;

/**
 * The environment with each `<NAME>_FILE` of a secret variable replaced by `<NAME>` read from that
 * file (one trailing line break dropped, as editors and `echo` add one). A file that its group or
 * others may read or write is refused: a secret there is not kept secret. Problems are returned, one
 * per variable, for the caller's ConfigError.
 */
export function resolveSecretFiles(env: Record<string, string | undefined>): { env: Record<string, string | undefined>; problems: string[] } {
  const resolved = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined) {
      problems.push(`${name}_FILE: ${name} is set too; set one of them`);
      continue;
    }
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      continue;
    }
    if ((mode & 0o077) !== 0) {
      problems.push(`${name}_FILE: ${path} is open to group or others (mode ${(mode & 0o777).toString(8).padStart(3, '0')}); chmod 600 it (or 400)`);
      continue;
    }
    try {
      resolved[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return { env: resolved, problems };
}
