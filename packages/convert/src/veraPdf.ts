import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/*
 * veraPDF kept warm: infra/local/validators/PdfaServer.java loads veraPDF's Foundry once and then
 * validates one file per stdin line, answering one JSON line each. A JVM start with the profile
 * loaded costs seconds; a warm validation of a one-page document tens of milliseconds. Each JVM
 * takes one file at a time (the rest queue here); one that dies or stops answering is killed, its
 * calls settled with a retryable error, and the next call starts a new one.
 */

export interface VeraPdfOptions {
  /** `-cp` for PdfaServer: veraPDF's jars and the compiled class (`infra/local/validators.sh classpath`). */
  classpath: string;
  /** The `java` to run (default `java` on PATH). */
  java?: string;
  /** JVM options (default: a 4 MiB thread stack for deep PDF structures, 512 MiB heap, the serial GC). */
  javaOptions?: readonly string[];
  /** JVMs kept warm (default 1); each validates one file at a time. */
  size?: number;
  /** A file gets this long, once its JVM took it; a JVM past it is killed and replaced. */
  timeoutMs: number;
  /** How long a JVM may take to load veraPDF and validate its warm-up file (default 180 s: a loaded machine is slow here). */
  startTimeoutMs?: number;
  /** Told when a JVM dies or is replaced; the calls it held are settled either way. */
  onReplaced?: (reason: string) => void;
}

/** One failed veraPDF rule: its id as veraPDF prints it (`ISO 19005-2:2011 6.6.2.1-1`), how often, and veraPDF's description. */
export interface PdfAFailure {
  rule: string;
  clause: string;
  test: number;
  count: number;
  message: string | null;
}

export type PdfAVerdict =
  /** veraPDF read the file and checked it against the flavour it declares (or veraPDF's default, when it declares none). */
  | { kind: 'checked'; compliant: boolean; flavour: string; declared: boolean; failedRules: number; failures: PdfAFailure[]; ms: number }
  /** veraPDF could not parse the file: it is no readable PDF, so no PDF/A either. */
  | { kind: 'unreadable'; reason: string };

