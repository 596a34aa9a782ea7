import { canonicalJson, type GatewaySubmission } from '@oa-archive/catalog';
import type { CanonicalDocument, DeclaredFile } from './document.ts';
import { COMPONENT_MD5_KEY } from './mapping/targets.ts';

/**
 * What differs between the document accepted under a version and the one now sent under the same
 * version, in words an OA integrator acts on. Pure.
 *
 * Policy: refuse (HTTP 409), never renumber. A version the gateway invented would be one the OA does
 * not know: its status queries, its receipts and its next push would all name another version. The
 * OA knows whether the document really changed; it sends the change as a new version.
 */

const short = (digest: string | null) => (digest ? `${digest.slice(0, 12)}…` : 'none');

function fileChanges(before: DeclaredFile[], after: DeclaredFile[]): string[] {
  const changes: string[] = [];
  if (before.length !== after.length) changes.push(`${before.length} file(s) then, ${after.length} now`);
  after.forEach((file, index) => {
    const earlier = before[index];
    if (!earlier) return;
    const name = `file ${index + 1} (${file.fileName})`;
    if (earlier.md5 !== file.md5) changes.push(`${name}: md5 ${short(earlier.md5)} → ${short(file.md5)}`);
    if (earlier.sha256 !== file.sha256) changes.push(`${name}: sha256 ${short(earlier.sha256)} → ${short(file.sha256)}`);
    if (earlier.size !== file.size) changes.push(`${name}: size ${earlier.size ?? 'none'} → ${file.size ?? 'none'}`);
    if (earlier.fileName !== file.fileName) changes.push(`file ${index + 1}: name ${earlier.fileName} → ${file.fileName}`);
    if (earlier.url !== file.url) changes.push(`${name}: url changed`);
  });
  return changes;
}

/** extra without the files' md5, which fileChanges reports already. */
function withoutMd5(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { [COMPONENT_MD5_KEY]: _md5, ...rest } = value as Record<string, unknown>;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

function metadataChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('components');
  const comparable = (data: Record<string, unknown>, key: string) => canonicalJson(key === 'extra' ? withoutMd5(data[key]) : data[key]);
  return [...keys].filter((key) => comparable(before, key) !== comparable(after, key)).sort();
}

export function describeChange(previous: GatewaySubmission, next: CanonicalDocument, suggestedVersion: number): { message: string; changed: string[] } {
  const { documentId, version } = next.event.data;
  const files = fileChanges(previous.files as DeclaredFile[], next.files);
  const before = (previous.event.data ?? {}) as Record<string, unknown>;
  const metadata = metadataChanges(before, next.event.data as unknown as Record<string, unknown>);
  const changed = [...files, ...metadata.map((key) => `metadata: ${key}`)];
  const what = files.length > 0 ? `other files (${files.join('; ')})` : `other metadata (${metadata.join(', ') || 'the components'})`;
  const message =
    `version ${version} of ${documentId} was accepted at ${previous.acceptedAt.toISOString()} with ${what}. ` +
    `A version, once accepted, is not replaced: send the changed document as a new version (version ${suggestedVersion}).`;
  return { message, changed };
}
