import { createHash } from 'node:crypto';

/**
 * BagIt 1.0 (RFC 8493) tag files for one AIP. Pure: the payload's bytes never pass through here —
 * the caller streams them to storage and hands over each file's size and digests; this module
 * writes bagit.txt, bag-info.txt, the payload manifests, the caller's extra tag files and the tag
 * manifests, byte-for-byte the same every time it is given the same data.
 *
 * Two manifest algorithms are written: SHA-256 (what every BagIt tool understands) and SM3
 * (GB/T 32905, what Chinese archival practice asks for). RFC 8493 §2.4 names an algorithm by its
 * lower-cased name with non-alphanumerics removed, hence `manifest-sm3.txt`.
 */

export interface PayloadFile {
  /** Relative to the bag root, always under `data/`, POSIX separators, not percent-encoded. */
  path: string;
  size: number;
  sha256: string;
  sm3: string;
}

export interface TagFile {
  /** Relative to the bag root, outside `data/`, e.g. `metadata/da46.xml`. */
  path: string;
  content: Buffer;
}

export interface BagInfo {
  /** 档号 */
  referenceCode: string;
  /** 全宗号 */
  fonds: string;
  /** 立档单位 */
  sourceOrganization: string;
  /** The OA system the document came from. */
  sourceSystem: string;
  /** Our ingest id. */
  externalIdentifier: string;
  /** 题名 */
  externalDescription: string;
  bagGroupIdentifier?: string;
  dates: { created: string; signed?: string; finalized: string };
  /** YYYY-MM-DD, chosen by the caller so a rebuild gives identical bytes. */
  baggingDate: string;
}

/** A tag file as written, with the digests the tag manifests hold (so nobody hashes it again). */
export interface BagTagFile extends TagFile {
  size: number;
  sha256: string;
  sm3: string;
}

/**
 * A tag file too large to hold in memory (metadata/eep.xml with every file in base64): the caller has
 * streamed it to storage and hands over its size and digests, as for a payload file.
 */
export interface StagedTagFile {
  path: string;
  size: number;
  sha256: string;
  sm3: string;
}

export interface BuiltBag {
  /** Every tag file to write, in writing order: bagit.txt, bag-info.txt, payload manifests, extra tag files, tag manifests last. */
  files: BagTagFile[];
  /** The staged tag files, checked, as the tag manifests list them; their bytes are the caller's to deposit. */
  staged: StagedTagFile[];
}

export class BagError extends Error {
  override name = 'BagError';
}

export const ALGORITHMS = ['sha256', 'sm3'] as const;
export type BagAlgorithm = (typeof ALGORITHMS)[number];

const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';

// C0 controls, DEL and C1 controls: never acceptable in a path we write.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u;
const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * RFC 8493 §2.1.3: in a manifest line, `%` is written `%25`, CR `%0D` and LF `%0A`; nothing else
 * is encoded. (`%` first, so the other two escapes are not themselves re-encoded.)
 *
 * Beware: Library of Congress bagit-java 5.x (and most other BagIt tools) only decode `%0D` and
 * `%0A`, not `%25` — see bagit-java issue #139. A payload name containing `%` is written here as
 * the RFC says, and those tools will look for a file named with a literal `%25`.
 */
export function encodeManifestPath(path: string): string {
  return path.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function checkRelativePath(path: string, what: string): void {
  if (typeof path !== 'string' || path === '') throw new BagError(`${what}: empty path`);
  if (path.startsWith('/')) throw new BagError(`${what} "${path}": must be relative to the bag root`);
  if (path.includes('\\')) throw new BagError(`${what} "${path}": backslash; use POSIX "/" separators`);
  if (CONTROL.test(path)) throw new BagError(`${what} ${JSON.stringify(path)}: control character`);
  if (!path.isWellFormed()) throw new BagError(`${what} ${JSON.stringify(path)}: lone surrogate, not encodable as UTF-8`);
  for (const segment of path.split('/')) {
    if (segment === '') throw new BagError(`${what} "${path}": empty path segment`);
    if (segment === '..' || segment === '.') throw new BagError(`${what} "${path}": "${segment}" segment`);
  }
}

/** Throws a BagError unless `path` is usable as a payload path. */
export function checkPayloadPath(path: string): void {
  checkRelativePath(path, 'payload path');
  if (!path.startsWith('data/')) throw new BagError(`payload path "${path}": must be under data/`);
}

const RESERVED_TAG_FILE = /^(bagit\.txt|bag-info\.txt|fetch\.txt|(tag)?manifest-[^/]*\.txt)$/;

function checkTagFilePath(path: string): void {
  checkRelativePath(path, 'tag file path');
  if (path === 'data' || path.startsWith('data/')) throw new BagError(`tag file "${path}": tag files live outside data/`);
  if (RESERVED_TAG_FILE.test(path)) throw new BagError(`tag file "${path}": written by buildBag itself`);
}

/** Rejects duplicates and a path that is also used as a directory of another (data/a vs data/a/b). */
function checkDistinct(paths: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const path of paths) {
    if (seen.has(path)) throw new BagError(`${what} "${path}" listed twice`);
    seen.add(path);
  }
  for (const path of paths) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (seen.has(dir)) throw new BagError(`${what} "${dir}" is also a directory of "${path}"`);
    }
  }
}

