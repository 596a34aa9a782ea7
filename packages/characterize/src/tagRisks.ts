import type { Tags } from 'exiftool-vendored';
import { finding } from './findings.ts';
import { tagProblems, tagString } from './tags.ts';
import type { Finding } from './types.ts';

/** Findings from what exiftool already noticed while reading the tags: damage and encryption. */

// Errors that say nothing about damage: the format is merely outside exiftool's repertoire, or empty (reported separately).
const BENIGN_ERROR = /^(unknown file type|file is empty|unsupported file type)/i;
const DAMAGE = /truncat|corrupt|damaged|invalid|missing|bad |format error|error reading|unexpected end|not found|error processing/i;
const PASSWORD = /password|encrypt/i;

export function tagFindings(tags: Tags): Finding[] {
  const findings: Finding[] = [];
  const { errors, warnings } = tagProblems(tags);
  for (const error of errors) {
    if (BENIGN_ERROR.test(error)) continue;
    if (PASSWORD.test(error)) findings.push(finding('encrypted', `exiftool: ${error}; obtain an unprotected copy.`));
    else findings.push(finding('corrupt', `exiftool cannot read the file: ${error}; request a complete copy.`));
  }
  for (const warning of warnings) {
    // exiftool marks harmless oddities "[minor]"; camera maker-note quirks do not touch the image.
    if (warning.startsWith('[minor]') || /maker ?notes?/i.test(warning)) continue;
    if (PASSWORD.test(warning)) findings.push(finding('encrypted', `exiftool: ${warning}; obtain an unprotected copy.`, { detail: warning }));
    else if (DAMAGE.test(warning)) findings.push(finding('corrupt', `exiftool reports damage: ${warning}; request a complete copy.`, { detail: warning }));
  }
  const encryption = tagString(tags, 'Encryption', 'PDF:Encryption');
  if (encryption) findings.push(finding('encrypted', `Encrypted (${encryption}); obtain an unprotected copy.`, { detail: encryption }));
  if (/encrypted/i.test(tagString(tags, 'DocFlags') ?? '')) findings.push(finding('encrypted', 'Word document is password-protected; obtain an unprotected copy.'));
  return findings;
}
