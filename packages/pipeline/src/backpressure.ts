/**
 * Pause/resume decision with hysteresis: consumption pauses when the backlog reaches `pauseAt` and
 * resumes only once it has drained to `resumeAt`, so intake does not flap around one threshold.
 */
export class BackpressureGate {
  readonly pauseAt: number;
  readonly resumeAt: number;
  #paused = false;

  constructor(options: { pauseAt: number; resumeAt: number }) {
    if (options.resumeAt >= options.pauseAt) throw new RangeError('resumeAt must be below pauseAt');
    this.pauseAt = options.pauseAt;
    this.resumeAt = options.resumeAt;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Feeds the current backlog; returns the change to make, if any. */
  observe(backlog: number): 'pause' | 'resume' | undefined {
    if (!this.#paused && backlog >= this.pauseAt) {
      this.#paused = true;
      return 'pause';
    }
    if (this.#paused && backlog <= this.resumeAt) {
      this.#paused = false;
      return 'resume';
    }
    return undefined;
  }
}
