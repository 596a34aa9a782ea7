import type { FileHandle } from 'node:fs/promises';
import { readAt, withFile } from './fileBytes.ts';

/**
 * Reads the directory of an OLE compound file (MS-CFB: .doc/.xls/.ppt, encrypted OOXML) and the
 * first bytes of chosen streams — enough to tell the format and spot macros or encryption,
 * without a full parser. Malformed structure throws CompoundFileError.
 */

export interface CompoundEntry {
  /** Full path inside the file, storages separated by '/', e.g. 'Macros/VBA/dir'. */
  path: string;
  name: string;
  kind: 'storage' | 'stream';
  size: number;
}

export interface CompoundFile {
  entries: CompoundEntry[];
  /** First bytes of the streams asked for, keyed by path; absent when the stream does not exist. */
  heads: Map<string, Buffer>;
}

export class CompoundFileError extends Error {
  override name = 'CompoundFileError';
}

const SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const END_OF_CHAIN = 0xfffffffe;
const FREE_SECT = 0xffffffff;
const NO_STREAM = 0xffffffff;
const MAX_DIRECTORY_ENTRIES = 100_000;
const MINI_SECTOR = 64;

interface RawEntry {
  name: string;
  type: number;
  left: number;
  right: number;
  child: number;
  start: number;
  size: number;
}

export async function readCompoundFile(filePath: string, headPaths: string[] = [], headBytes = 512): Promise<CompoundFile> {
  return withFile(filePath, async (handle, fileSize) => {
    const header = await readAt(handle, 0, 512);
    if (header.length < 512 || !header.subarray(0, 8).equals(SIGNATURE)) throw new CompoundFileError('no OLE compound file header');
    const sectorShift = header.readUInt16LE(0x1e);
    if (sectorShift !== 9 && sectorShift !== 12) throw new CompoundFileError(`unsupported sector size 2^${sectorShift}`);
    const sectorSize = 1 << sectorShift;
    const sectorCount = Math.ceil(fileSize / sectorSize);
    const sectorAt = (id: number) => (id + 1) * sectorSize;

    const fat = await readFat(handle, header, sectorSize, sectorCount);
    const chain = (start: number, limit = Number.POSITIVE_INFINITY): number[] => {
      const ids: number[] = [];
      for (let id = start; id !== END_OF_CHAIN && ids.length < limit; id = fat[id]!) {
        if (id >= fat.length || id === FREE_SECT) throw new CompoundFileError(`sector chain leaves the file at sector ${id}`);
        if (ids.length > sectorCount) throw new CompoundFileError('sector chain loops');
        ids.push(id);
      }
      return ids;
    };
    const readChain = async (ids: number[]): Promise<Buffer> =>
      Buffer.concat(await Promise.all(ids.map((id) => readAt(handle, sectorAt(id), sectorSize))));

    const directory = await readChain(chain(header.readUInt32LE(0x30)));
    const raw: RawEntry[] = [];
    for (let at = 0; at + 128 <= directory.length && raw.length < MAX_DIRECTORY_ENTRIES; at += 128) {
      const nameLength = Math.min(64, directory.readUInt16LE(at + 0x40));
      raw.push({
        name: directory.toString('utf16le', at, at + Math.max(0, nameLength - 2)),
        type: directory[at + 0x42]!,
        left: directory.readUInt32LE(at + 0x44),
        right: directory.readUInt32LE(at + 0x48),
        child: directory.readUInt32LE(at + 0x4c),
        start: directory.readUInt32LE(at + 0x74),
        // Version 3 files keep only the low 32 bits meaningful.
        size: directory.readUInt32LE(at + 0x78),
      });
    }
    const root = raw[0];
    if (!root || root.type !== 5) throw new CompoundFileError('directory has no root entry');

    const byPath = new Map<string, RawEntry>();
    const entries: CompoundEntry[] = [];
    const seen = new Set<number>();
    // Siblings form a red-black tree (left/right); a storage's children hang off `child`.
    const walk = (id: number, parent: string) => {
      const stack = [id];
      while (stack.length) {
        const current = stack.pop()!;
        if (current === NO_STREAM) continue;
        if (current >= raw.length || seen.has(current)) throw new CompoundFileError('directory tree is malformed');
        seen.add(current);
        const entry = raw[current]!;
        stack.push(entry.left, entry.right);
        if (entry.type !== 1 && entry.type !== 2) continue;
        const path = parent ? `${parent}/${entry.name}` : entry.name;
        entries.push({ path, name: entry.name, kind: entry.type === 1 ? 'storage' : 'stream', size: entry.size });
        byPath.set(path, entry);
        if (entry.type === 1) walk(entry.child, path);
      }
    };
    walk(root.child, '');

    const heads = new Map<string, Buffer>();
    const miniCutoff = header.readUInt32LE(0x38);
    let mini: { fat: number[]; container: number[] } | undefined;
    for (const path of headPaths) {
      const entry = byPath.get(path);
      if (!entry || entry.type !== 2) continue;
      const wanted = Math.min(headBytes, entry.size);
      if (entry.size >= miniCutoff) {
        const bytes = await readChain(chain(entry.start, Math.ceil(wanted / sectorSize)));
        heads.set(path, bytes.subarray(0, wanted));
        continue;
      }
      mini ??= { fat: await readMiniFat(header, chain, readChain), container: chain(root.start) };
      const parts: Buffer[] = [];
      let id = entry.start;
      for (let got = 0; got < wanted && id !== END_OF_CHAIN; got += MINI_SECTOR, id = mini.fat[id] ?? END_OF_CHAIN) {
        const at = id * MINI_SECTOR;
        const containerSector = mini.container[Math.floor(at / sectorSize)];
        if (containerSector === undefined) throw new CompoundFileError(`mini sector ${id} lies outside the mini stream`);
        parts.push(await readAt(handle, sectorAt(containerSector) + (at % sectorSize), MINI_SECTOR));
      }
      heads.set(path, Buffer.concat(parts).subarray(0, wanted));
    }
    return { entries, heads };
  });
}

