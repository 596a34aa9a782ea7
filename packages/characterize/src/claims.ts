import type { FormatIdentification } from './types.ts';

/** Whether what the OA claims (name extension, declared media type) agrees with what the bytes are. */

const EXTENSION_ALIASES: string[][] = [
  ['jpg', 'jpeg', 'jpe', 'jfif'],
  ['tif', 'tiff'],
  ['htm', 'html'],
  ['wav', 'wave'],
];

// Plain text has no signature: CSV, logs and the like are text by convention, not by bytes.
const TEXT_EXTENSIONS = ['txt', 'text', 'csv', 'tsv', 'log', 'md', 'json', 'ini'];
// A password-protected Office file is an opaque OLE container whatever its real kind.
const ENCRYPTED_OOXML_EXTENSIONS = ['docx', 'xlsx', 'pptx', 'docm', 'xlsm', 'pptm'];

function acceptedExtensions(identification: FormatIdentification): Set<string> {
  const accepted = new Set([identification.extension]);
  if (identification.formatName === 'TXT') TEXT_EXTENSIONS.forEach((e) => accepted.add(e));
  if (identification.formatName === 'Encrypted OOXML') ENCRYPTED_OOXML_EXTENSIONS.forEach((e) => accepted.add(e));
  for (const group of EXTENSION_ALIASES) if (group.some((e) => accepted.has(e))) group.forEach((e) => accepted.add(e));
  return accepted;
}

export function extensionAgrees(extension: string, identification: FormatIdentification): boolean {
  return acceptedExtensions(identification).has(extension.toLowerCase());
}

/** Spellings in circulation mapped to the one this package reports. */
const MEDIA_TYPE_ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-ms-bmp': 'image/bmp',
  'image/x-bmp': 'image/bmp',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'video/avi': 'video/vnd.avi',
  'video/msvideo': 'video/vnd.avi',
  'video/x-msvideo': 'video/vnd.avi',
  'application/x-zip-compressed': 'application/zip',
  'application/x-rar-compressed': 'application/vnd.rar',
  'application/x-pdf': 'application/pdf',
  'text/rtf': 'application/rtf',
  'text/xml': 'application/xml',
};

export function normalizeMediaType(mediaType: string): string {
  const bare = mediaType.split(';')[0]!.trim().toLowerCase();
  return MEDIA_TYPE_ALIASES[bare] ?? bare;
}

const OOXML_MEDIA_TYPE = /^application\/vnd\.(openxmlformats-officedocument\.|ms-(word|excel|powerpoint)\.[a-z.]*macroenabled)/;

/** application/octet-stream claims nothing, so it never disagrees. */
export function mediaTypeAgrees(declared: string, identification: FormatIdentification): boolean {
  const claimed = normalizeMediaType(declared);
  if (claimed === 'application/octet-stream' || claimed === normalizeMediaType(identification.mediaType)) return true;
  if (identification.formatName === 'TXT') return claimed.startsWith('text/');
  if (identification.formatName === 'Encrypted OOXML') return OOXML_MEDIA_TYPE.test(claimed);
  return false;
}
