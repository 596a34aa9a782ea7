/** A conversion that did not produce a usable preservation copy. The original is never touched. */
export class ConversionError extends Error {
  override readonly name: string = 'ConversionError';
  readonly tool: string;
  /** Whether trying again may help (a hung, killed or crashed instance), or the input itself is the problem. */
  readonly retryable: boolean;
  constructor(tool: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(`${tool}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.tool = tool;
    this.retryable = options.retryable;
  }
}

/** The tool ran past its time limit; its whole process group was killed before this was raised. */
export class ConversionTimeoutError extends ConversionError {
  override readonly name: string = 'ConversionTimeoutError';
  readonly timeoutMs: number;
  readonly stderrTail: string;
  constructor(tool: string, timeoutMs: number, options: { killed?: string; stderrTail?: string } = {}) {
    const tail = options.stderrTail ? `; last output: ${options.stderrTail}` : '';
    super(tool, `no result within ${timeoutMs} ms; ${options.killed ?? 'the instance was killed and replaced'}${tail}`, { retryable: true });
    this.timeoutMs = timeoutMs;
    this.stderrTail = options.stderrTail ?? '';
  }
}

/**
 * The tool ended without success. A non-zero exit code is the tool refusing this input, which
 * another attempt will not change. A signal means it was killed from outside (the kernel's OOM
 * killer, an operator) or crashed; we cannot tell which, so another attempt is allowed — retries are
 * bounded, and the last one's reason reaches the reviewer.
 */
export class ToolExitError extends ConversionError {
  override readonly name: string = 'ToolExitError';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;
  constructor(tool: string, ended: { exitCode: number | null; signal: NodeJS.Signals | null }, stderrTail: string) {
    const how = ended.signal
      ? `was killed by ${ended.signal} (out of memory, stopped from outside, or crashed); another attempt may succeed`
      : `exited with code ${ended.exitCode}, refusing this input`;
    super(tool, `${how}: ${stderrTail || 'no output'}`, { retryable: ended.signal !== null });
    this.exitCode = ended.exitCode;
    this.signal = ended.signal;
    this.stderrTail = stderrTail;
  }
}

/** The tool could not be started: missing or not executable (fix the installation), or out of resources. */
export class ToolSpawnError extends ConversionError {
  override readonly name: string = 'ToolSpawnError';
  readonly code: string | undefined;
  constructor(tool: string, command: string, cause: NodeJS.ErrnoException) {
    const missing = cause.code === 'ENOENT' || cause.code === 'EACCES';
    super(tool, `could not start ${command}: ${cause.message}${missing ? ' (is the Debian package installed on this worker?)' : ''}`, { retryable: !missing, cause });
    this.code = cause.code;
  }
}

/**
 * A LibreOffice instance died, or stopped answering, before or under a conversion: the document is
 * not at fault, so another attempt on a fresh instance may succeed.
 */
export class InstanceDiedError extends ConversionError {
  override readonly name: string = 'InstanceDiedError';
  readonly slot: number;
  constructor(slot: number, reason: string, cause?: unknown) {
    super('libreoffice', `instance ${slot} died (${reason}); it is replaced, and another attempt may succeed`, { retryable: true, cause });
    this.slot = slot;
  }
}
