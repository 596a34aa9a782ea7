import { open } from 'node:fs/promises';
import { ConversionError } from './errors.ts';
import { GhostscriptTextServer } from './ghostscriptText.ts';

/** Bounds on one extraction: the catalog keeps the start of a long document, and no PDF holds a worker for long. */
export interface TextExtractionLimits {
  /** Characters kept; the rest is dropped and the result says it was truncated. */
  maxChars: number;
  /** Pages Ghostscript reads at most (the time a huge document can take). */
  maxPages: number;
  timeoutMs: number;
}

export const DEFAULT_TEXT_LIMITS: TextExtractionLimits = { maxChars: 200_000, maxPages: 200, timeoutMs: 60_000 };

export interface ExtractedText {
  text: string;
  /** Characters Ghostscript wrote before the bound was applied (at most about 4 × maxChars are read). */
  truncated: boolean;
}

/** One warm Ghostscript per page bound, shared by every caller in the process (see ghostscriptText.ts). */
const servers = new Map<number, GhostscriptTextServer>();

/**
 * The text of a PDF as Ghostscript's txtwrite device reads it (Unicode from the fonts' ToUnicode
 * maps), whitespace runs folded, bounded in characters, pages and time. Read by a Ghostscript that
 * stays up between files; written to a file rather than to stdout, so a long document is read only as
 * far as kept. Throws the tool's ConversionError (timeout, exit, spawn) for the caller to record as
 * the reason.
 */
export async function extractPdfText(input: string, options: { limits?: TextExtractionLimits; signal?: AbortSignal } = {}): Promise<ExtractedText> {
  const limits = options.limits ?? DEFAULT_TEXT_LIMITS;
  let server = servers.get(limits.maxPages);
  if (!server) servers.set(limits.maxPages, (server = new GhostscriptTextServer({ maxPages: limits.maxPages })));
  return server.read(input, { timeoutMs: limits.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) }, async ({ textFile, said }) => {
    // UTF-8 is at most 4 bytes a character: reading 4 × maxChars (+ whitespace slack) is always enough.
    const budget = limits.maxChars * 4 + 4096;
    const handle = await open(textFile, 'r').catch(() => undefined);
    const read = handle
      ? await (async () => {
          try {
            const buffer = Buffer.allocUnsafe(budget);
            const { bytesRead } = await handle.read(buffer, 0, budget, 0);
            const size = (await handle.stat()).size;
            const folded = foldWhitespace(buffer.subarray(0, bytesRead).toString('utf8'));
            return { text: folded.slice(0, limits.maxChars), truncated: folded.length > limits.maxChars || size > bytesRead };
          } finally {
            await handle.close();
          }
        })()
      : { text: '', truncated: false };
    // Ghostscript reads on past a file it cannot parse, saying so: no text and an error is a failure, not an empty document.
    if (!read.text && /\*\*\*\* Error|Error:/.test(said)) {
      throw new ConversionError('ghostscript', `could not read the PDF: ${said.trim().split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' | ')}`, { retryable: false });
    }
    return read;
  });
}

/** Stops the warm Ghostscript processes (a worker shutting down); a later call starts them again. */
export async function closeTextExtraction(): Promise<void> {
  const all = [...servers.values()];
  servers.clear();
  await Promise.all(all.map((s) => s.close()));
}

/**
 * txtwrite lays text out in columns with runs of spaces; a search needs the words, so runs of
 * whitespace become one space or one newline, and none is left between two Chinese characters. A replacement character from a cut multibyte
 * sequence at the read bound, and NUL (which PostgreSQL text cannot hold), are dropped.
 */
export function foldWhitespace(text: string): string {
  return text
    .replaceAll('\u0000', '')
    .replaceAll('\uFFFD', '')
    .replace(/[ \t\f\v\u00A0\u3000]+/g, ' ')
    .replace(/ *\r?\n[\s]*/g, '\n')
    // Chinese puts no space between characters: a space or line break between two is layout (a
    // wrapped line, spaced-out glyphs), and would split the words a search looks for.
    .replace(/(\p{Script=Han})[ \n](?=\p{Script=Han})/gu, '$1')
    .trim();
}
