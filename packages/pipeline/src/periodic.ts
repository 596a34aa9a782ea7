import type { Logger } from '@oa-archive/observability';

/**
 * Runs `task` every `intervalMs`, never two at once (a slow pass delays the next one), logging a
 * failed pass and carrying on. `stop()` waits for a pass under way to finish.
 */
export class PeriodicTask {
  readonly #name: string;
  readonly #intervalMs: number;
  readonly #task: () => Promise<unknown>;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(name: string, intervalMs: number, task: () => Promise<unknown>, logger: Logger) {
    this.#name = name;
    this.#intervalMs = intervalMs;
    this.#task = task;
    this.#logger = logger;
  }

  /** `firstAfterMs`: when the first pass runs (by default one interval after start). */
  start(firstAfterMs = this.#intervalMs): this {
    this.#schedule(firstAfterMs);
    return this;
  }

  #schedule(afterMs = this.#intervalMs): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#task()
        .then(() => undefined)
        .catch((error: unknown) => this.#logger.error({ err: error, task: this.#name }, `${this.#name} failed; trying again in ${this.#intervalMs} ms`))
        .finally(() => {
          this.#running = undefined;
          this.#schedule();
        });
    }, afterMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
