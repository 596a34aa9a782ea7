import type { Tags } from 'exiftool-vendored';
import { fileTypeFromFile, type FileTypeResult } from 'file-type';
import { readCompoundFile } from './compoundFile.ts';
import { readHead } from './fileBytes.ts';
import {
  BMP_PUIDS, EXIF_LATER_PUID, EXIF_PUIDS, FORMATS, GIF_PUIDS, HTML5_PUID, JFIF_PUIDS, ODF_PUIDS, PDF_PUIDS, PDFA_PUIDS,
  RAR5_PUID, RAW_JPEG_PUID, WAVE_PUIDS, type FormatKey,
} from './formats.ts';
import { tagString } from './tags.ts';
import { htmlKind, sniffText } from './textSniff.ts';
import type { FormatIdentification } from './types.ts';
import { readZipDirectory, type ZipDirectory } from './zipDirectory.ts';

/**
 * Says what a component is from its bytes alone: file-type's signatures, a few checks of our own
 * (OLE stream names, ZIP entries, text encodings) and exiftool's tags read from inside the file
 * (XMP pdfaid, ExifVersion). exiftool's FileType is only recorded in the basis, because exiftool
 * starts from the file name; the name itself is never consulted here.
 */

const HEAD_BYTES = 64 * 1024;

interface Extra {
  basis: string[];
  formatVersion?: string;
  puid?: string | null;
  formatName?: string;
}

function describe(key: FormatKey, extra: Extra): FormatIdentification {
  const base = FORMATS[key];
  const result: FormatIdentification = { ...base, basis: extra.basis.join('; ') };
  if (extra.formatName) result.formatName = extra.formatName;
  if (extra.puid !== undefined) result.puid = extra.puid;
  if (extra.formatVersion) result.formatVersion = extra.formatVersion;
  return result;
}

export async function identifyFormat(filePath: string, tags: Tags): Promise<FormatIdentification> {
  const head = await readHead(filePath, HEAD_BYTES);
  if (head.length === 0) return describe('UNKNOWN', { basis: ['empty file'] });
  const detected = await fileTypeFromFile(filePath);
  const basis = [detected ? `file-type: ${detected.ext}` : 'file-type: no signature'];
  const exifType = tagString(tags, 'FileType');
  if (exifType) basis.push(`exiftool: ${exifType}`);

  if (!detected) {
    // PDF readers accept up to 1 KiB of junk before the header; file-type only looks at byte 0.
    const pdfAt = head.subarray(0, 1024).indexOf('%PDF-');
    if (pdfAt > 0) return identifyPdf(head, tags, [...basis, `%PDF- header at byte ${pdfAt}`]);
    return identifyUnsigned(head, basis);
  }

  switch (detected.ext) {
    case 'pdf':
      return identifyPdf(head, tags, basis);
    case 'cfb':
      return identifyCompound(filePath, exifType, basis);
    case 'zip': case 'docx': case 'xlsx': case 'pptx': case 'docm': case 'xlsm': case 'pptm': case 'odt': case 'ods': case 'odp':
      return identifyZip(filePath, detected, basis);
    case 'rtf':
      return describe('RTF', { basis });
    case 'xml':
      return describe('XML', { basis });
    case 'jpg':
      return identifyJpeg(head, tags, basis);
    case 'png':
      return describe('PNG', { basis });
    case 'tif':
      return describe('TIFF', { basis });
    case 'gif': {
      const version = head.toString('latin1', 3, 6);
      return describe('GIF', { basis, formatVersion: version, puid: GIF_PUIDS[version] ?? null });
    }
    case 'bmp': {
      const known = head.length >= 18 ? BMP_PUIDS[head.readUInt32LE(14)] : undefined;
      return describe('BMP', { basis, formatVersion: known?.version, puid: known?.puid ?? null });
    }
    case 'wav':
      return describe('WAV', { basis, puid: waveFmtPuid(head) });
    case 'mp3':
      return describe('MP3', { basis });
    case 'mp4':
      return describe('MP4', { basis });
    case 'avi':
      return describe('AVI', { basis });
    case 'rar':
      // Byte 6 is 0 for RAR 1.5–4.x and 1 for RAR 5.
      return head[6] === 1 ? describe('RAR', { basis, formatVersion: '5', puid: RAR5_PUID }) : describe('RAR', { basis });
    case '7z':
      return describe('SEVEN_ZIP', { basis, formatVersion: `${head[6]}.${head[7]}` });
    default:
      return fromFileType(detected, basis);
  }
}

