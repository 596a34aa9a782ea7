/**
 * Errors a stage raises on purpose. `retryable` tells the runner whether another attempt can help:
 * a refused host or an oversized file will not change, a timeout or a 503 may.
 */
export class StageError extends Error {
  override readonly name: string = 'StageError';
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
  }
}

/** The component URL is not one this source may be fetched from (SSRF guard), or redirects elsewhere. */
export class FetchRefusedError extends StageError {
  override readonly name = 'FetchRefusedError';
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

export class FetchHttpError extends StageError {
  override readonly name = 'FetchHttpError';
  readonly status: number;
  constructor(url: string, status: number) {
    // Server trouble and throttling pass; a 404 or 403 will not fix itself.
    super(`OA answered HTTP ${status} for ${url}`, { retryable: status >= 500 || status === 429 || status === 408 });
    this.status = status;
  }
}

export class FetchTimeoutError extends StageError {
  override readonly name = 'FetchTimeoutError';
  constructor(url: string, timeoutMs: number) {
    super(`fetching ${url} took longer than ${timeoutMs} ms`, { retryable: true });
  }
}

export class ComponentTooLargeError extends StageError {
  override readonly name = 'ComponentTooLargeError';
  constructor(fileName: string, limit: number) {
    super(`component "${fileName}" is larger than the configured limit of ${limit} bytes`, { retryable: false });
  }
}

/** A file the gateway staged from a package drop is gone from the store: it will not come back by retrying. */
export class StagedObjectMissingError extends StageError {
  override readonly name = 'StagedObjectMissingError';
  constructor(url: string) {
    super(`the package file ${url} is not in the store (deleted, or a lifecycle rule expired it); drop the package again`, { retryable: false });
  }
}

/** The job refers to an ingest the catalog does not hold: nothing to retry. */
export class UnknownIngestError extends StageError {
  override readonly name = 'UnknownIngestError';
  constructor(ingestId: string) {
    super(`ingest ${ingestId} is not in the catalog`, { retryable: false });
  }
}

/** The stage ran past its deadline (STAGE_DEADLINES): this attempt is abandoned, another may succeed. */
export class StageTimeoutError extends StageError {
  override readonly name = 'StageTimeoutError';
  constructor(stage: string, deadlineMs: number) {
    super(`stage ${stage} ran longer than its deadline of ${deadlineMs < 10_000 ? `${deadlineMs} ms` : `${Math.round(deadlineMs / 1000)} s`}; the attempt was abandoned`, { retryable: true });
  }
}

/**
 * The stage cannot run yet for a reason that will pass without anyone's help (an earlier version of
 * the document is still on its way): the job waits `delayMs` and runs again, spending no attempt.
 */
export class StageDeferredError extends StageError {
  override readonly name = 'StageDeferredError';
  readonly delayMs: number;
  constructor(message: string, delayMs: number, options: { cause?: unknown } = {}) {
    super(message, { retryable: true, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.delayMs = delayMs;
  }
}

export function isRetryable(error: unknown): boolean {
  const flag = (error as { retryable?: unknown } | null)?.retryable;
  // Unknown errors (a dropped connection, a store hiccup) get the benefit of the doubt.
  return typeof flag === 'boolean' ? flag : true;
}

export function describeError(error: unknown): { error: string; reason: string } {
  if (error instanceof Error) return { error: error.name, reason: error.message };
  return { error: 'Error', reason: String(error) };
}
