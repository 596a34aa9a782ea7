import { createHash } from 'node:crypto';
import type { IngestRecord } from '@oa-archive/catalog';

/**
 * Object keys never take a file name or id verbatim: anything outside letters, digits, `.-_` and
 * the `·` of a 档号 becomes `_`, so an OA-supplied name like `../../x` cannot become a path.
 */
export function safeSegment(text: string, max = 120): string {
  const cleaned = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._\u00b7-]+/gu, '_')
    .replace(/^\.+/, '_')
    .replace(/_+/g, '_');
  if (cleaned.length <= max) return cleaned || '_';
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, max - ext.length) + ext;
}

/** Staged bytes of a component, addressed by ingest and ordinal only. */
export function stagingKeyOf(ingestId: string, ordinal: number): string {
  return `ingests/${ingestId}/components/${ordinal}`;
}

/** Where a filed document's objects live: by the parts of its 档号, then the 档号 itself. */
export function filedPrefixOf(c: { referenceCode: string; year: number; category: string; retention: string }, fonds: string): string {
  return [safeSegment(fonds), String(c.year), safeSegment(c.category), safeSegment(c.retention), safeSegment(c.referenceCode)].join('/');
}

/**
 * Where a later version of a filed item lies: beside the item's first bag, never inside it (each bag
 * stays a whole BagIt bag and write-once), e.g. `…/<档号>` for the first and `…/<档号>.v2` for the OA's
 * version 2. `version` is the OA's document version.
 */
export function filedVersionPrefixOf(itemPrefix: string, version: number): string {
  return `${itemPrefix}.v${version}`;
}

/**
 * An OA-supplied id as one key segment, distinct ids never sharing one (safeSegment alone maps `a/b`
 * and `a_b`, or two normalisations of one name, to the same text). A plain id — `A-Za-z0-9._-`, not
 * starting with a dot, at most 120 long — stands as it is; any other is shown readably (shortened)
 * with `~` and the SHA-256 of its exact UTF-8 bytes after it. A plain id has no `~`, so the forms
 * cannot meet, and within the second the digest decides.
 */
export function idSegment(id: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,119}$/.test(id)) return id;
  return `${safeSegment(id, 80)}~${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

/** Where a quarantined document's objects live, by source / year finalized / document id / version. */
export function archivePrefixOf(ingest: Pick<IngestRecord, 'source' | 'documentId' | 'version' | 'finalizedAt'>): string {
  return [
    idSegment(ingest.source),
    String(ingest.finalizedAt.getUTCFullYear()),
    idSegment(ingest.documentId),
    `v${ingest.version}`,
  ].join('/');
}

/** `position` is the component's place in the item (DA/T 22 order), 1-based. */
export function archiveComponentKeyOf(prefix: string, position: number, component: { fileName: string }): string {
  return `${prefix}/original/${String(position).padStart(3, '0')}-${safeSegment(component.fileName)}`;
}
