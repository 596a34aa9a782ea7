import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@oa-archive/observability';
import type { PackageDrop } from './drop.ts';
import type { PackageProcessor, PackageResult } from './processor.ts';

/**
 * Scans one source's incoming/ every pollMs and hands each package to the processor. A package that
 * fails (the store or Kafka unavailable) is released and tried again on a later scan; the scan goes on
 * with the next package, so one bad package never holds up the others.
 */

export interface ScanResult {
  seen: number;
  results: { name: string; result: PackageResult }[];
  failed: { name: string; error: Error }[];
}

export class PackageWatcher {
  readonly #drop: PackageDrop;
  readonly #processor: PackageProcessor;
  readonly #pollMs: number;
  readonly #logger: Logger;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #failures = 0;

  constructor(options: { drop: PackageDrop; processor: PackageProcessor; pollMs: number; logger: Logger }) {
    this.#drop = options.drop;
    this.#processor = options.processor;
    this.#pollMs = options.pollMs;
    this.#logger = options.logger;
  }

  /** One scan of incoming/. */
  async scanOnce(): Promise<ScanResult> {
    const entries = await this.#drop.list();
    const scan: ScanResult = { seen: entries.length, results: [], failed: [] };
    for (const entry of entries) {
      if (this.#stop.signal.aborted) break;
      try {
        scan.results.push({ name: entry.name, result: await this.#processor.handle(entry) });
      } catch (error) {
        scan.failed.push({ name: entry.name, error: error as Error });
        this.#logger.warn({ err: error, package: entry.name }, 'package not handled; it is tried again on a later scan');
      }
    }
    return scan;
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#loop();
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      let pause = this.#pollMs;
      try {
        const scan = await this.scanOnce();
        this.#failures = scan.failed.length > 0 ? this.#failures + 1 : 0;
      } catch (error) {
        this.#failures++;
        this.#logger.warn({ err: error, drop: this.#drop.description }, 'could not scan the package drop');
      }
      if (this.#failures > 0) pause = Math.min(60_000, this.#pollMs * 2 ** Math.min(this.#failures, 10));
      await sleep(pause, undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  /** Lets the current package finish, then stops. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }
}
