import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Local copies of staged bytes, named by their SHA-256 and shared by every stage and worker process on
 * the host: bytes one stage had here (fetched, converted, packaged) are read from disk by the next
 * instead of from the staging bucket. Only a cache (staging stays the record): a miss, a copy gone
 * meanwhile or one that no longer matches its digest falls back to staging. An entry appears whole or
 * not at all (written under a temporary name, then renamed) and never changes; the total size is
 * bounded, the oldest entries going first.
 */
export class LocalCache {
  readonly dir: string;
  /** Objects above this are not kept: streamed from staging, as if there were no cache. */
  readonly maxObjectBytes: number;
  readonly #maxBytes: number;
  readonly #onError: (error: unknown) => void;
  #addedSinceTrim = 0;
  #trimming: Promise<void> | undefined;
  #ready: Promise<void> | undefined;

  /**
   * `onError` hears of copies that could not be kept (a full disk, say): the stage goes on without
   * them, reading staging, so they are reported rather than thrown.
   */
  constructor(dir: string, options: { maxBytes: number; maxObjectBytes?: number; onError: (error: unknown) => void }) {
    this.dir = dir;
    this.#maxBytes = options.maxBytes;
    this.maxObjectBytes = Math.min(options.maxObjectBytes ?? Math.floor(options.maxBytes / 8), options.maxBytes);
    this.#onError = options.onError;
  }

  /** Whether bytes of this size are kept here. */
  keeps(size: number | undefined): boolean {
    return this.#maxBytes > 0 && (size === undefined || size <= this.maxObjectBytes);
  }

