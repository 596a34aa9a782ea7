import type { FastifyInstance } from 'fastify';
import { characterizationsOf, classificationOf, preservationCopiesOf, type CharacterizationRecord, type ComponentRecord, type PreservationCopyRecord } from '@oa-archive/catalog';
import { render } from '@oa-archive/messages';
import { mediaTypeOfTarget } from '@oa-archive/convert';
import { admittedComponent, openContent } from './contentAccess.ts';
import type { ConsoleDeps } from './deps.ts';
import { html, type Html } from './html.ts';
import { localeOf } from './locale.ts';
import type { View } from './view.ts';

/**
 * Previews: a component's preservation copy (its original when it has none) shown in the browser, PDF
 * in the browser's viewer, images, audio and video in their players. Only formats a browser renders
 * as media are served inline, never HTML, SVG or office files, and with headers that keep the bytes
 * from being taken for anything else.
 */

export type PreviewKind = 'pdf' | 'image' | 'audio' | 'video';

const PREVIEWABLE: Record<string, PreviewKind> = {
  'application/pdf': 'pdf',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'audio/mpeg': 'audio',
  'audio/wav': 'audio',
  'audio/x-wav': 'audio',
  'audio/wave': 'audio',
  'audio/ogg': 'audio',
  'audio/mp4': 'audio',
  'video/mp4': 'video',
  'video/webm': 'video',
  'video/ogg': 'video',
};

const bare = (mediaType: string | null | undefined) => (mediaType ?? '').split(';')[0]!.trim().toLowerCase();

/** What a preview shows of one component: the object to read, as what, and whether it is the preservation copy. */
export interface PreviewSource {
  bucket: string;
  key: string;
  mediaType: string;
  kind: PreviewKind | undefined;
  fileName: string;
  copy: boolean;
}

/**
 * The preservation copy where there is one (deposited, else still in staging for a document waiting for
 * review), else the original; undefined when neither is stored.
 */
export function previewSourceOf(
  component: ComponentRecord,
  characterization: Pick<CharacterizationRecord, 'mediaType'> | undefined,
  copy: PreservationCopyRecord | undefined,
  stagingBucket: string,
): PreviewSource | undefined {
  const originalType = bare(characterization?.mediaType ?? component.declaredMediaType);
  const where = (archiveKey: string | null, stagingKey: string | null) =>
    archiveKey && component.archiveBucket ? { bucket: component.archiveBucket, key: archiveKey } : stagingKey ? { bucket: stagingBucket, key: stagingKey } : undefined;
  const copyAt = copy ? where(copy.archiveKey, copy.stagingKey) : undefined;
  if (copy && copyAt) {
    const mediaType = copy.action === 'convert' && copy.target ? (mediaTypeOfTarget(copy.target) ?? 'application/octet-stream') : originalType;
    return { ...copyAt, mediaType, kind: PREVIEWABLE[mediaType], fileName: copy.fileName, copy: true };
  }
  const originalAt = where(component.archiveKey, component.stagingKey);
  return originalAt ? { ...originalAt, mediaType: originalType, kind: PREVIEWABLE[originalType], fileName: component.fileName, copy: false } : undefined;
}

/** The first finding that keeps a component out of the browser (a virus, macros, scripts in a PDF …). */
export const unsafeFindingOf = (characterization: Pick<CharacterizationRecord, 'findings'> | undefined) => characterization?.findings.find((f) => f.severity === 'unsafe')?.code;

/** Where the preview of a component is served. */
export const previewUrl = (ingestId: string, ordinal: number) => `/api/ingests/${encodeURIComponent(ingestId)}/components/${ordinal}/preview`;

/**
 * The response's own policy: nothing loads but the medium itself, no script runs; a PDF keeps the
 * browser's viewer (which a sandboxed document cannot have), everything else is sandboxed too.
 */
const previewPolicy = (kind: PreviewKind) =>
  kind === 'pdf'
    ? "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    : "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox";

/**
 * `GET /api/ingests/:id/components/:ordinal/preview`: the component shown inline, for the roles its access
 * restriction admits (as for downloads, contentAccess.ts). Refused for a quarantined document, a
 * component with an unsafe finding, and any format a browser does not render as media.
 */
