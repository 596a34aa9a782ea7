import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ConversionError, ConversionTimeoutError, InstanceDiedError } from './errors.ts';

const BRIDGE = path.join(import.meta.dirname, '..', 'uno', 'convert_server.py');
/** A health check is one cheap UNO call; an instance that takes longer than this is as good as dead. */
const HEALTH_TIMEOUT_MS = 15_000;

interface Reply {
  id?: string;
  ok?: boolean;
  error?: string;
  ms?: number;
  filter?: string;
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

type Health = { ok: true } | { ok: false; reason: string };

/** One headless LibreOffice with its own profile, behind the Python UNO bridge. */
class Instance {
  readonly index: number;
  readonly #options: PoolOptions;
  #process: ChildProcess | undefined;
  #pending = new Map<string, Pending>();
  #ready: Promise<string> | undefined;
  #seq = 0;
  /** Why this instance must not be used again, once known (killed, exited, failed a health check). */
  #deadReason: string | undefined;
  busy = false;

  constructor(index: number, options: PoolOptions) {
    this.index = index;
    this.#options = options;
  }

  /** Starts the bridge (and soffice) and resolves with the LibreOffice version once it answers. */
  start(): Promise<string> {
    const profile = path.join(this.#options.workDir, `profile-${this.index}`);
    const child = spawn(this.#options.python, [BRIDGE, profile, `oa_archive_lo_${process.pid}_${this.index}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: a timeout or a failed health check kills the bridge and soffice together.
      detached: true,
    });
    this.#process = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    // A write to a bridge that just died fails here; the exit handler reports it.
    child.stdin!.on('error', () => undefined);
    this.#ready = new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        let message: Reply & { ready?: boolean; version?: string };
        try {
          message = JSON.parse(line);
        } catch {
          return;
        }
        if (message.ready) return resolve(message.version ?? 'LibreOffice');
        const pending = message.id ? this.#pending.get(message.id) : undefined;
        if (!pending) return;
        clearTimeout(pending.timer);
        this.#pending.delete(message.id!);
        pending.resolve(message);
      });
      child.on('error', (error) => {
        this.#deadReason ??= `could not start ${this.#options.python}: ${error.message}`;
        reject(new ConversionError('libreoffice', this.#deadReason, { retryable: false, cause: error }));
      });
      child.on('exit', (code, signal) => {
        const reason = `bridge exited (${signal ?? `code ${code}`}) ${stderr.trim().split('\n').slice(-2).join(' | ')}`.trim();
        this.#deadReason ??= reason;
        const error = new InstanceDiedError(this.index, reason);
        reject(error);
        for (const [id, pending] of this.#pending) {
          clearTimeout(pending.timer);
          pending.reject(error);
          this.#pending.delete(id);
        }
      });
    });
    return this.#ready;
  }

  /** Cheap, synchronous: false once the instance is known dead. `check` also asks soffice. */
  alive(): boolean {
    return this.#deadReason === undefined && this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null;
  }

  /**
   * Health check: the bridge runs, soffice runs, and soffice answers a UNO call. A failed check
   * kills the instance so it is never handed out again.
   */
  async check(): Promise<Health> {
    try {
      await this.#ready;
      if (!this.alive()) return { ok: false, reason: this.#deadReason ?? 'bridge exited' };
      const reply = await this.#request({ op: 'ping' }, Math.min(HEALTH_TIMEOUT_MS, this.#options.timeoutMs));
      if (reply.ok) return { ok: true };
      this.kill(reply.error ?? 'failed its health check');
    } catch (error) {
      this.kill(error instanceof ConversionTimeoutError ? 'did not answer its health check' : (error as Error).message);
    }
    return { ok: false, reason: this.#deadReason! };
  }

  async convert(input: string, output: string, pdfVersion: number, timeoutMs: number): Promise<{ ms: number; filter: string }> {
    await this.#ready;
    const reply = await this.#request({ input, output, pdfVersion }, timeoutMs);
    // A refusal here may still be the instance dying under the document; the pool asks `check`.
    if (!reply.ok) throw new ConversionError('libreoffice', reply.error ?? 'conversion failed', { retryable: false });
    return { ms: reply.ms ?? 0, filter: reply.filter ?? '' };
  }

  #request(payload: Record<string, unknown>, timeoutMs: number): Promise<Reply> {
    if (!this.alive()) return Promise.reject(new InstanceDiedError(this.index, this.#deadReason ?? 'bridge exited'));
    const id = String(++this.#seq);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.kill(`no answer within ${timeoutMs} ms`);
        reject(new ConversionTimeoutError('libreoffice', timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#process!.stdin!.write(`${JSON.stringify({ id, ...payload })}\n`);
    });
  }

  kill(reason = 'killed'): void {
    // Dead from now on, even before the exit event arrives: the pool must not hand it out again.
    this.#deadReason ??= reason;
    if (!this.#process?.pid) return;
    try {
      process.kill(-this.#process.pid, 'SIGKILL');
    } catch {
      // ESRCH: the whole group is gone already.
    }
  }

  /** Closes stdin: the bridge stops soffice cleanly and exits. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (this.alive()) child.stdin!.end();
    else this.kill();
    const timer = setTimeout(() => this.kill('did not stop in time'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface PoolOptions {
  /** How many instances run at once; each holds a few hundred MB. */
  size: number;
  /** Debian's python3, which has the `uno` module (python3-uno). */
  python: string;
  /** Profiles live here, one directory per instance. */
  workDir: string;
  timeoutMs: number;
}

/**
 * A pool of long-lived headless LibreOffice instances, each with its own profile, so a conversion
 * costs a warm load-and-export (tens of milliseconds) instead of a cold start (over a second).
 * Each slot is health-checked (soffice running and answering over UNO) before it is used and after
 * a conversion fails, and replaced when dead: soffice can die under the bridge (OOM killer, a crash)
 * while the bridge lives on. A conversion that failed because its instance died or hung is
 * retryable; only a refusal from a healthy instance blames the document. LibreOffice can report
 * success without writing the file, so the output is always checked.
 */
/** Tries to bring up a slot at start before the pool gives up. */
const START_ATTEMPTS = 3;

export class LibreOfficePool {
  readonly #options: PoolOptions;
  readonly #instances: Instance[] = [];
  readonly #waiting: ((instance: Instance) => void)[] = [];
  #version = 'LibreOffice';
  #closed = false;
  #replacements = 0;

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  get version(): string {
    return this.#version;
  }

  /** How many dead instances were replaced since start. */
  get replacements(): number {
    return this.#replacements;
  }

  async start(): Promise<void> {
    if (!existsSync(this.#options.python)) {
      throw new ConversionError('libreoffice', `${this.#options.python} not found; install Debian's python3-uno and libreoffice-*-nogui`, { retryable: false });
    }
    await mkdir(this.#options.workDir, { recursive: true });
    const versions = await Promise.all(Array.from({ length: this.#options.size }, (_, i) => this.#startSlot(i)));
    this.#version = versions[0] ?? this.#version;
  }

  /**
   * Starts one slot, trying again when soffice dies or is slow to accept its first UNO connection: on a
   * loaded host that is load, not a broken install, and a worker that exits over it only restarts
   * into the same load. A missing or unstartable interpreter is not retried.
   */
  async #startSlot(index: number): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      const instance = new Instance(index, this.#options);
      this.#instances[index] = instance;
      try {
        return await instance.start();
      } catch (error) {
        instance.kill('did not start');
        if (!(error instanceof InstanceDiedError) || attempt >= START_ATTEMPTS || this.#closed) throw error;
      }
    }
  }

  async #acquire(): Promise<Instance> {
    const free = this.#instances.find((i) => !i.busy);
    if (free) {
      free.busy = true;
      return free;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(instance: Instance): void {
    const next = this.#waiting.shift();
    if (next) next(instance);
    else instance.busy = false;
  }

  /**
   * Replaces a dead instance in place, keeping its profile directory (a warm profile starts faster).
   * The fresh instance starts in the background; whoever uses it next waits for it, and gets the
   * reason if it could not start.
   */
  #replace(instance: Instance): Instance {
    instance.kill('replaced');
    const fresh = new Instance(instance.index, this.#options);
    fresh.busy = true;
    this.#instances[this.#instances.indexOf(instance)] = fresh;
    this.#replacements += 1;
    fresh.start().catch(() => undefined);
    return fresh;
  }

  /** Converts one file to PDF/A (part `pdfVersion`, default 2 → PDF/A-2b). */
  async toPdfA(input: string, output: string, pdfVersion = 2, timeoutMs = this.#options.timeoutMs): Promise<{ ms: number; filter: string }> {
    if (this.#closed) throw new ConversionError('libreoffice', 'pool is closed', { retryable: true });
    let instance = await this.#acquire();
    try {
      // Before use: a slot whose soffice died since its last conversion is replaced, not trusted.
      if (!(await instance.check()).ok) instance = this.#replace(instance);
      try {
        const result = await instance.convert(input, output, pdfVersion, timeoutMs);
        const written = await stat(output).catch(() => undefined);
        if (!written || written.size === 0) {
          throw new ConversionError('libreoffice', 'reported success but wrote no output', { retryable: true });
        }
        return result;
      } catch (error) {
        if (!(error instanceof ConversionError) || error.retryable) throw error;
        // After a refusal: was it the document, or did the instance die under it?
        const health = await instance.check();
        if (!health.ok) throw new InstanceDiedError(instance.index, health.reason, error);
        throw error;
      }
    } finally {
      // A killed or dead instance is replaced at once, so the next caller finds it warming up.
      if (!instance.alive() && !this.#closed) instance = this.#replace(instance);
      this.#release(instance);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#instances.map((i) => i.stop()));
  }
}
