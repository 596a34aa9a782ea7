import type { FormatIdentification } from './types.ts';

/** The formats this package names, with their media type, canonical extension and PRONOM PUID. */

export type FormatDescriptor = Omit<FormatIdentification, 'formatVersion' | 'basis'>;

const text = 'text' as const;
const photo = 'photo' as const;
const audio = 'audio' as const;
const video = 'video' as const;
const archive = 'archive' as const;

// PUID null here means "depends on the version"; see the tables below.
export const FORMATS = {
  PDF: { formatName: 'PDF', mediaType: 'application/pdf', extension: 'pdf', puid: null, mediaKind: text },
  DOC: { formatName: 'DOC', mediaType: 'application/msword', extension: 'doc', puid: 'fmt/40', mediaKind: text },
  XLS: { formatName: 'XLS', mediaType: 'application/vnd.ms-excel', extension: 'xls', puid: 'fmt/61', mediaKind: text },
  PPT: { formatName: 'PPT', mediaType: 'application/vnd.ms-powerpoint', extension: 'ppt', puid: 'fmt/126', mediaKind: text },
  // A password-protected .docx/.xlsx/.pptx is an OLE container; its real kind is not visible.
  OOXML_ENCRYPTED: { formatName: 'Encrypted OOXML', mediaType: 'application/x-cfb', extension: 'docx', puid: 'fmt/494', mediaKind: text },
  MSG: { formatName: 'MSG', mediaType: 'application/vnd.ms-outlook', extension: 'msg', puid: 'x-fmt/430', mediaKind: text },
  CFB: { formatName: 'OLE compound file', mediaType: 'application/x-cfb', extension: 'cfb', puid: null, mediaKind: 'other' as const },
  DOCX: { formatName: 'DOCX', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx', puid: 'fmt/412', mediaKind: text },
  XLSX: { formatName: 'XLSX', mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx', puid: 'fmt/214', mediaKind: text },
  PPTX: { formatName: 'PPTX', mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extension: 'pptx', puid: 'fmt/215', mediaKind: text },
  DOCM: { formatName: 'DOCM', mediaType: 'application/vnd.ms-word.document.macroEnabled.12', extension: 'docm', puid: 'fmt/523', mediaKind: text },
  XLSM: { formatName: 'XLSM', mediaType: 'application/vnd.ms-excel.sheet.macroEnabled.12', extension: 'xlsm', puid: 'fmt/445', mediaKind: text },
  PPTM: { formatName: 'PPTM', mediaType: 'application/vnd.ms-powerpoint.presentation.macroEnabled.12', extension: 'pptm', puid: 'fmt/487', mediaKind: text },
  ODT: { formatName: 'ODT', mediaType: 'application/vnd.oasis.opendocument.text', extension: 'odt', puid: null, mediaKind: text },
  ODS: { formatName: 'ODS', mediaType: 'application/vnd.oasis.opendocument.spreadsheet', extension: 'ods', puid: null, mediaKind: text },
  ODP: { formatName: 'ODP', mediaType: 'application/vnd.oasis.opendocument.presentation', extension: 'odp', puid: null, mediaKind: text },
  // RTF's header never states its minor version; fmt/355 (RTF 1.9) is what current writers produce.
  RTF: { formatName: 'RTF', mediaType: 'application/rtf', extension: 'rtf', puid: 'fmt/355', mediaKind: text },
  // OFD (GB/T 33190-2016) has no PRONOM entry.
  OFD: { formatName: 'OFD', mediaType: 'application/ofd', extension: 'ofd', puid: null, mediaKind: text },
  TXT: { formatName: 'TXT', mediaType: 'text/plain', extension: 'txt', puid: 'x-fmt/111', mediaKind: text },
  XML: { formatName: 'XML', mediaType: 'application/xml', extension: 'xml', puid: 'fmt/101', mediaKind: text },
  HTML: { formatName: 'HTML', mediaType: 'text/html', extension: 'html', puid: 'fmt/96', mediaKind: text },
  JPEG: { formatName: 'JPEG', mediaType: 'image/jpeg', extension: 'jpg', puid: null, mediaKind: photo },
  // PNG 1.0 (fmt/11): the baseline every PNG meets; 1.1/1.2 differ only by optional chunks.
  PNG: { formatName: 'PNG', mediaType: 'image/png', extension: 'png', puid: 'fmt/11', mediaKind: photo },
  TIFF: { formatName: 'TIFF', mediaType: 'image/tiff', extension: 'tif', puid: 'fmt/353', mediaKind: photo },
  GIF: { formatName: 'GIF', mediaType: 'image/gif', extension: 'gif', puid: null, mediaKind: photo },
  BMP: { formatName: 'BMP', mediaType: 'image/bmp', extension: 'bmp', puid: null, mediaKind: photo },
  WAV: { formatName: 'WAV', mediaType: 'audio/wav', extension: 'wav', puid: 'fmt/6', mediaKind: audio },
  MP3: { formatName: 'MP3', mediaType: 'audio/mpeg', extension: 'mp3', puid: 'fmt/134', mediaKind: audio },
  MP4: { formatName: 'MP4', mediaType: 'video/mp4', extension: 'mp4', puid: 'fmt/199', mediaKind: video },
  AVI: { formatName: 'AVI', mediaType: 'video/vnd.avi', extension: 'avi', puid: 'fmt/5', mediaKind: video },
  ZIP: { formatName: 'ZIP', mediaType: 'application/zip', extension: 'zip', puid: 'x-fmt/263', mediaKind: archive },
  // RAR 4 signature: fmt/411 (RAR 2.9, written by WinRAR 2.9–4.x) is the common one; x-fmt/264 (2.0) is not told apart.
  RAR: { formatName: 'RAR', mediaType: 'application/vnd.rar', extension: 'rar', puid: 'fmt/411', mediaKind: archive },
  SEVEN_ZIP: { formatName: '7z', mediaType: 'application/x-7z-compressed', extension: '7z', puid: 'fmt/484', mediaKind: archive },
  UNKNOWN: { formatName: 'unknown', mediaType: 'application/octet-stream', extension: 'bin', puid: null, mediaKind: 'other' as const },
} satisfies Record<string, FormatDescriptor>;

export type FormatKey = keyof typeof FORMATS;

export const PDF_PUIDS: Record<string, string> = {
  '1.0': 'fmt/14', '1.1': 'fmt/15', '1.2': 'fmt/16', '1.3': 'fmt/17', '1.4': 'fmt/18',
  '1.5': 'fmt/19', '1.6': 'fmt/20', '1.7': 'fmt/276', '2.0': 'fmt/1129',
};

/** Keyed by part + conformance letter in lower case ('2b'); PDF/A-4 may have no letter. */
export const PDFA_PUIDS: Record<string, string> = {
  '1a': 'fmt/95', '1b': 'fmt/354', '2a': 'fmt/476', '2b': 'fmt/477', '2u': 'fmt/478',
  '3a': 'fmt/479', '3b': 'fmt/480', '3u': 'fmt/481', '4': 'fmt/1910', '4e': 'fmt/1911', '4f': 'fmt/1912',
};

export const JFIF_PUIDS: Record<string, string> = { '1.00': 'fmt/42', '1.01': 'fmt/43', '1.02': 'fmt/44' };
/** Exif-JPEG by ExifVersion tag ('0220'); later versions fall back to 2.21, the newest we are sure of. */
export const EXIF_PUIDS: Record<string, string> = { '0200': 'x-fmt/398', '0210': 'x-fmt/390', '0220': 'x-fmt/391', '0221': 'fmt/645' };
export const EXIF_LATER_PUID = 'fmt/645';
/** JPEG with neither JFIF nor Exif header. */
export const RAW_JPEG_PUID = 'fmt/41';

export const GIF_PUIDS: Record<string, string> = { '87a': 'fmt/3', '89a': 'fmt/4' };

/** BMP by DIB header size: core (Windows 2.x), info (3.x), V4, V5. 3.0 NT (fmt/117) is not told apart. */
export const BMP_PUIDS: Record<number, { version: string; puid: string }> = {
  12: { version: '2.0', puid: 'fmt/115' },
  40: { version: '3.0', puid: 'fmt/116' },
  108: { version: '4.0', puid: 'fmt/118' },
  124: { version: '5.0', puid: 'fmt/119' },
};

/** WAVE by fmt chunk size (PCMWAVEFORMAT, WAVEFORMATEX, WAVEFORMATEXTENSIBLE); else generic fmt/6. BWF is not told apart. */
export const WAVE_PUIDS: Record<number, string> = { 16: 'fmt/141', 18: 'fmt/142', 40: 'fmt/143' };

/** ODF by office version; an unstated version gets 1.2's PUID, the most widely written. */
export const ODF_PUIDS: Record<'ODT' | 'ODS' | 'ODP', Record<string, string>> = {
  ODT: { '1.0': 'fmt/136', '1.1': 'fmt/290', '1.2': 'fmt/291', '1.3': 'fmt/1756' },
  ODS: { '1.0': 'fmt/137', '1.1': 'fmt/294', '1.2': 'fmt/295', '1.3': 'fmt/1755' },
  ODP: { '1.0': 'fmt/138', '1.1': 'fmt/292', '1.2': 'fmt/293', '1.3': 'fmt/1754' },
};

/** RAR 5 has its own signature and PUID. */
export const RAR5_PUID = 'fmt/613';
/** HTML5 (`<!DOCTYPE html>`) has its own PUID; other HTML gets the generic fmt/96. */
export const HTML5_PUID = 'fmt/471';
