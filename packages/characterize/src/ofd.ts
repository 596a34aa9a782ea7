import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { checkSignedValue } from './ofdSignature.ts';
import { OID } from './sm2.ts';
import type { RiskLimits } from './types.ts';
import { readZipEntries, type ReadEntry } from './zipEntries.ts';

/**
 * Reads an OFD package (GB/T 33190-2016): the document information and page count of each
 * document, and every signature or seal listed in its Signatures.xml, verified as far as the
 * package allows (GB/T 33190 §18, GB/T 38540): each referenced file against its CheckValue, then
 * the signature data against Signature.xml and the signer's certificate. Structure files are read
 * into memory (bounded); content files are only hashed as they stream.
 */

/** One signature or seal as found and checked. Kept in the characterization record. */
export interface SignatureCheck {
  /** The signature description file in the package (Signature.xml). */
  location: string;
  /** OFD Type="Seal" (电子签章) or "Sign" (电子签名). */
  kind: 'seal' | 'signature';
  /** The signature data standard, where it was recognised. */
  standard?: string;
  result: 'valid' | 'invalid' | 'unverifiable';
  /** What failed, each naming the file. */
  problems: string[];
  /** Why it could not be verified. */
  reason?: string;
  signer?: string;
  sealName?: string;
  signedAt?: string;
  /** Files the signature protects (its References). */
  references: number;
}

export interface OfdReading {
  pageCount: number;
  title?: string;
  author?: string;
  created?: string;
  modified?: string;
  creatingApplication?: string;
  signatures: SignatureCheck[];
}

export class OfdStructureError extends Error {
  override name = 'OfdStructureError';
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Signature is both the root of Signature.xml and a list item in Signatures.xml: listOf() takes either.
  isArray: (name) => ['DocBody', 'Page', 'Reference'].includes(name),
});

type Node = Record<string, unknown>;
const nodeOf = (value: unknown): Node => (value && typeof value === 'object' ? (value as Node) : {});
const listOf = (value: unknown): Node[] => (Array.isArray(value) ? value.map(nodeOf) : value === undefined ? [] : [nodeOf(value)]);
const textOf = (value: unknown): string | undefined => {
  const text = typeof value === 'object' && value !== null ? (value as Node)['#text'] : value;
  return text === undefined || text === null || text === '' ? undefined : String(text).trim() || undefined;
};

/** CheckMethod values seen in the wild, by OID or name; absent means SM3, the usual one. */
const DIGESTS: Record<string, string> = {
  [OID.sm3]: 'sm3', sm3: 'sm3',
  '2.16.840.1.101.3.4.2.1': 'sha256', sha256: 'sha256', 'sha-256': 'sha256',
  '1.3.14.3.2.26': 'sha1', sha1: 'sha1', 'sha-1': 'sha1',
  '1.2.840.113549.2.5': 'md5', md5: 'md5',
};

const STRUCTURE_LIMIT = 16 * 1024 * 1024;