/** A format file-type knows and we do not name ourselves: keep its answer. */
function fromFileType(detected: FileTypeResult, basis: string[]): FormatIdentification {
  const top = detected.mime.split('/')[0];
  const mediaKind = top === 'image' ? 'photo' : top === 'audio' ? 'audio' : top === 'video' ? 'video' : 'other';
  return { formatName: detected.ext.toUpperCase(), mediaType: detected.mime, extension: detected.ext, puid: null, mediaKind, basis: basis.join('; ') };
}

function identifyPdf(head: Buffer, tags: Tags, basis: string[]): FormatIdentification {
  const version = /%PDF-(\d\.\d)/.exec(head.toString('latin1', 0, 1024))?.[1];
  const pdfPuid = version ? (PDF_PUIDS[version] ?? null) : null;
  // exiftool reads pdfaid:part/conformance from the XMP metadata as Part and Conformance (group XMP-pdfaid).
  const part = tagString(tags, 'Part', 'XMP-pdfaid:Part', 'XMP:Part');
  const conformance = (tagString(tags, 'Conformance', 'XMP-pdfaid:Conformance', 'XMP:Conformance') ?? '').toLowerCase();
  // PDF/A-1 to 3 always state a conformance level; only PDF/A-4 may omit it (a bare part may be PDF/UA's).
  const claimsPdfA = part !== undefined && (/^[1-3]$/.test(part) ? /^[abu]$/.test(conformance) : part === '4' && /^[ef]?$/.test(conformance));
  if (claimsPdfA) {
    basis.push(`XMP pdfaid ${part}${conformance.toUpperCase()}`);
    return describe('PDF', { basis, formatName: `PDF/A-${part}${conformance}`, formatVersion: version, puid: PDFA_PUIDS[`${part}${conformance}`] ?? pdfPuid });
  }
  return describe('PDF', { basis, formatVersion: version, puid: pdfPuid });
}

function identifyJpeg(head: Buffer, tags: Tags, basis: string[]): FormatIdentification {
  // The first application segment says which flavour: APP0 JFIF or APP1 Exif.
  if (head[2] === 0xff && head[3] === 0xe0 && head.toString('latin1', 6, 11) === 'JFIF\0') {
    const version = `${head[11]}.${String(head[12]).padStart(2, '0')}`;
    // An unlisted JFIF version gets 1.01's PUID, by far the most common.
    return describe('JPEG', { basis: [...basis, `JFIF ${version}`], formatVersion: version, puid: JFIF_PUIDS[version] ?? JFIF_PUIDS['1.01']! });
  }
  if (head[2] === 0xff && head[3] === 0xe1 && head.toString('latin1', 6, 12) === 'Exif\0\0') {
    const exifVersion = tagString(tags, 'ExifVersion');
    const formatVersion = exifVersion && /^\d{4}$/.test(exifVersion) ? `${Number(exifVersion.slice(0, 2))}.${exifVersion.slice(2)}` : undefined;
    const puid = exifVersion ? (EXIF_PUIDS[exifVersion] ?? EXIF_LATER_PUID) : EXIF_LATER_PUID;
    return describe('JPEG', { basis: [...basis, `Exif ${formatVersion ?? 'version unknown'}`], formatVersion, puid });
  }
  return describe('JPEG', { basis, puid: RAW_JPEG_PUID });
}

/** PCMWAVEFORMAT, WAVEFORMATEX or WAVEFORMATEXTENSIBLE, told by the size of the fmt chunk. */
function waveFmtPuid(head: Buffer): string {
  for (let at = 12; at + 8 <= head.length; ) {
    const size = head.readUInt32LE(at + 4);
    if (head.toString('latin1', at, at + 4) === 'fmt ') return WAVE_PUIDS[size] ?? FORMATS.WAV.puid;
    at += 8 + size + (size % 2);
  }
  return FORMATS.WAV.puid;
}

async function identifyCompound(filePath: string, exifType: string | undefined, basis: string[]): Promise<FormatIdentification> {
  let names: Set<string>;
  try {
    names = new Set((await readCompoundFile(filePath)).entries.map((entry) => entry.path));
  } catch (error) {
    // Unreadable directory: exiftool's verdict is all there is (scanRisks reports the damage).
    basis.push(`OLE directory unreadable: ${(error as Error).message}`);
    const fallback = ({ DOC: 'DOC', XLS: 'XLS', PPT: 'PPT' } as const)[exifType ?? ''];
    if (fallback) basis.push(`kind taken from exiftool, which may rest on the name`);
    return describe(fallback ?? 'CFB', { basis });
  }
  const has = (name: string) => names.has(name);
  if (has('EncryptionInfo') && has('EncryptedPackage')) return describe('OOXML_ENCRYPTED', { basis: [...basis, 'streams EncryptionInfo + EncryptedPackage'] });
  if (has('WordDocument')) return describe('DOC', { basis: [...basis, 'stream WordDocument'] });
  if (has('Workbook') || has('Book')) return describe('XLS', { basis: [...basis, `stream ${has('Workbook') ? 'Workbook' : 'Book'}`] });
  if (has('PowerPoint Document')) return describe('PPT', { basis: [...basis, 'stream PowerPoint Document'] });
  if ([...names].some((name) => name.startsWith('__substg1.0_') || name === '__properties_version1.0')) {
    return describe('MSG', { basis: [...basis, 'Outlook property streams'] });
  }
  return describe('CFB', { basis });
}