  #pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new TypeError(`not a SHA-256 in hex: ${sha256}`);
    return path.join(this.dir, sha256);
  }

  #tempPath(): string {
    return path.join(this.dir, `.partial-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  async #ensureDir(): Promise<void> {
    this.#ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    await this.#ready;
  }

  /** Runs `write` once more after making the directory again when it failed for want of it (a worker starting on this host may clean the scratch directory away). */
  async #inDir<T>(write: () => Promise<T>): Promise<T> {
    await this.#ensureDir();
    try {
      return await write();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#ready = undefined;
      await this.#ensureDir();
      return write();
    }
  }

  /**
   * The entry for these bytes opened for reading, or undefined when there is none. The handle keeps
   * the bytes readable even if the entry is dropped meanwhile; the caller closes it, and checks what it
   * reads (size and digest): one system call here, no more.
   */
  async open(sha256: string, size: number): Promise<FileHandle | undefined> {
    if (!this.keeps(size)) return undefined;
    try {
      return await open(this.#pathOf(sha256), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * The entry's path if there is one of that size, or undefined; for tools that need a path (link it
   * before use: trimming may drop the entry).
   */
  async pathOf(sha256: string, size: number): Promise<string | undefined> {
    if (!this.keeps(size)) return undefined;
    const file = this.#pathOf(sha256);
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) return undefined;
    if (info.size === size) return file;
    await this.drop(sha256);
    return undefined;
  }

  /** Removes an entry that turned out not to hold its bytes. */
  async drop(sha256: string): Promise<void> {
    await rm(this.#pathOf(sha256), { force: true });
  }

  /** Adds a local file under its digest by linking it (no copy); the file itself may be removed afterwards. */
  async addFile(file: string, sha256: string, size: number): Promise<void> {
    if (!this.keeps(size)) return;
    const temp = this.#tempPath();
    try {
      await this.#inDir(() => link(file, temp));
      await this.#commit(temp, sha256, size);
    } catch (error) {
      await rm(temp, { force: true });
      // Another file system: not worth a copy, and nothing wrong.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') this.#onError(error);
    }
  }

  async addBuffer(content: Buffer, sha256: string): Promise<void> {
    if (!this.keeps(content.length)) return;
    const temp = this.#tempPath();
    try {
      await this.#inDir(() => writeFile(temp, content));
      await this.#commit(temp, sha256, content.length);
    } catch (error) {
      await rm(temp, { force: true });
      this.#onError(error);
    }
  }

  /**
   * A pass-through that copies what flows through it into a new entry; `commit` names the entry once
   * the digest is known (after the stream ended), `discard` forgets it. Bytes beyond `maxObjectBytes`
   * stop the copy, not the stream.
   */
  async tee(): Promise<CacheTee> {
    await this.#ensureDir();
    return new CacheTee(this.#tempPath(), this.maxObjectBytes, async (temp, sha256, size) => {
      try {
        await this.#commit(temp, sha256, size);
      } catch (error) {
        await rm(temp, { force: true });
        this.#onError(error);
      }
    }, this.#onError);
  }

  async #commit(temp: string, sha256: string, size: number): Promise<void> {
    // Same name, same bytes: replacing an existing entry is harmless, and rename is atomic.
    await rename(temp, this.#pathOf(sha256));
    this.#addedSinceTrim += size;
    if (this.#addedSinceTrim > this.#maxBytes / 4) {
      this.#addedSinceTrim = 0;
      this.#trimming ??= this.trim().finally(() => (this.#trimming = undefined));
      await this.#trimming;
    }
  }

  /** Drops the oldest entries until the cache holds at most three quarters of its budget; partial files left by dead processes too. */
  async trim(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const entries = (
      await Promise.all(
        names.map(async (name) => {
          const info = await stat(path.join(this.dir, name)).catch(() => undefined);
          return info ? { name, size: info.size, mtimeMs: info.mtimeMs } : undefined;
        }),
      )
    ).filter((e) => e !== undefined);
    const hourAgo = Date.now() - 3_600_000;
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    for (const entry of entries.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      const abandoned = entry.name.startsWith('.partial-') && entry.mtimeMs < hourAgo;
      if (!abandoned && (total <= (this.#maxBytes * 3) / 4 || entry.name.startsWith('.partial-'))) continue;
      await rm(path.join(this.dir, entry.name), { force: true });
      total -= entry.size;
    }
  }
}

/** See `LocalCache.tee`. */
export class CacheTee extends Transform {
  readonly #temp: string;
  readonly #limit: number;
  readonly #commit: (temp: string, sha256: string, size: number) => Promise<void>;
  #file: WriteStream | undefined;
  #bytes = 0;
  #abandoned = false;
  /** The chunk waiting for the disk to drain. */
  #pending: (() => void) | undefined;

  readonly #onError: (error: unknown) => void;

  constructor(temp: string, limit: number, commit: (temp: string, sha256: string, size: number) => Promise<void>, onError: (error: unknown) => void) {
    super();
    this.#temp = temp;
    this.#limit = limit;
    this.#commit = commit;
    this.#onError = onError;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    if (!this.#abandoned && this.#bytes > this.#limit) void this.#abandon();
    if (this.#abandoned) return done(null, chunk);
    this.#file ??= createWriteStream(this.#temp).on('error', (error) => {
      this.#onError(error);
      void this.#abandon();
    });
    // The copy keeps pace with the stream: wait for the disk when it falls behind.
    if (this.#file.write(chunk)) return done(null, chunk);
    this.#pending = () => done(null, chunk);
    this.#file.once('drain', () => this.#release());
  }

  #release(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.();
  }

  override _flush(done: TransformCallback): void {
    if (this.#abandoned || !this.#file) return done();
    this.#file.end(() => done());
  }

  #abandon(): Promise<void> {
    this.#abandoned = true;
    // A failed copy never holds up the stream it copies.
    this.#release();
    const file = this.#file;
    if (!file) return Promise.resolve();
    // Removed once closed: a write stream still opening its file would create it again after an rm.
    const closed = file.closed ? Promise.resolve() : new Promise<void>((resolve) => file.once('close', () => resolve()));
    file.destroy();
    return closed.then(() => rm(this.#temp, { force: true })).catch((error: unknown) => this.#onError(error));
  }

  /** After the stream ended: keep the copy under its digest (if it was kept whole). */
  async commit(sha256: string): Promise<void> {
    if (this.#abandoned || !this.#file) return;
    await this.#commit(this.#temp, sha256, this.#bytes);
  }

  /** The stream failed: the copy goes. */
  async discard(): Promise<void> {
    await this.#abandon();
  }
}
