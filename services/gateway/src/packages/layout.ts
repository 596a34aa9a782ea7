/**
 * Names in a package drop, and where a package's files are staged. Pure. The OA chooses the package's
 * name and the paths inside it; none of them is trusted to be a path until checked here, and none is
 * used for the staged objects, which are named by their SHA-256.
 */

/** The areas of a drop: the OA writes to incoming/, the gateway moves what it has dealt with. */
export const DROP_AREAS = { incoming: 'incoming/', done: 'done/', rejected: 'rejected/' } as const;
export type Destination = 'done' | 'rejected';

/** Names the gateway writes beside a package it moved. */
export const RECEIPT_FILE = 'receipt.json';
export const REASON_JSON_FILE = 'reason.json';
export const REASON_TEXT_FILE = 'reason.txt';

// Control characters have no place in a name or a path: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Whether an entry of incoming/ is a package to look at: hidden names (a leading ".", how an OA marks
 * one it is still writing) are not, nor names with control characters or separators.
 */
export function isPackageName(name: string): boolean {
  return name.length > 0 && name.length <= 200 && !name.startsWith('.') && !name.includes('/') && !name.includes('\\') && !CONTROL.test(name);
}

/**
 * A path inside a package as the metadata names it, normalised, or undefined when it is not a plain
 * relative path: no leading "/", no "." or ".." segments, no "\\", no control characters.
 */
export function packagePath(raw: string): string | undefined {
  const text = raw.trim();
  if (text.length === 0 || text.length > 1024 || text.startsWith('/') || text.includes('\\') || CONTROL.test(text)) return undefined;
  const segments = text.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return segments.join('/');
}

/**
 * Which drop of a package name this is: its metadata file's modification time (written last, moved
 * last, unchanged while the package is in incoming/). The same name dropped again later is another.
 * Without metadata yet, the newest file's time (such a package is only waited for, or rejected).
 */
export function instanceOf(files: { path: string; modifiedAt: Date }[], metadataPath: string): string {
  const metadata = files.find((f) => f.path === metadataPath);
  if (metadata) return metadata.modifiedAt.toISOString();
  return `incomplete ${new Date(Math.max(...files.map((f) => f.modifiedAt.getTime()))).toISOString()}`;
}

/** A single-file package's folder in done/ or rejected/: its name without the extension. */
export function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Candidate folder names in done/ or rejected/ for a package, the plain one first (a name can come again). */
export function* destinationNames(name: string): Generator<string> {
  yield name;
  for (let n = 2; ; n++) yield `${name}~${n}`;
}

/** The staged object of a package's file: named by its content, so the same file staged twice is one object. */
export function stagedKeyOf(prefix: string, source: string, sha256: string): string {
  return `${prefix}${source}/sha256/${sha256}`;
}

/** Where a file is written while it is hashed, before its digest (and so its name) is known. */
export function uploadKeyOf(prefix: string, source: string, token: string, ordinal: number): string {
  return `${prefix}${source}/uploads/${token}/${ordinal}`;
}

/** The prefix a source's OA_SOURCES entry must allow (allowedS3Prefixes) for the fetch stage to read its packages' files. */
export function stagedPrefixUrlOf(bucket: string, prefix: string, source: string): string {
  return `s3://${bucket}/${prefix}${source}/`;
}

export function stagedUrlOf(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
