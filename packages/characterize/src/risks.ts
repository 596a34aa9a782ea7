import type { Tags } from 'exiftool-vendored';
import { archiveFindings } from './archiveRisks.ts';
import { extensionAgrees, mediaTypeAgrees } from './claims.ts';
import { compoundFindings } from './compoundRisks.ts';
import { claimedExtension, unsafeFileNameReasons } from './fileName.ts';
import { formatBytes } from '@oa-archive/contracts';
import { finding, mergeFindings } from './findings.ts';
import { jpegProblem, pngProblem } from './imageIntegrity.ts';
import { packageFindings } from './packageRisks.ts';
import { pdfFindings } from './pdfRisks.ts';
import { tagFindings } from './tagRisks.ts';
import type { Finding, FormatIdentification, RiskLimits } from './types.ts';

/**
 * Every applicable finding for one component: what the OA claims about it (name, extension,
 * media type) against what its bytes are, then the checks for its format family.
 */

export interface ScanRisksArgs {
  filePath: string;
  fileName: string;
  size: number;
  declaredMediaType?: string | null;
  identification: FormatIdentification;
  tags: Tags;
  limits: RiskLimits;
}

const ZIP_PACKAGES = new Set(['DOCX', 'XLSX', 'PPTX', 'DOCM', 'XLSM', 'PPTM', 'ODT', 'ODS', 'ODP', 'OFD']);
const COMPOUND_FILES = new Set(['DOC', 'XLS', 'PPT', 'Encrypted OOXML', 'MSG', 'OLE compound file']);
const ARCHIVES = new Set(['ZIP', 'RAR', '7z']);

export async function scanRisks(args: ScanRisksArgs): Promise<Finding[]> {
  const findings = [...nameFindings(args.fileName)];
  if (args.size === 0) {
    findings.push(finding('zero-bytes', 'File is empty (0 bytes); ask the OA system to send the component again.'));
    return mergeFindings(findings);
  }
  findings.push(...claimFindings(args));
  if (args.size > args.limits.maxBytes) {
    findings.push(finding('too-large', `File is ${formatBytes(args.size)}, over the ${formatBytes(args.limits.maxBytes)} limit, and was not inspected; check it by hand.`));
    return mergeFindings(findings);
  }
  try {
    findings.push(...(await contentFindings(args)));
  } catch (error) {
    findings.push(finding('corrupt', `${args.identification.formatName} could not be inspected: ${(error as Error).message}; check it by hand.`));
  }
  // exiftool guesses the format from the name first; on bytes we cannot identify, its
  // "format error" is about the name and unidentified-format already says it.
  const unknown = args.identification.formatName === 'unknown';
  findings.push(...tagFindings(args.tags).filter((f) => !(unknown && f.code === 'corrupt')));
  return mergeFindings(findings);
}

function nameFindings(fileName: string): Finding[] {
  const reasons = unsafeFileNameReasons(fileName);
  if (!reasons.length) return [];
  return [finding('unsafe-file-name', `File name ${JSON.stringify(fileName)} ${reasons.join(', ')}; rename it before filing.`)];
}

function claimFindings({ fileName, declaredMediaType, identification }: ScanRisksArgs): Finding[] {
  if (identification.formatName === 'unknown') {
    return [finding('unidentified-format', 'The format cannot be identified from the bytes; check the file by hand.')];
  }
  const findings: Finding[] = [];
  const extension = claimedExtension(fileName);
  if (extension && !extensionAgrees(extension, identification)) {
    findings.push(
      finding('extension-mismatch', `File name ends in .${extension} but the bytes are ${identification.formatName} (.${identification.extension}); confirm which is right and correct the name.`),
    );
  }
  if (declaredMediaType && !mediaTypeAgrees(declaredMediaType, identification)) {
    findings.push(
      finding('media-type-mismatch', `The OA declared ${declaredMediaType} but the bytes are ${identification.formatName} (${identification.mediaType}); correct the declared media type.`),
    );
  }
  return findings;
}

async function contentFindings({ filePath, size, identification, limits }: ScanRisksArgs): Promise<Finding[]> {
  const kind = identification.formatName;
  if (identification.mediaType === 'application/pdf') return pdfFindings(filePath);
  if (ZIP_PACKAGES.has(kind)) return packageFindings(filePath, identification);
  if (COMPOUND_FILES.has(kind)) return compoundFindings(filePath, identification);
  if (ARCHIVES.has(kind)) return archiveFindings(filePath, size, identification, limits);
  const problem = kind === 'JPEG' ? await jpegProblem(filePath) : kind === 'PNG' ? await pngProblem(filePath) : null;
  return problem ? [finding('corrupt', `${kind} image ${problem}; request a complete copy.`)] : [];
}
