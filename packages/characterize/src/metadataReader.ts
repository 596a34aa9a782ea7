import { ExifTool, type Tags } from 'exiftool-vendored';

/**
 * One long-lived ExifTool process pool for the whole worker (spawning costs ~120 ms, a read on a warm
 * process a few ms). `close` must be awaited on shutdown, or the perl processes outlive the worker.
 */
export class MetadataReader {
  readonly #exiftool: ExifTool;
  #version: Promise<string> | undefined;

  constructor(options: { maxProcs?: number; taskTimeoutMillis?: number } = {}) {
    this.#exiftool = new ExifTool({
      maxProcs: options.maxProcs ?? 2,
      taskTimeoutMillis: options.taskTimeoutMillis ?? 30_000,
      // Large videos: without this ExifTool stops at 2 GB.
      readArgs: ['-api', 'largefilesupport=1'],
    });
  }

  read(filePath: string): Promise<Tags> {
    return this.#exiftool.read(filePath);
  }

  /** Asked once per process (each ask is a task on an ExifTool process): it does not change while we run. */
  version(): Promise<string> {
    this.#version ??= this.#exiftool.version();
    // A failed ask is not remembered: the next caller asks again.
    this.#version.catch(() => (this.#version = undefined));
    return this.#version;
  }

  close(): Promise<void> {
    return this.#exiftool.end();
  }
}
