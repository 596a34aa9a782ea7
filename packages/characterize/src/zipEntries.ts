import { createHash } from 'node:crypto';
import yauzl from 'yauzl';
import { decodeName } from './zipDirectory.ts';

/**
 * Reads chosen entries of a ZIP package in one pass, never to disk: each chosen entry is kept in
 * memory (small structure files) and/or hashed as it streams (content files). Sizes are bounded per
 * entry and in total, so a package that inflates without end is stopped, not followed.
 */

export interface EntryPlan {
  /** Keep the inflated bytes (structure files). */
  keep?: boolean;
  /** Node hash names to compute over the inflated bytes: 'sm3', 'sha256' … */
  digests?: readonly string[];
}

export interface ReadEntry {
  name: string;
  size: number;
  bytes?: Buffer;
  digests: Record<string, Buffer>;
}

export interface ReadEntriesResult {
  /** By normalised name: no leading '/', as OFD paths are resolved from the package root. */
  entries: Map<string, ReadEntry>;
  /** Every name in the directory, normalised. */
  names: Set<string>;
}

export class ZipEntriesError extends Error {
  override name = 'ZipEntriesError';
}

export const normaliseEntryName = (name: string): string => name.replace(/^\/+/, '');

export function readZipEntries(
  filePath: string,
  plan: (name: string, size: number) => EntryPlan | undefined,
  limits: { maxKeptBytes: number; maxTotalBytes: number },
): Promise<ReadEntriesResult> {
  return new Promise((resolve, reject) => {
    yauzl.open(filePath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (openError, zip) => {
      if (openError) return reject(openError);
      const result: ReadEntriesResult = { entries: new Map(), names: new Set() };
      let total = 0;
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        zip.close();
        if (error) reject(error);
        else resolve(result);
      };
      zip.on('error', finish);
      zip.on('end', () => finish());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = normaliseEntryName(decodeName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag));
        result.names.add(name);
        const wanted = name.endsWith('/') ? undefined : plan(name, entry.uncompressedSize);
        if (!wanted || (!wanted.keep && !wanted.digests?.length)) return zip.readEntry();
        if (wanted.keep && entry.uncompressedSize > limits.maxKeptBytes) {
          return finish(new ZipEntriesError(`${name} is ${entry.uncompressedSize} bytes, over the ${limits.maxKeptBytes} read for a structure file`));
        }
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes) return finish(new ZipEntriesError(`the entries to read inflate to over ${limits.maxTotalBytes} bytes`));
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return finish(streamError);
          const hashes = (wanted.digests ?? []).map((algorithm) => [algorithm, createHash(algorithm)] as const);
          const parts: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => {
            for (const [, hash] of hashes) hash.update(chunk);
            if (wanted.keep) parts.push(chunk);
          });
          stream.on('error', (error: Error) => finish(new ZipEntriesError(`${name} cannot be inflated: ${error.message}`)));
          stream.on('end', () => {
            const read: ReadEntry = { name, size: entry.uncompressedSize, digests: Object.fromEntries(hashes.map(([algorithm, hash]) => [algorithm, hash.digest()])) };
            if (wanted.keep) read.bytes = Buffer.concat(parts);
            result.entries.set(name, read);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