/** Code-point (= UTF-8 byte) order: independent of locale and of UTF-16 surrogate quirks. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function manifest(entries: readonly { path: string; digest: string }[]): Buffer {
  const lines = entries
    .map((e) => ({ encoded: encodeManifestPath(e.path), digest: e.digest }))
    .sort((a, b) => compareCodePoints(a.encoded, b.encoded))
    .map((e) => `${e.digest} ${e.encoded}\n`);
  return Buffer.from(lines.join(''), 'utf8');
}

function digest(algorithm: BagAlgorithm, content: Buffer): string {
  return createHash(algorithm).update(content).digest('hex');
}

function withDigests(file: TagFile): BagTagFile {
  return { ...file, size: file.content.length, sha256: digest('sha256', file.content), sm3: digest('sm3', file.content) };
}

// --- bag-info.txt -------------------------------------------------------------------------------

/**
 * Identifiers and dates must be single-line already: a line break there means bad data. Free text
 * (names, the title) is folded: every run of whitespace including line breaks becomes one space —
 * bag-info.txt is a finding aid, the authoritative title is in metadata/da46.xml.
 */
function identifierValue(label: string, value: string | undefined, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new BagError(`bag-info ${label}: missing`);
    return undefined;
  }
  if (typeof value !== 'string') throw new BagError(`bag-info ${label}: not a string`);
  if (CONTROL.test(value)) throw new BagError(`bag-info ${label} ${JSON.stringify(value)}: line break or control character`);
  const trimmed = value.trim();
  if (trimmed === '') {
    if (required) throw new BagError(`bag-info ${label}: empty`);
    return undefined;
  }
  if (!trimmed.isWellFormed()) throw new BagError(`bag-info ${label}: lone surrogate`);
  return trimmed;
}

