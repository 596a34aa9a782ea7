import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const MAPPINGS = path.join(import.meta.dirname, '..', '..', 'mappings');
export const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
export const FILE_ORIGIN = 'http://127.0.0.1:8088';

/** A sources file for a test, in a temporary directory; mappings by absolute path. */
export function writeSourcesFile(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gateway-sources-')), 'sources.yaml');
  writeFileSync(file, `schema: oa-archive/gateway-sources@1\n${yaml.replaceAll('mappings/', `${MAPPINGS}/`)}`);
  return file;
}

/** OA_SOURCES for these sources: files are fetched from the simulator's origin. */
export function oaSourcesFor(...ids: string[]): string {
  return JSON.stringify(Object.fromEntries(ids.map((id) => [id, { allowedOrigins: [FILE_ORIGIN], token: 'local-simulator-token' }])));
}
