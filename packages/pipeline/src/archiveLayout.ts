import type { IngestRecord } from '@oa-archive/catalog';

/**
 * Object keys never take a file name or id verbatim: anything outside letters, digits and `.-_`
 * becomes `_`, so an OA-supplied name like `../../x` cannot become a path.
 */
export function safeSegment(text: string, max = 120): string {
  const cleaned = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
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

/**
 * Where a document's objects live in the archive bucket until the reference code (档号) exists to
 * name them: source / year finalized / document id / version.
 */
export function archivePrefixOf(ingest: Pick<IngestRecord, 'source' | 'documentId' | 'version' | 'finalizedAt'>): string {
  return [
    safeSegment(ingest.source),
    String(ingest.finalizedAt.getUTCFullYear()),
    safeSegment(ingest.documentId),
    `v${ingest.version}`,
  ].join('/');
}

export function archiveComponentKeyOf(prefix: string, component: { ordinal: number; fileName: string }): string {
  return `${prefix}/original/${String(component.ordinal).padStart(3, '0')}-${safeSegment(component.fileName)}`;
}