export function registerPreviewRoute(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get<{ Params: { id: string; ordinal: string } }>('/api/ingests/:id/components/:ordinal/preview', { config: { role: 'viewer' } }, async (request, reply) => {
    const admitted = await admittedComponent(deps, request, reply, request.params.id, request.params.ordinal);
    if (!admitted) return reply;
    const { ingest, component } = admitted;
    const locale = localeOf(request);
    const pool = deps.catalog.pool;
    const [characterizations, copies, classification] = await Promise.all([characterizationsOf(pool, ingest.ingestId), preservationCopiesOf(pool, ingest.ingestId), classificationOf(pool, ingest.ingestId)]);
    const characterization = characterizations.find((c) => c.ordinal === component.ordinal);
    const unsafe = ingest.status === 'QUARANTINED' || classification?.outcome === 'QUARANTINE' ? 'quarantine' : unsafeFindingOf(characterization);
    if (unsafe) return reply.code(403).send({ error: render('preview.unsafe', { finding: unsafe }, locale), code: 'preview.unsafe' });
    const source = previewSourceOf(component, characterization, copies.find((c) => c.ordinal === component.ordinal), deps.config.S3_STAGING_BUCKET);
    if (!source) return reply.code(404).send({ error: render('preview.noContent', { ordinal: component.ordinal }, locale), code: 'preview.noContent' });
    if (!source.kind) return reply.code(415).send({ error: render('preview.unsupported', { mediaType: source.mediaType || '?' }, locale), code: 'preview.unsupported' });
    const body = await openContent(deps, request, reply, ingest.ingestId, source, { use: 'preview', ordinal: component.ordinal, copy: source.copy ? 'preservation' : 'original', restricted: admitted.restricted });
    if (!body) return reply;
    request.log.info({ ingestId: ingest.ingestId, ordinal: component.ordinal, principal: request.principal!.name, copy: source.copy, range: request.headers.range }, 'content previewed');
    return reply
      .header('content-type', source.mediaType)
      .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(source.fileName)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', previewPolicy(source.kind))
      .header('x-frame-options', 'SAMEORIGIN')
      .header('cache-control', 'private, no-store')
      .header('cross-origin-resource-policy', 'same-origin')
      .send(body);
  });
}

/**
 * A component's preview on a page: a disclosure that opens its player (loaded only when opened, so a
 * long review queue does not fetch every file), and a link to open it alone. Nothing for a format the
 * browser cannot show or a component that must not be opened in it.
 */
export function previewPlayer(v: View, ingestId: string, ordinal: number, source: PreviewSource | undefined, unsafe: string | undefined): Html {
  if (!source) return html``;
  if (unsafe || !source.kind) return html`<span class="muted preview-none" data-ordinal="${ordinal}">${v.t('review.previewNone')}</span>`;
  const url = previewUrl(ingestId, ordinal);
  return html`<details class="preview" data-src="${url}" data-kind="${source.kind}" data-ordinal="${ordinal}" ontoggle="openPreview(this)"><summary>${v.t('review.preview', { file: source.fileName })}</summary>
    <a href="${url}" target="_blank" rel="noopener">${v.t('review.previewOpen')}</a></details>`;
}

/** Puts the player into an opened preview: <iframe> for PDF, <img>, <audio controls>, <video controls>. */
export const PREVIEW_SCRIPT = `<script>
function openPreview(d){
  if(!d.open||d.querySelector('.player')) return;
  const kind=d.dataset.kind, src=d.dataset.src, label=d.querySelector('summary').textContent;
  const el=document.createElement(kind==='pdf'?'iframe':kind==='image'?'img':kind);
  el.className='player'; el.src=src; el.setAttribute(kind==='image'?'alt':'title',label);
  if(kind==='audio'||kind==='video') el.controls=true;
  if(kind==='pdf'){ el.width='100%'; el.height='480'; }
  if(kind==='image'||kind==='video') el.style.maxWidth='100%';
  d.insertBefore(el,d.querySelector('a'));
}
</script>`;
