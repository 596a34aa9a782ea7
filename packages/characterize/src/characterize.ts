import type { Tags } from 'exiftool-vendored';
import { identifyFormat } from './identify.ts';
import type { MetadataReader } from './metadataReader.ts';
import { characterizeOfd } from './ofdRecord.ts';
import { checkPdfSignatures } from './pdfSignature.ts';
import { scanRisks } from './risks.ts';
import { technicalMetadataOf, type TechnicalMetadata } from './technical.ts';
import type { Finding, FormatIdentification, RiskLimits } from './types.ts';

export interface ComponentCharacterization {
  format: FormatIdentification;
  technical: TechnicalMetadata;
  findings: Finding[];
}

/**
 * Characterizes one component held in a local file: what the bytes are, what ExifTool reads from
 * them, and every risk found. What the OA declared (digest, size, media type, file name) is compared
 * with what was computed; a difference is recorded as a finding, never corrected.
 */
export async function characterizeFile(args: {
  filePath: string;
  fileName: string;
  fixity: { size: number; sha256: string };
  declared: { mediaType?: string | null; size?: number | null; sha256?: string | null };
  limits: RiskLimits;
  reader: MetadataReader;
}): Promise<ComponentCharacterization> {
  const { fixity, declared } = args;
  let tags: Tags;
  const findings: Finding[] = [];
  try {
    tags = await args.reader.read(args.filePath);
  } catch (error) {
    // An unreadable file is itself a finding; identification still runs on the bytes.
    tags = {} as Tags;
    findings.push({ code: 'corrupt', severity: 'integrity', message: `ExifTool could not read the file: ${(error as Error).message}` });
  }
  const format = await identifyFormat(args.filePath, tags);
  findings.push(
    ...(await scanRisks({
      filePath: args.filePath,
      fileName: args.fileName,
      size: fixity.size,
      declaredMediaType: declared.mediaType ?? null,
      identification: format,
      tags,
      limits: args.limits,
    })),
  );
  if (declared.sha256 && declared.sha256 !== fixity.sha256) {
    findings.push({ code: 'digest-mismatch', severity: 'authenticity', message: `SHA-256 of the received file (${fixity.sha256}) differs from the one the OA sent (${declared.sha256})` });
  }
  if (declared.size !== undefined && declared.size !== null && declared.size !== fixity.size) {
    findings.push({ code: 'size-mismatch', severity: 'authenticity', message: `received ${fixity.size} bytes, the OA declared ${declared.size}` });
  }
  let technical = technicalMetadataOf(tags);
  if (format.formatName === 'OFD' && fixity.size > 0 && fixity.size <= args.limits.maxBytes) {
    const ofd = await characterizeOfd(args.filePath, args.limits);
    technical = { ...technical, ...ofd.technical };
    findings.push(...ofd.findings);
  }
  // PAdES / CMS signatures, verified over their byte ranges (GD-1-1 reads technical.signatures).
  if ((format.formatName === 'PDF' || format.formatName.startsWith('PDF/A')) && fixity.size > 0 && fixity.size <= args.limits.maxBytes) {
    const pdf = await checkPdfSignatures(args.filePath);
    if (pdf.signatures.length) technical = { ...technical, signatures: pdf.signatures };
    findings.push(...pdf.findings);
  }
  return { format, technical, findings: dedupe(findings) };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
