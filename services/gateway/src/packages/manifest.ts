import type { PackageProblem } from '@oa-archive/catalog';
import { applyMapping, type MappedDocument } from '../mapping/apply.ts';
import type { Mapping } from '../mapping/schema.ts';
import { COMPONENT_MD5_KEY } from '../mapping/targets.ts';
import { decodePayload, PayloadError } from '../payload.ts';
import type { DropFile } from './drop.ts';
import { packagePath } from './layout.ts';

/**
 * A package's metadata read with the source's mapping, and the files it names matched against the
 * files the package holds. Pure. Every problem is collected, so that the OA learns all of them from
 * one rejection: a file named but missing, a path that leaves the package, a size that differs, content
 * that is not base64.
 */

/** One file of the document, in component order, and where its bytes are. */
export interface PlannedFile {
  /** 1-based, the component's place. */
  ordinal: number;
  fileName: string;
  source: { kind: 'path'; path: string; size: number } | { kind: 'content'; base64: string };
  declared: { size: number | null; sha256: string | null; md5: string | null };
}

export type Manifest =
  | { ok: true; mapped: MappedDocument; files: PlannedFile[]; unreferenced: string[]; documentId?: string; version?: number }
  | { ok: false; problems: PackageProblem[]; documentId?: string; version?: number };

/** Base64 as XML and JSON carry it: the alphabet, padding, and line breaks or spaces anywhere. */
const BASE64 = /^[A-Za-z0-9+/\s]*(=\s*){0,2}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How many bytes base64 text decodes to, without decoding it. */
export function base64Size(text: string): number {
  const compact = text.replace(/\s+/g, '');
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  return Math.floor((compact.length * 3) / 4) - padding;
}

function identityOf(data: Record<string, unknown>): { documentId?: string; version?: number } {
  return {
    ...(typeof data.documentId === 'string' ? { documentId: data.documentId } : {}),
    ...(typeof data.version === 'number' && Number.isInteger(data.version) ? { version: data.version } : {}),
  };
}

export function readManifest(args: { mapping: Mapping; metadata: Buffer; metadataPath: string; files: DropFile[] }): Manifest {
  const { mapping, metadata, metadataPath } = args;
  let payload: unknown;
  try {
    payload = decodePayload(metadata, mapping.format);
  } catch (error) {
    if (error instanceof PayloadError) return { ok: false, problems: [{ code: 'unreadable-metadata', file: metadataPath, message: error.message }] };
    throw error;
  }
  const mapped = applyMapping(mapping, payload);
  const identity = identityOf(mapped.data);
  const unplaced = mapped.issues.filter((i) => i.path === '(document)');
  if (unplaced.length > 0) return { ok: false, ...identity, problems: unplaced.map((i) => ({ code: 'invalid-document', file: metadataPath, message: i.message })) };

  const present = new Map(args.files.map((f) => [f.path, f]));
  const components = Array.isArray(mapped.data.components) ? (mapped.data.components as unknown[]) : [];
  const md5s = isObject(mapped.data.extra) && Array.isArray(mapped.data.extra[COMPONENT_MD5_KEY]) ? (mapped.data.extra[COMPONENT_MD5_KEY] as unknown[]) : [];
  const problems: PackageProblem[] = [];
  const files: PlannedFile[] = [];
  const referenced = new Map<string, number>();
  components.forEach((raw, index) => {
    const ordinal = index + 1;
    const component = isObject(raw) ? raw : {};
    const ref = mapped.packageFiles[index] ?? {};
    const fileName = typeof component.fileName === 'string' ? component.fileName : `file ${ordinal}`;
    const declared = {
      size: typeof component.size === 'number' ? component.size : null,
      sha256: typeof component.sha256 === 'string' ? component.sha256.toLowerCase() : null,
      md5: typeof md5s[index] === 'string' ? (md5s[index] as string) : null,
    };
    const label = `component ${ordinal} (${fileName})`;
    if (ref.content !== undefined) {
      if (!BASE64.test(ref.content)) problems.push({ code: 'bad-content', message: `${label}: its embedded content is not base64` });
      else files.push({ ordinal, fileName, source: { kind: 'content', base64: ref.content }, declared });
      return;
    }
    if (ref.path === undefined) {
      problems.push({ code: 'no-file', message: `${label} names no file: a package's metadata gives each file's path in the package (or embeds it in base64); URLs are not fetched` });
      return;
    }
    const path = packagePath(ref.path);
    if (path === undefined || path === metadataPath) {
      problems.push({ code: 'unsafe-path', file: ref.path, message: `${label}: "${ref.path.slice(0, 200)}" is not a path inside the package (relative, "/"-separated, no "." or "..", not the metadata file)` });
      return;
    }
    const first = referenced.get(path);
    if (first !== undefined) {
      problems.push({ code: 'duplicate-file', file: path, message: `${label} names the same file as component ${first}; each component is a distinct file` });
      return;
    }
    referenced.set(path, ordinal);
    const file = present.get(path);
    if (!file) {
      problems.push({ code: 'file-missing', file: path, message: `${label}: ${path} is named in the metadata but is not in the package` });
      return;
    }
    if (declared.size !== null && declared.size !== file.size) {
      problems.push({ code: 'size-mismatch', file: path, message: `${label}: the metadata declares ${declared.size} bytes, ${path} has ${file.size}` });
      return;
    }
    files.push({ ordinal, fileName, source: { kind: 'path', path, size: file.size }, declared });
  });
  if (problems.length > 0) return { ok: false, ...identity, problems };
  const unreferenced = args.files.map((f) => f.path).filter((p) => p !== metadataPath && !referenced.has(p));
  return { ok: true, mapped, files, unreferenced, ...identity };
}
