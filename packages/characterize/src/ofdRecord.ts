import { finding } from './findings.ts';
import { OfdStructureError, readOfd } from './ofd.ts';
import type { TechnicalMetadata } from './technical.ts';
import type { Finding, RiskLimits } from './types.ts';
import { ZipEntriesError } from './zipEntries.ts';

/**
 * What an OFD adds to its characterization record: page count and document information from
 * OFD.xml and Document.xml (ExifTool reads neither), and its signatures and seals with their
 * verification, as technical metadata and findings.
 */
export async function characterizeOfd(filePath: string, limits: RiskLimits): Promise<{ technical: TechnicalMetadata; findings: Finding[] }> {
  let reading;
  try {
    reading = await readOfd(filePath, limits);
  } catch (error) {
    if (error instanceof OfdStructureError || error instanceof ZipEntriesError) {
      return { technical: {}, findings: [finding('corrupt', `OFD structure cannot be read: ${error.message}; request a complete copy.`, { detail: error.message })] };
    }
    throw error;
  }
  const { signatures, ...info } = reading;
  const findings: Finding[] = [];
  const invalid = signatures.filter((s) => s.result === 'invalid');
  if (invalid.length > 0) {
    const detail = invalid.map((s) => `${s.location}: ${s.problems.join('; ')}`).join(' | ');
    findings.push(finding('signature-invalid', `OFD electronic ${invalid.length === 1 ? 'signature' : 'signatures'} failed verification — ${detail}; the document may have been changed after signing: ask the issuer for the signed original.`, { detail }));
  }
  const unverifiable = signatures.filter((s) => s.result === 'unverifiable');
  if (unverifiable.length > 0) {
    const detail = unverifiable.map((s) => `${s.location}: ${s.reason ?? 'not verifiable'}`).join(' | ');
    findings.push(finding('signature-unverifiable', `OFD electronic signature present, not verifiable here — ${detail}.`, { detail }));
  }
  return { technical: { ...info, ...(signatures.length ? { signatures } : {}) }, findings };
}