const ODF_TYPES: Record<string, 'ODT' | 'ODS' | 'ODP'> = {
  'application/vnd.oasis.opendocument.text': 'ODT',
  'application/vnd.oasis.opendocument.spreadsheet': 'ODS',
  'application/vnd.oasis.opendocument.presentation': 'ODP',
};

/** Main-part content types in [Content_Types].xml, in lower case. */
const OOXML_TYPES: [string, FormatKey][] = [
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml', 'DOCX'],
  ['application/vnd.ms-word.document.macroenabled.main+xml', 'DOCM'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml', 'XLSX'],
  ['application/vnd.ms-excel.sheet.macroenabled.main+xml', 'XLSM'],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml', 'PPTX'],
  ['application/vnd.ms-powerpoint.presentation.macroenabled.main+xml', 'PPTM'],
];

const ZIP_TEXTS: Record<string, number> = {
  mimetype: 256,
  '[Content_Types].xml': 256 * 1024,
  'META-INF/manifest.xml': 256 * 1024,
  'content.xml': 4096,
  'OFD.xml': 4096,
};

async function identifyZip(filePath: string, detected: FileTypeResult, basis: string[]): Promise<FormatIdentification> {
  let directory: ZipDirectory;
  try {
    directory = await readZipDirectory(filePath, { maxEntries: 100_000, readBytes: (name) => ZIP_TEXTS[name] });
  } catch (error) {
    basis.push(`ZIP directory unreadable: ${(error as Error).message}`);
    return fromZipSignature(detected, basis);
  }
  const names = new Set(directory.entries.map((entry) => entry.name));
  const text = (name: string) => directory.texts.get(name);

  if (names.has('OFD.xml')) {
    const version = /<ofd:OFD\b[^>]*\bVersion="([^"]+)"/.exec(text('OFD.xml') ?? '')?.[1];
    return describe('OFD', { basis: [...basis, 'OFD.xml at root'], formatVersion: version });
  }

  const odf = ODF_TYPES[(text('mimetype') ?? '').trim()];
  if (odf) {
    const version =
      /<manifest:manifest\b[^>]*\bmanifest:version="([\d.]+)"/.exec(text('META-INF/manifest.xml') ?? '')?.[1] ??
      /\boffice:version="([\d.]+)"/.exec(text('content.xml') ?? '')?.[1];
    // Without a stated version, use 1.2's PUID, the most widely written.
    const puid = ODF_PUIDS[odf][version ?? '1.2'] ?? ODF_PUIDS[odf]['1.2']!;
    return describe(odf, { basis: [...basis, `mimetype ${FORMATS[odf].mediaType}`], formatVersion: version, puid });
  }

  const contentTypes = text('[Content_Types].xml')?.toLowerCase();
  if (contentTypes) {
    const match = OOXML_TYPES.find(([type]) => contentTypes.includes(`contenttype="${type}"`));
    if (match) return describe(match[1], { basis: [...basis, `main part ${match[0]}`] });
  }
  return fromZipSignature(detected, basis);
}

/** file-type's verdict on a ZIP-based file when the central directory says no more. */
function fromZipSignature(detected: FileTypeResult, basis: string[]): FormatIdentification {
  const key = detected.ext.toUpperCase();
  if (key === 'ODT' || key === 'ODS' || key === 'ODP') return describe(key, { basis, puid: ODF_PUIDS[key]['1.2']! });
  return key in FORMATS ? describe(key as FormatKey, { basis }) : describe('ZIP', { basis });
}

/** No binary signature: plain text (UTF-8, GB18030, UTF-16 with BOM), HTML, or unknown. */
function identifyUnsigned(head: Buffer, basis: string[]): FormatIdentification {
  const sniff = sniffText(head, head.length < HEAD_BYTES);
  if (!sniff) return describe('UNKNOWN', { basis });
  const html = htmlKind(sniff.text);
  if (html) return describe('HTML', { basis: [...basis, `text: ${sniff.encoding}`], puid: html === 'html5' ? HTML5_PUID : FORMATS.HTML.puid });
  return describe('TXT', { basis: [...basis, `text: ${sniff.encoding}`] });
}
