/** What the bytes of one component are, independent of what its name or the OA claims. */
export interface FormatIdentification {
  /** Short format name as a records officer reads it: 'PDF', 'PDF/A-2b', 'DOCX', 'DOC', 'JPEG', 'OFD', 'TXT' … */
  formatName: string;
  /** Version where the bytes tell it: PDF '1.7', GIF '89a', ODF '1.2' … */
  formatVersion?: string;
  /** Media type from the bytes. */
  mediaType: string;
  /** Canonical extension without dot: 'pdf', 'docx', 'jpg' … */
  extension: string;
  /** PRONOM identifier where the format is a common one, else null. */
  puid: string | null;
  /** Drives the default archival category (照片 ZP, 录音 LY, 录像 LX, else 文书 WS). */
  mediaKind: 'text' | 'photo' | 'audio' | 'video' | 'archive' | 'other';
  /** How it was identified, for the record: e.g. "file-type: pdf; XMP pdfaid 2B". */
  basis: string;
}

/**
 * A recorded observation about a component. `unsafe` findings keep a document out of the open
 * archive (QUARANTINE); `integrity` and `authenticity` findings send it to a person (REVIEW);
 * `info` is recorded only.
 */
export interface Finding {
  code: FindingCode;
  severity: 'unsafe' | 'integrity' | 'authenticity' | 'info';
  /** One line a records officer can act on (as written then; pages render `code` + `params` in the reader's language). */
  message: string;
  /** Parameters of the finding's message (packages/messages `finding.<code>`); `detail`: the tool's own words. */
  params?: Record<string, string | number>;
}

export type FindingCode =
  | 'zero-bytes'
  | 'corrupt'
  | 'encrypted'
  | 'macros'
  | 'pdf-javascript'
  | 'pdf-embedded-file'
  | 'pdf-launch-action'
  | 'archive'
  | 'archive-too-many-entries'
  | 'archive-too-large'
  | 'archive-nested'
  | 'archive-encrypted'
  | 'too-large'
  | 'unsafe-file-name'
  | 'extension-mismatch'
  | 'media-type-mismatch'
  | 'digest-mismatch'
  | 'size-mismatch'
  | 'unidentified-format'
  | 'missing-metadata'
  | 'virus-detected'
  | 'signature-invalid'
  | 'signature-unverifiable';

export interface RiskLimits {
  /** Largest component accepted, bytes. */
  maxBytes: number;
  /** Bounds for looking inside archives (never unpacked). */
  archiveMaxEntries: number;
  archiveMaxTotalBytes: number;
  archiveMaxNesting: number;
}
