import type { Finding, FindingCode } from './types.ts';

/** One severity per code, so every check rates the same problem the same way. */
const SEVERITY: Record<FindingCode, Finding['severity']> = {
  'zero-bytes': 'integrity',
  corrupt: 'integrity',
  encrypted: 'unsafe',
  macros: 'unsafe',
  'pdf-javascript': 'unsafe',
  'pdf-embedded-file': 'unsafe',
  'pdf-launch-action': 'unsafe',
  archive: 'info',
  'archive-too-many-entries': 'unsafe',
  'archive-too-large': 'unsafe',
  'archive-nested': 'unsafe',
  'archive-encrypted': 'unsafe',
  // Too big to inspect means uninspected: keep it out of the open archive.
  'too-large': 'unsafe',
  'unsafe-file-name': 'unsafe',
  'extension-mismatch': 'authenticity',
  'media-type-mismatch': 'authenticity',
  'digest-mismatch': 'integrity',
  'size-mismatch': 'integrity',
  'unidentified-format': 'integrity',
  'missing-metadata': 'integrity',
  // A virus scanner's signature matched: never into the open archive.
  'virus-detected': 'unsafe',
  // A signature or seal that fails: the document may have been changed after signing; a person decides.
  'signature-invalid': 'authenticity',
  // Present but not checkable here (no certificate in the package): recorded.
  'signature-unverifiable': 'info',
};

export function finding(code: FindingCode, message: string, params?: Record<string, string | number>): Finding {
  return { code, severity: SEVERITY[code], message, ...(params ? { params } : {}) };
}

/**
 * Several checks may see the same problem (our own and exiftool's): keep one finding per code,
 * the first — callers put the most specific checks first.
 */
export function mergeFindings(findings: Finding[]): Finding[] {
  const byCode = new Map<FindingCode, Finding>();
  for (const next of findings) if (!byCode.has(next.code)) byCode.set(next.code, next);
  return [...byCode.values()];
}

