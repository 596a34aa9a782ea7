import { finding } from './findings.ts';
import { scanPdf } from './pdfScan.ts';
import type { Finding } from './types.ts';

/** Findings for a PDF: damage, encryption and active content. */
export async function pdfFindings(filePath: string): Promise<Finding[]> {
  const scan = await scanPdf(filePath);
  const findings: Finding[] = [];
  const encrypted = scan.markers.has('encrypt');
  // Encrypted object streams cannot be looked into; that is the encryption finding, not damage.
  const problems = [...scan.integrityProblems.map((p) => p.text), ...(encrypted ? [] : scan.uninspected.map((reason) => `not inspected: ${reason}`))];
  if (problems.length) {
    // `problems` names each structural problem by code so a reader sees it in their language;
    // `detail` keeps the English sentences (and what could not be inspected) for logs and old readers.
    const codes = scan.integrityProblems.map((p) => (p.offset === undefined ? p.code : `${p.code}=${p.offset}`));
    const uninspected = encrypted ? 0 : scan.uninspected.length;
    findings.push(
      finding('corrupt', `PDF is damaged or unreadable: ${problems.join('; ')}; request a complete copy from the OA system.`, {
        detail: problems.join('; '),
        ...(codes.length ? { problems: [...codes, ...(uninspected ? [`pdf-uninspected=${uninspected}`] : [])].join(';') } : {}),
      }),
    );
  }
  if (encrypted) {
    findings.push(finding('encrypted', 'PDF is encrypted (/Encrypt dictionary); obtain an unprotected copy — encrypted files cannot be checked or preserved.', { detail: '/Encrypt' }));
  }
  if (scan.markers.has('javascript')) {
    findings.push(finding('pdf-javascript', 'PDF contains JavaScript (/JavaScript or /JS) that can run when opened; obtain a copy without scripts (e.g. PDF/A).'));
  }
  if (scan.markers.has('embedded-file')) {
    findings.push(finding('pdf-embedded-file', 'PDF carries embedded files (/EmbeddedFile); have the attachments filed separately or obtain a copy without them.'));
  }
  if (scan.markers.has('launch')) {
    findings.push(finding('pdf-launch-action', 'PDF has a /Launch action that can start other programs; obtain a clean copy.'));
  }
  return findings;
}
