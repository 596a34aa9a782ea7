import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { findBytes, forEachChunk, readAt, withFile } from './fileBytes.ts';

/**
 * Looks through a PDF's raw bytes for the names that mark active content or encryption, and
 * checks the end of the file is intact. Streams the file once with a small overlap, then
 * decompresses (bounded) the Flate object streams it saw, where such names can hide.
 */

export type PdfMarker = 'javascript' | 'embedded-file' | 'launch' | 'encrypt';

export interface PdfScan {
  markers: Set<PdfMarker>;
  objectStreams: { found: number; inspected: number };
  /** Why the file looks truncated or broken; empty when intact. */
  integrityProblems: PdfProblem[];
  /** Object streams that could not be looked into, with why. */
  uninspected: string[];
}

const MARKERS: Record<string, PdfMarker> = {
  JavaScript: 'javascript',
  JS: 'javascript',
  EmbeddedFile: 'embedded-file',
  EmbeddedFiles: 'embedded-file',
  Launch: 'launch',
  Encrypt: 'encrypt',
};

// A name is '/' then regular characters or #xx escapes, ended by whitespace or a delimiter.
// The lookahead keeps a name cut at a chunk edge from matching as a shorter one. NUL is PDF whitespace.
// eslint-disable-next-line no-control-regex
const NAME = /\/((?:[^\x00\t\n\f\r /<>[\]()%{}#]|#[0-9A-Fa-f]{2})+)(?=[\x00\t\n\f\r /<>[\]()%{}])/g;
const OVERLAP = 512;
const TAIL = 2048;
const MAX_OBJECT_STREAMS = 2000;
const MAX_COMPRESSED_BYTES = 32 * 1024 * 1024;
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
const MAX_TOTAL_INFLATED_BYTES = 256 * 1024 * 1024;

const inflateAsync = promisify(inflate);

function decodeName(raw: string): string {
  return raw.includes('#') ? raw.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : raw;
}

/** Adds the markers named in `text` and returns where '/ObjStm' names start (relative to text). */
function scanNames(text: string, markers: Set<PdfMarker>): number[] {
  const objStm: number[] = [];
  for (const match of text.matchAll(NAME)) {
    const name = decodeName(match[1]!);
    const marker = MARKERS[name];
    if (marker) markers.add(marker);
    else if (name === 'ObjStm') objStm.push(match.index);
  }
  return objStm;
}

export async function scanPdf(filePath: string): Promise<PdfScan> {
  const markers = new Set<PdfMarker>();
  const objStmAt = new Set<number>();
  let carry = '';
  await forEachChunk(filePath, 0, (chunk, offset) => {
    const text = carry + chunk.toString('latin1');
    const textStart = offset - carry.length;
    for (const at of scanNames(text, markers)) if (objStmAt.size < MAX_OBJECT_STREAMS) objStmAt.add(textStart + at);
    carry = text.slice(-OVERLAP);
  });

  const scan: PdfScan = { markers, objectStreams: { found: objStmAt.size, inspected: 0 }, integrityProblems: [], uninspected: [] };
  await withFile(filePath, async (handle, size) => {
    scan.integrityProblems = await checkTail(handle, size);
    if (objStmAt.size === 0) return;
    if (markers.has('encrypt')) {
      scan.uninspected.push(`${objStmAt.size} object stream(s) are encrypted`);
      return;
    }
    let budget = MAX_TOTAL_INFLATED_BYTES;
    for (const at of objStmAt) {
      if (budget <= 0) {
        scan.uninspected.push(`object streams beyond ${MAX_TOTAL_INFLATED_BYTES} decompressed bytes were not inspected`);
        break;
      }
      try {
        const text = await inflateObjectStream(filePath, handle, at, Math.min(budget, MAX_INFLATED_BYTES));
        if (text === null) continue;
        budget -= text.length;
        scanNames(text, markers);
        scan.objectStreams.inspected++;
      } catch (error) {
        scan.uninspected.push(`object stream near byte ${at}: ${(error as Error).message}`);
      }
    }
  });
  return scan;
}

/**
 * A structural problem, by a stable code (the reader's language comes from the message catalogue,
 * `problem.<code>`), with the English sentence for logs and the byte offset where one applies.
 */
export interface PdfProblem {
  code: 'pdf-no-eof' | 'pdf-no-startxref' | 'pdf-bad-startxref';
  text: string;
  offset?: number;
}

/** `%%EOF` near the end and a `startxref` that points at a cross-reference table or stream. */
async function checkTail(handle: FileHandle, size: number): Promise<PdfProblem[]> {
  const problems: PdfProblem[] = [];
  const tail = (await readAt(handle, Math.max(0, size - TAIL), TAIL)).toString('latin1');
  if (!tail.slice(-1024).includes('%%EOF')) problems.push({ code: 'pdf-no-eof', text: 'no %%EOF marker at the end (file is truncated)' });
  const startxref = [...tail.matchAll(/startxref\s+(\d+)/g)].at(-1);
  if (!startxref) {
    problems.push({ code: 'pdf-no-startxref', text: 'no startxref pointer to the cross-reference table' });
    return problems;
  }
  const offset = Number(startxref[1]);
  // Offsets count from byte 0, but readers also accept them counted from a %PDF- header that junk precedes.
  const headerAt = Math.max(0, (await readAt(handle, 0, 1024)).indexOf('%PDF-'));
  for (const at of new Set([offset, offset + headerAt])) {
    const target = at < size ? (await readAt(handle, at, 64)).toString('latin1').trimStart() : '';
    if (target.startsWith('xref') || /^\d+\s+\d+\s+obj\b/.test(target)) return problems;
  }
  problems.push({ code: 'pdf-bad-startxref', text: `startxref points to byte ${offset}, where there is no cross-reference table`, offset });
  return problems;
}

/**
 * Decompresses the object stream whose dictionary contains '/ObjStm' at `at`; null when it is
 * not Flate-encoded at all (its bytes were then already scanned raw). Throws with the reason
 * when it cannot be inspected.
 */
async function inflateObjectStream(
  filePath: string,
  handle: FileHandle,
  at: number,
  maxOutputLength: number,
): Promise<string | null> {
  const windowStart = Math.max(0, at - 1024);
  const window = (await readAt(handle, windowStart, 2048 + (at - windowStart))).toString('latin1');
  const nameAt = at - windowStart;
  const objHeaders = [...window.slice(0, nameAt).matchAll(/\d+\s+\d+\s+obj\b/g)];
  const dictStart = objHeaders.at(-1)?.index ?? 0;
  const keyword = /(?<!end)stream(\r\n|\n|\r)/g;
  keyword.lastIndex = nameAt;
  const streamKeyword = keyword.exec(window);
  if (!streamKeyword) throw new Error('stream data not found after its dictionary');
  const dict = window.slice(dictStart, streamKeyword.index);

  const filter = /\/Filter\s*(\[[^\]]*\]|\/[^\s/<>[\]()]+)/.exec(dict)?.[1];
  if (!filter) return null;
  const filters = filter.match(/\/[^\s/<>[\]()]+/g) ?? [];
  if (filters.length !== 1 || (filters[0] !== '/FlateDecode' && filters[0] !== '/Fl')) {
    throw new Error(`filter ${filter} is not supported for inspection`);
  }

  const dataStart = windowStart + streamKeyword.index + streamKeyword[0].length;
  const directLength = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict)?.[1];
  let length = directLength === undefined ? -1 : Number(directLength);
  if (length < 0) {
    const end = await findBytes(filePath, Buffer.from('endstream'), dataStart, dataStart + MAX_COMPRESSED_BYTES);
    if (end < 0) throw new Error('no endstream within the inspection limit');
    length = end - dataStart;
  }
  if (length > MAX_COMPRESSED_BYTES) throw new Error(`${length} compressed bytes exceed the inspection limit`);
  const data = await readAt(handle, dataStart, length);
  const inflated = await inflateAsync(data, { maxOutputLength });
  return inflated.toString('latin1');
}