function textValue(label: string, value: string): string {
  if (typeof value !== 'string') throw new BagError(`bag-info ${label}: not a string`);
  // eslint-disable-next-line no-control-regex
  const folded = value.replace(/[\s\u0000-\u001F\u007F-\u009F]+/gu, ' ').trim();
  if (folded === '') throw new BagError(`bag-info ${label}: empty`);
  if (!folded.isWellFormed()) throw new BagError(`bag-info ${label}: lone surrogate`);
  return folded;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function baggingDate(value: string): string {
  const m = DATE.exec(value);
  const valid = m && (() => {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === value;
  })();
  if (!valid) throw new BagError(`bag-info Bagging-Date "${value}": must be a calendar date YYYY-MM-DD`);
  return value;
}

/**
 * RFC 8493 §2.2.2 Bag-Size: an approximate, human-readable size ("42600 MB"). We give the payload's
 * size (the tag files add a few kilobytes, and bag-info.txt cannot state its own size), in decimal
 * units with one decimal.
 */
export function formatBagSize(octets: bigint): string {
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'] as const;
  if (octets < 1000n) return `${octets} B`;
  let unit = 0;
  let scale = 1000n;
  while (unit < units.length - 1 && octets >= scale * 1000n) {
    scale *= 1000n;
    unit++;
  }
  // One decimal, rounded half up, in integer arithmetic.
  const tenths = (octets * 10n + scale / 2n) / scale;
  return `${tenths / 10n}.${tenths % 10n} ${units[unit]}`;
}

function bagInfoTxt(info: BagInfo, payload: readonly PayloadFile[]): Buffer {
  const octets = payload.reduce((sum, file) => sum + BigInt(file.size), 0n);
  const lines: [string, string | undefined][] = [
    ['Source-Organization', textValue('Source-Organization', info.sourceOrganization)],
    ['Source-System', textValue('Source-System', info.sourceSystem)],
    ['External-Identifier', identifierValue('External-Identifier', info.externalIdentifier, true)],
    ['External-Description', textValue('External-Description', info.externalDescription)],
    ['Archival-Reference-Code', identifierValue('Archival-Reference-Code', info.referenceCode, true)],
    ['Fonds', identifierValue('Fonds', info.fonds, true)],
    ['Date-Created', identifierValue('Date-Created', info.dates?.created, true)],
    ['Date-Signed', identifierValue('Date-Signed', info.dates?.signed, false)],
    ['Date-Finalized', identifierValue('Date-Finalized', info.dates?.finalized, true)],
    ['Bag-Group-Identifier', identifierValue('Bag-Group-Identifier', info.bagGroupIdentifier, false)],
    ['Bagging-Date', baggingDate(info.baggingDate)],
    ['Payload-Oxum', `${octets}.${payload.length}`],
    ['Bag-Size', formatBagSize(octets)],
  ];
  return Buffer.from(
    lines
      .filter((line): line is [string, string] => line[1] !== undefined)
      .map(([label, value]) => `${label}: ${value}\n`)
      .join(''),
    'utf8',
  );
}

// --- the bag ------------------------------------------------------------------------------------

function checkPayloadFile(file: PayloadFile): PayloadFile {
  checkPayloadPath(file.path);
  if (!Number.isSafeInteger(file.size) || file.size < 0) throw new BagError(`payload "${file.path}": size ${file.size} is not a non-negative integer`);
  if (typeof file.sha256 !== 'string' || !HEX64.test(file.sha256)) throw new BagError(`payload "${file.path}": sha256 must be 64 hex digits`);
  if (typeof file.sm3 !== 'string' || !HEX64.test(file.sm3)) throw new BagError(`payload "${file.path}": sm3 must be 64 hex digits`);
  return { path: file.path, size: file.size, sha256: file.sha256.toLowerCase(), sm3: file.sm3.toLowerCase() };
}

export function buildBag(args: { payload: readonly PayloadFile[]; tagFiles: readonly TagFile[]; stagedTagFiles?: readonly StagedTagFile[]; info: BagInfo }): BuiltBag {
  if (args.payload.length === 0) throw new BagError('an AIP needs at least one payload file');
  const payload = args.payload.map(checkPayloadFile);
  checkDistinct(payload.map((f) => f.path), 'payload path');

  for (const tag of args.tagFiles) {
    checkTagFilePath(tag.path);
    if (!Buffer.isBuffer(tag.content)) throw new BagError(`tag file "${tag.path}": content must be a Buffer`);
  }
  const extra = [...args.tagFiles].sort((a, b) => compareCodePoints(a.path, b.path));
  const staged = (args.stagedTagFiles ?? []).map((file) => {
    checkTagFilePath(file.path);
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new BagError(`tag file "${file.path}": size ${file.size} is not a non-negative integer`);
    if (!HEX64.test(file.sha256) || !HEX64.test(file.sm3)) throw new BagError(`tag file "${file.path}": sha256 and sm3 must be 64 hex digits`);
    return { path: file.path, size: file.size, sha256: file.sha256.toLowerCase(), sm3: file.sm3.toLowerCase() };
  });
  checkDistinct([...extra.map((t) => t.path), ...staged.map((t) => t.path)], 'tag file');

  const head = [
    { path: 'bagit.txt', content: Buffer.from(BAGIT_TXT, 'utf8') },
    { path: 'bag-info.txt', content: bagInfoTxt(args.info, payload) },
    ...ALGORITHMS.map((algorithm) => ({
      path: `manifest-${algorithm}.txt`,
      content: manifest(payload.map((f) => ({ path: f.path, digest: f[algorithm] }))),
    })),
    ...extra.map((t) => ({ path: t.path, content: Buffer.from(t.content) })),
  ].map(withDigests);
  const tagManifests = ALGORITHMS.map((algorithm) => ({
    path: `tagmanifest-${algorithm}.txt`,
    content: manifest([...head, ...staged].map((t) => ({ path: t.path, digest: t[algorithm] }))),
  })).map(withDigests);
  return { files: [...head, ...tagManifests], staged };
}
