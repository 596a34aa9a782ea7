/** A conversion that did not produce a usable preservation copy. The original is never touched. */
export class ConversionError extends Error {
  override readonly name: string = 'ConversionError';
  readonly tool: string;
  /** Whether trying again may help (a hung or crashed instance), or the input itself is the problem. */
  readonly retryable: boolean;
  constructor(tool: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(`${tool}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.tool = tool;
    this.retryable = options.retryable;
  }
}

export class ConversionTimeoutError extends ConversionError {
  override readonly name = 'ConversionTimeoutError';
  constructor(tool: string, timeoutMs: number) {
    super(tool, `no result within ${timeoutMs} ms; the instance was killed and replaced`, { retryable: true });
  }
}
