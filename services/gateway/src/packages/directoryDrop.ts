import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { MetadataTooLargeError, sameDecision, type DropEntry, type DropFile, type PackageDrop, type PackageNotes } from './drop.ts';
import { destinationNames, DROP_AREAS, isPackageName, stemOf, type Destination } from './layout.ts';

/**
 * A drop in a directory (a share several gateways may mount): <directory>/incoming/<package>/… Only
 * regular files count: a symbolic link in a package is not followed (it could point anywhere on the
 * gateway's host) and the file it stands for is missing. A folder package moves by one rename.
 */
export class DirectoryPackageDrop implements PackageDrop {
  readonly description: string;
  readonly #root: string;

  constructor(directory: string) {
    this.#root = directory;
    this.description = `directory ${directory}`;
  }

  #area(area: keyof typeof DROP_AREAS): string {
    return path.join(this.#root, DROP_AREAS[area]);
  }

  #pathOf(entry: DropEntry, file: string): string {
    const base = path.join(this.#area('incoming'), entry.name);
    // `file` is a checked package path (layout.ts): relative, without "." or ".." segments.
    return entry.kind === 'folder' ? path.join(base, ...file.split('/')) : base;
  }

  async list(): Promise<DropEntry[]> {
    await mkdir(this.#area('incoming'), { recursive: true });
    const entries = await readdir(this.#area('incoming'), { withFileTypes: true });
    return entries
      .filter((e) => isPackageName(e.name) && (e.isDirectory() || e.isFile()))
      .map((e): DropEntry => ({ name: e.name, kind: e.isDirectory() ? 'folder' : 'file' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async files(entry: DropEntry): Promise<DropFile[]> {
    const base = path.join(this.#area('incoming'), entry.name);
    if (entry.kind === 'file') {
      const stat = await lstat(base).catch(() => undefined);
      return stat?.isFile() ? [{ path: entry.name, size: stat.size, modifiedAt: stat.mtime }] : [];
    }
    const files: DropFile[] = [];
    const walk = async (dir: string, relative: string[]) => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const at = path.join(dir, e.name);
        if (e.isDirectory()) await walk(at, [...relative, e.name]);
        else if (e.isFile()) {
          const stat = await lstat(at);
          files.push({ path: [...relative, e.name].join('/'), size: stat.size, modifiedAt: stat.mtime });
        }
      }
    };
    await walk(base, []).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    return files;
  }

  async read(entry: DropEntry, file: string, maxBytes: number): Promise<Buffer | undefined> {
    const at = this.#pathOf(entry, file);
    const stat = await lstat(at).catch(() => undefined);
    if (!stat?.isFile()) return undefined;
    if (stat.size > maxBytes) throw new MetadataTooLargeError(`${file} is ${stat.size} bytes, over the ${maxBytes} a package's metadata may have (maxMetadataBytes)`);
    return readFile(at);
  }

  async open(entry: DropEntry, file: string): Promise<Readable> {
    // O_NOFOLLOW: a file swapped for a link after it was listed is refused, not followed.
    const handle = await open(this.#pathOf(entry, file), constants.O_RDONLY | constants.O_NOFOLLOW);
    return handle.createReadStream();
  }

  async move(entry: DropEntry, to: Destination, notes: PackageNotes): Promise<string> {
    const area = this.#area(to);
    await mkdir(area, { recursive: true });
    const name = entry.kind === 'folder' ? entry.name : stemOf(entry.name);
    let folder = '';
    for (const candidate of destinationNames(name)) {
      folder = path.join(area, candidate);
      const existing = await lstat(folder).catch(() => undefined);
      if (!existing) break;
      const marker = await readFile(path.join(folder, notes.marker)).catch(() => undefined);
      if (sameDecision(marker, notes.decision)) break;
    }
    const source = path.join(this.#area('incoming'), entry.name);
    if (entry.kind === 'folder') {
      // Notes inside the package first, then one rename: the package is wholly in incoming/ or wholly moved.
      for (const [file, bytes] of Object.entries(notes.files)) await writeFile(path.join(source, file), bytes);
      await rename(source, folder);
    } else {
      await mkdir(folder, { recursive: true });
      for (const [file, bytes] of Object.entries(notes.files)) await writeFile(path.join(folder, file), bytes);
      await rename(source, path.join(folder, entry.name));
    }
    return folder;
  }

  async close(): Promise<void> {}
}
