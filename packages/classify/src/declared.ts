import type { DocumentFinalizedData } from '@oa-archive/contracts';
import type { ComponentFacts } from './engine.ts';
import type { MediaKind } from './schedule.ts';

/** A media kind from a declared media type, for dry runs that have the event but not the bytes. */
export function mediaKindOfMediaType(mediaType: string | undefined): MediaKind {
  if (!mediaType) return 'other';
  if (mediaType.startsWith('image/')) return 'photo';
  if (mediaType.startsWith('audio/')) return 'audio';
  if (mediaType.startsWith('video/')) return 'video';
  if (/zip|rar|7z|x-tar|gzip/.test(mediaType) && !/officedocument|opendocument|ofd/.test(mediaType)) return 'archive';
  return 'text';
}

/** Component facts as far as the event alone tells them (no findings: nothing was read). */
export function declaredComponentFacts(data: DocumentFinalizedData): ComponentFacts[] {
  return data.components.map((c, i) => ({ ordinal: i + 1, role: c.role, mediaKind: mediaKindOfMediaType(c.mediaType), findings: [] }));
}
