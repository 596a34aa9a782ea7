import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Every document of a YAML file as plain data, empty documents left out; a syntax error names the file. */
export function readYamlDocuments(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  const list = Array.isArray(documents) ? documents : [documents];
  for (const doc of list) {
    if (doc.errors.length > 0) throw new ManifestError(`${path.relative(REPO_ROOT, file)}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return list.map((doc) => doc.toJS({ maxAliasCount: -1 }) as unknown).filter((value) => value !== null && value !== undefined);
}

/** One YAML document with merge keys (`<<:`) applied, as Docker Compose reads it. */
export function readYaml(file: string): unknown {
  return parse(readFileSync(file, 'utf8'), { merge: true, maxAliasCount: -1 });
}
