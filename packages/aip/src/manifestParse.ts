import { BagError } from './bagit.ts';

const LINE = /^([0-9a-fA-F]+)[ \t]+(.+)$/;

/**
 * Reads a BagIt manifest (`<digest> <path>` per line, RFC 8493 §2.1.3) back into path → digest,
 * undoing the `%0D`, `%0A` and `%25` escapes the writer applies. A line that is not of that shape,
 * or a path listed twice, is a BagError: a manifest read during a fixity audit must be trusted
 * exactly, or not at all.
 */
export function parseManifest(content: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [index, raw] of content.split('\n').entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const match = LINE.exec(line);
    if (!match) throw new BagError(`manifest line ${index + 1} is not "<digest> <path>": ${JSON.stringify(line.slice(0, 200))}`);
    const path = decodeManifestPath(match[2]!);
    if (entries.has(path)) throw new BagError(`manifest line ${index + 1}: "${path}" listed twice`);
    entries.set(path, match[1]!.toLowerCase());
  }
  return entries;
}

/** The inverse of encodeManifestPath: `%0D`, `%0A` and `%25` (in either case), nothing else. */
export function decodeManifestPath(encoded: string): string {
  return encoded.replace(/%(0D|0A|25)/gi, (escape) => ({ '%0D': '\r', '%0A': '\n', '%25': '%' })[escape.toUpperCase()]!);
}