/** veraPDF gave no verdict: not the file's fault (a JVM that died, hung or could not start), so trying again may help. */
export class PdfAValidatorError extends Error {
  override readonly name = 'PdfAValidatorError';
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(`veraPDF: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
  }
}

const DEFAULT_JAVA_OPTIONS = ['-Xss4m', '-Xmx512m', '-XX:+UseSerialGC', '-Dfile.encoding=UTF-8'];
const CLOSE_GRACE_MS = 5_000;
const HEALTH_TIMEOUT_MS = 10_000;

interface Job {
  arg: string;
  timeoutMs: number;
  resolve: (answer: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** One JVM running PdfaServer, taking one job at a time. */
class Jvm {
  readonly #options: VeraPdfOptions;
  readonly #child: ChildProcess;
  readonly ready: Promise<string>;
  readonly #queue: Job[] = [];
  #current: { id: string; job: Job; timer: NodeJS.Timeout } | undefined;
  #seq = 0;
  #started = false;
  #stderr = '';
  /** Why this JVM must not be used again, once known. */
  dead: string | undefined;

  constructor(options: VeraPdfOptions) {
    this.#options = options;
    this.#child = spawn(options.java ?? 'java', [...(options.javaOptions ?? DEFAULT_JAVA_OPTIONS), '-cp', options.classpath, 'PdfaServer'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // File names are paths Java must encode: never the POSIX locale of a caller without LANG.
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
    this.#child.stderr!.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    // A write to a JVM that just died fails here; the exit handler settles its calls.
    this.#child.stdin!.on('error', () => undefined);
    const lines = createInterface({ input: this.#child.stdout! });
    this.ready = new Promise<string>((resolve, reject) => {
      const startTimer = setTimeout(() => this.#fail(`did not load veraPDF within ${options.startTimeoutMs ?? 180_000} ms`), options.startTimeoutMs ?? 180_000);
      const onLine = (line: string) => {
        const answer = parse(line);
        if (!this.#started) {
          if (answer?.ready !== true) return;
          this.#started = true;
          clearTimeout(startTimer);
          resolve(String(answer.verapdf ?? 'unknown'));
          this.#next();
          return;
        }
        const current = this.#current;
        if (!answer || !current || answer.id !== current.id) return;
        clearTimeout(current.timer);
        this.#current = undefined;
        current.job.resolve(answer);
        this.#next();
      };
      lines.on('line', onLine);
      this.#child.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(startTimer);
        const missing = error.code === 'ENOENT' || error.code === 'EACCES';
        this.#fail(`could not start ${options.java ?? 'java'}: ${error.message}${missing ? ' (is a JDK installed on this worker? see docs/deployment.md, veraPDF)' : ''}`);
      });
      this.#child.once('exit', (code, signal) => {
        clearTimeout(startTimer);
        this.#fail(`the JVM exited (${signal ?? `code ${code}`})${this.#stderr ? `: ${lastLine(this.#stderr)}` : ''}`);
      });
      // Whatever ends the JVM before it is ready rejects its start.
      this.#onDead = (reason) => reject(new PdfAValidatorError(reason, { retryable: true }));
    });
    // A start nobody awaits yet must not be an unhandled rejection: callers see it through their job.
    this.ready.catch(() => undefined);
  }

  #onDead: (reason: string) => void = () => undefined;

  get load(): number {
    return this.#queue.length + (this.#current ? 1 : 0);
  }

  send(arg: string, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.dead) return Promise.reject(new PdfAValidatorError(this.dead, { retryable: true }));
    return new Promise((resolve, reject) => {
      this.#queue.push({ arg, timeoutMs, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    if (!this.#started || this.#current || this.dead) return;
    const job = this.#queue.shift();
    if (!job) return;
    const id = String(++this.#seq);
    const timer = setTimeout(() => this.#fail(`no answer within ${job.timeoutMs} ms for ${job.arg}; the JVM was killed and is replaced`), job.timeoutMs);
    this.#current = { id, job, timer };
    this.#child.stdin!.write(`${id}\t${job.arg}\n`);
  }

  /** Marks the JVM dead, kills it, and settles everything it held. */
  #fail(reason: string): void {
    if (this.dead) return;
    this.dead = reason;
    this.#child.kill('SIGKILL');
    this.#onDead(reason);
    const error = new PdfAValidatorError(reason, { retryable: true });
    if (this.#current) {
      clearTimeout(this.#current.timer);
      this.#current.job.reject(error);
      this.#current = undefined;
    }
    for (const job of this.#queue.splice(0)) job.reject(error);
    this.#options.onReplaced?.(reason);
  }

  /** Closes stdin (PdfaServer then exits), killing it after a grace period. */
  async close(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    const error = new PdfAValidatorError('the validator was closed', { retryable: true });
    for (const job of this.#queue.splice(0)) job.reject(error);
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** veraPDF, warm: a pool of PdfaServer JVMs (one by default). */
export class VeraPdf {
  readonly #options: VeraPdfOptions;
  readonly #slots: (Jvm | undefined)[];
  #version: string | undefined;
  #closed = false;

  constructor(options: VeraPdfOptions) {
    this.#options = options;
    this.#slots = Array.from({ length: Math.max(1, options.size ?? 1) }, () => undefined);
  }

  /** Starts every JVM and resolves with veraPDF's version once all have loaded it. */
  async start(): Promise<string> {
    const versions = await Promise.all(this.#slots.map((_, i) => this.#jvm(i).ready));
    return versions[0]!;
  }

  /** veraPDF's version, once a JVM has started. */
  get version(): string | undefined {
    return this.#version;
  }

  /** Validates `file` (an absolute path) against the PDF/A flavour it declares. */
  async validate(file: string): Promise<PdfAVerdict> {
    if (/[\t\r\n]/.test(file)) throw new PdfAValidatorError(`a path with a tab or line break cannot be sent: ${JSON.stringify(file)}`, { retryable: false });
    const answer = await this.#send(file, this.#options.timeoutMs);
    if (typeof answer.unreadable === 'string') return { kind: 'unreadable', reason: answer.unreadable };
    if (typeof answer.error === 'string') throw new PdfAValidatorError(`could not validate ${file}: ${answer.error}`, { retryable: false });
    if (typeof answer.compliant !== 'boolean') throw new PdfAValidatorError(`unexpected answer for ${file}: ${JSON.stringify(answer)}`, { retryable: true });
    return {
      kind: 'checked',
      compliant: answer.compliant,
      flavour: String(answer.flavour),
      declared: answer.declared === true,
      failedRules: Number(answer.failedRules ?? 0),
      failures: Array.isArray(answer.failures) ? (answer.failures as PdfAFailure[]) : [],
      ms: Number(answer.ms ?? 0),
    };
  }

  /** Pings every JVM (starting any that died); one that does not answer is killed and replaced by the next call. */
  async health(): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      await Promise.all(this.#slots.map((_, i) => this.#jvm(i).send('ping', HEALTH_TIMEOUT_MS)));
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((jvm) => jvm?.close()));
  }

  async #send(arg: string, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.#closed) throw new PdfAValidatorError('the validator was closed', { retryable: true });
    // The least loaded JVM; a dead one counts as free, as it is replaced on the spot.
    let best = 0;
    for (let i = 1; i < this.#slots.length; i++) if (load(this.#slots[i]) < load(this.#slots[best])) best = i;
    const jvm = this.#jvm(best);
    return jvm.send(arg, timeoutMs);
  }

  /** The JVM in slot `i`, a new one if it has none or its JVM died. */
  #jvm(i: number): Jvm {
    const current = this.#slots[i];
    if (current && !current.dead) return current;
    const jvm = new Jvm(this.#options);
    this.#slots[i] = jvm;
    jvm.ready.then((v) => (this.#version = v)).catch(() => undefined);
    return jvm;
  }
}

function load(jvm: Jvm | undefined): number {
  return !jvm || jvm.dead ? 0 : jvm.load;
}

function parse(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Not an answer (a library printing to stdout): the answer line follows.
    return undefined;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