/** The FAT: sector ids listed by the header's 109 DIFAT slots, then by the DIFAT sector chain. */
async function readFat(handle: FileHandle, header: Buffer, sectorSize: number, sectorCount: number): Promise<number[]> {
  const fatSectorCount = header.readUInt32LE(0x2c);
  if (fatSectorCount > sectorCount) throw new CompoundFileError(`header claims ${fatSectorCount} FAT sectors in a ${sectorCount}-sector file`);
  const fatSectors: number[] = [];
  for (let i = 0; i < 109 && fatSectors.length < fatSectorCount; i++) fatSectors.push(header.readUInt32LE(0x4c + i * 4));
  let difat = header.readUInt32LE(0x44);
  for (let hops = 0; fatSectors.length < fatSectorCount; hops++) {
    if (difat === END_OF_CHAIN || difat === FREE_SECT || hops > sectorCount) throw new CompoundFileError('DIFAT chain ends before all FAT sectors are listed');
    const sector = await readAt(handle, (difat + 1) * sectorSize, sectorSize);
    const perSector = sectorSize / 4 - 1;
    for (let i = 0; i < perSector && fatSectors.length < fatSectorCount; i++) fatSectors.push(sector.readUInt32LE(i * 4));
    difat = sector.readUInt32LE(perSector * 4);
  }
  const fat: number[] = [];
  for (const id of fatSectors) {
    if (id >= sectorCount) throw new CompoundFileError(`FAT sector ${id} lies outside the file`);
    const sector = await readAt(handle, (id + 1) * sectorSize, sectorSize);
    for (let i = 0; i + 4 <= sector.length; i += 4) fat.push(sector.readUInt32LE(i));
  }
  return fat;
}

async function readMiniFat(
  header: Buffer,
  chain: (start: number) => number[],
  readChain: (ids: number[]) => Promise<Buffer>,
): Promise<number[]> {
  const first = header.readUInt32LE(0x3c);
  if (first === END_OF_CHAIN || header.readUInt32LE(0x40) === 0) return [];
  const bytes = await readChain(chain(first));
  const miniFat: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) miniFat.push(bytes.readUInt32LE(i));
  return miniFat;
}