export async function readOfd(filePath: string, limits: Pick<RiskLimits, 'archiveMaxTotalBytes'>): Promise<OfdReading> {
  const bounds = { maxKeptBytes: STRUCTURE_LIMIT, maxTotalBytes: limits.archiveMaxTotalBytes };
  /** Structure files read so far, by package path; one pass of the ZIP per level of the tree. */
  const files = new Map<string, ReadEntry>();
  let names = new Set<string>();
  const load = async (wanted: Iterable<string>) => {
    const missing = new Set([...wanted].filter((name) => !files.has(name)));
    if (missing.size === 0 && names.size > 0) return;
    const read = await readZipEntries(filePath, (name) => (missing.has(name) ? { keep: true } : undefined), bounds);
    names = read.names;
    for (const [name, entry] of read.entries) files.set(name, entry);
  };
  const xml = (name: string): Node => {
    const bytes = files.get(name)?.bytes;
    if (!bytes) throw new OfdStructureError(`${name} is missing from the package`);
    try {
      return nodeOf(parser.parse(bytes.toString('utf8')));
    } catch (error) {
      throw new OfdStructureError(`${name} is not well-formed XML (${(error as Error).message})`);
    }
  };
  /** An ST_Loc: absolute from the package root, else relative to the file that names it. */
  const resolve = (from: string, loc: string): string => {
    const absolute = loc.startsWith('/');
    const joined = path.posix.normalize(absolute ? loc.slice(1) : path.posix.join(path.posix.dirname(from), loc));
    if (joined.startsWith('..')) throw new OfdStructureError(`${from} refers outside the package (${loc})`);
    // Many writers put root-relative paths without the leading '/'.
    return !absolute && !names.has(joined) && names.has(path.posix.normalize(loc)) ? path.posix.normalize(loc) : joined;
  };

  await load(['OFD.xml']);
  const bodies = listOf(nodeOf(xml('OFD.xml').OFD).DocBody);
  if (bodies.length === 0) throw new OfdStructureError('OFD.xml has no DocBody');
  const roots = bodies.map((body) => {
    const docRoot = textOf(body.DocRoot);
    if (!docRoot) throw new OfdStructureError('OFD.xml names no DocRoot');
    const signatures = textOf(body.Signatures);
    return { info: nodeOf(body.DocInfo), document: resolve('OFD.xml', docRoot), signatures: signatures ? resolve('OFD.xml', signatures) : undefined };
  });
  await load(roots.flatMap((r) => [r.document, ...(r.signatures ? [r.signatures] : [])]));
  const pageCount = roots.reduce((sum, r) => sum + listOf(nodeOf(nodeOf(xml(r.document).Document).Pages).Page).length, 0);

  // Signatures.xml → each Signature.xml → its SignedValue and Seal.
  const records = roots.flatMap((r) =>
    r.signatures
      ? listOf(nodeOf(xml(r.signatures).Signatures).Signature).map((s) => {
          const baseLoc = String(s['@_BaseLoc'] ?? '');
          if (!baseLoc) throw new OfdStructureError(`${r.signatures} lists a signature without BaseLoc`);
          return { location: resolve(r.signatures!, baseLoc), kind: s['@_Type'] === 'Sign' ? ('signature' as const) : ('seal' as const) };
        })
      : [],
  );
  await load(records.map((r) => r.location));
  const described = records.map((record) => {
    const signature = nodeOf(xml(record.location).Signature);
    const info = nodeOf(signature.SignedInfo);
    const references = nodeOf(info.References);
    const method = (String(references['@_CheckMethod'] ?? OID.sm3)).trim();
    const signedValue = textOf(signature.SignedValue);
    const seal = textOf(nodeOf(info.Seal).BaseLoc);
    return {
      ...record,
      digest: DIGESTS[method.toLowerCase()] ?? DIGESTS[method],
      method,
      refs: listOf(references.Reference).map((ref) => ({ file: resolve(record.location, String(ref['@_FileRef'] ?? '')), expected: textOf(ref.CheckValue) ?? '' })),
      signedValue: signedValue ? resolve(record.location, signedValue) : undefined,
      seal: seal ? resolve(record.location, seal) : undefined,
      signedAt: textOf(info.SignatureDateTime),
    };
  });
  await load(described.flatMap((d) => [...(d.signedValue ? [d.signedValue] : []), ...(d.seal ? [d.seal] : [])]));

  // Referenced content files, hashed in one more pass with the algorithms their signatures name.
  const digestsOf = new Map<string, Set<string>>();
  for (const d of described) for (const ref of d.refs) if (d.digest) digestsOf.set(ref.file, new Set([...(digestsOf.get(ref.file) ?? []), d.digest]));
  const hashed = await readZipEntries(filePath, (name) => (digestsOf.has(name) ? { digests: [...digestsOf.get(name)!] } : undefined), bounds);

  const signatures = described.map((d): SignatureCheck => {
    const problems: string[] = [];
    if (!d.digest) {
      return { location: d.location, kind: d.kind, result: 'unverifiable', problems, reason: `unknown digest method ${d.method}`, references: d.refs.length };
    }
    if (d.refs.length === 0) problems.push(`${d.location} protects no file (no References)`);
    for (const ref of d.refs) {
      const actual = hashed.entries.get(ref.file)?.digests[d.digest];
      if (!actual) problems.push(`${ref.file} is signed but missing from the package`);
      else if (actual.toString('base64') !== ref.expected.replace(/\s+/g, '')) problems.push(`${ref.file} changed after signing (its ${d.digest.toUpperCase()} differs from the signed CheckValue)`);
    }
    const base = { location: d.location, kind: d.kind, references: d.refs.length, ...(d.signedAt ? { signedAt: d.signedAt } : {}) };
    const signedValue = d.signedValue ? files.get(d.signedValue)?.bytes : undefined;
    if (!d.signedValue || !signedValue) {
      problems.push(`${d.signedValue ?? 'SignedValue'} named by ${d.location} is missing`);
      return { ...base, result: 'invalid', problems };
    }
    const sealBytes = d.seal ? files.get(d.seal)?.bytes : undefined;
    if (d.seal && !sealBytes) problems.push(`${d.seal} named by ${d.location} is missing`);
    const value = checkSignedValue({
      signatureXml: files.get(d.location)!.bytes!,
      signedValue,
      signedValueName: d.signedValue,
      ...(d.seal && sealBytes ? { seal: { name: d.seal, bytes: sealBytes } } : {}),
    });
    const all = [...problems, ...value.problems];
    const found = { standard: value.standard, reason: value.reason, signer: value.signer, sealName: value.sealName, signedAt: value.signedAt ?? d.signedAt };
    const known = Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined));
    return { ...base, ...known, result: all.length ? 'invalid' : value.result, problems: all };
  });

  const info = roots[0]!.info;
  const creator = textOf(info.Creator);
  const creatorVersion = textOf(info.CreatorVersion);
  const reading: OfdReading = { pageCount, signatures };
  const set = <K extends keyof OfdReading>(key: K, value: OfdReading[K] | undefined) => {
    if (value !== undefined) reading[key] = value;
  };
  set('title', textOf(info.Title));
  set('author', textOf(info.Author));
  set('created', textOf(info.CreationDate));
  set('modified', textOf(info.ModDate));
  set('creatingApplication', creator ? [creator, creatorVersion].filter(Boolean).join(' ') : undefined);
  return reading;
}
