import { formatBytes } from '@oa-archive/contracts';
import { finding } from './findings.ts';
import type { Finding, FormatIdentification, RiskLimits } from './types.ts';
import { readZipDirectory, type ZipDirectory } from './zipDirectory.ts';

/**
 * Findings for an archive filed as a component. ZIP is judged from its central directory alone
 * (nothing is extracted); RAR and 7z are only recorded.
 */

const NESTED_ARCHIVE = /\.(zip|rar|7z|tar|gz|tgz|bz2|tbz2?|xz|txz|zst|cab|arj|lzh|lha|iso|jar)$/i;
// Deflate tops out near 1000:1; ordinary documents stay far below 100:1.
const BOMB_RATIO = 100;
const BOMB_MIN_BYTES = 1024 * 1024;
// Listing is cheap (central directory only), so list well past the entry limit to total the sizes.
const MAX_LISTED_ENTRIES = 200_000;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Entry names that would land outside the folder they are unpacked into. */
function escapes(name: string): boolean {
  return /^([/\\]|[A-Za-z]:)/.test(name) || name.split(/[/\\]/).includes('..');
}

export async function archiveFindings(filePath: string, size: number, identification: FormatIdentification, limits: RiskLimits): Promise<Finding[]> {
  const kind = identification.formatName;
  if (kind !== 'ZIP') {
    return [finding('archive', `${kind} archive; its entries are not listed here and it is never unpacked — review its contents by hand.`)];
  }
  let directory: ZipDirectory;
  try {
    directory = await readZipDirectory(filePath, { maxEntries: Math.max(limits.archiveMaxEntries + 1, MAX_LISTED_ENTRIES) });
  } catch (error) {
    const reason = (error as Error).message;
    if (/strong encryption/i.test(reason)) {
      return [finding('archive-encrypted', 'ZIP archive uses strong (certificate) encryption; obtain an unprotected copy.')];
    }
    return [finding('corrupt', `ZIP archive is damaged: its central directory cannot be read (${reason}); request a complete copy.`)];
  }

  const { entries, entryCount } = directory;
  const total = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  const atLeast = directory.complete ? '' : 'at least ';
  const findings = [finding('archive', `ZIP archive with ${plural(entryCount, 'entry', 'entries')}, ${atLeast}${formatBytes(total)} uncompressed; it is not unpacked.`)];

  if (entryCount > limits.archiveMaxEntries) {
    findings.push(finding('archive-too-many-entries', `ZIP archive has ${entryCount} entries, over the limit of ${limits.archiveMaxEntries}; file its documents individually.`));
  }
  const ratio = total / Math.max(1, size);
  if (total > limits.archiveMaxTotalBytes) {
    findings.push(finding('archive-too-large', `ZIP archive expands to ${atLeast}${formatBytes(total)}, over the limit of ${formatBytes(limits.archiveMaxTotalBytes)}; do not unpack it automatically.`));
  } else if (ratio > BOMB_RATIO && total >= BOMB_MIN_BYTES) {
    findings.push(finding('archive-too-large', `ZIP archive expands ${Math.round(ratio)}:1 (${formatBytes(total)}), the signature of a zip bomb; do not unpack it.`));
  }

  const nested = entries.filter((entry) => NESTED_ARCHIVE.test(entry.name));
  if (nested.length) {
    findings.push(
      finding('archive-nested', `ZIP archive contains ${plural(nested.length, 'nested archive', 'nested archives')} (${nested[0]!.name}) at depth 1 (limit ${limits.archiveMaxNesting}); their contents are not inspected.`),
    );
  }
  const locked = entries.filter((entry) => entry.encrypted);
  if (locked.length) {
    findings.push(finding('archive-encrypted', `ZIP archive has ${plural(locked.length, 'password-protected entry', 'password-protected entries')} (${locked[0]!.name}); obtain an unprotected copy.`));
  }
  const escaping = entries.find((entry) => escapes(entry.name));
  if (escaping) {
    findings.push(finding('unsafe-file-name', `ZIP entry "${escaping.name}" would be written outside the unpack folder (path traversal); never unpack this archive as is.`));
  }
  return findings;
}
