import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ConversionError, ConversionTimeoutError } from './errors.ts';

const BRIDGE = path.join(import.meta.dirname, '..', 'uno', 'convert_server.py');

interface Pending {
  resolve: (result: { ms: number; filter: string }) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** One headless LibreOffice with its own profile, behind the Python UNO bridge. */
class Instance {
  readonly index: number;
  readonly #options: PoolOptions;
  #process: ChildProcess | undefined;
  #pending = new Map<string, Pending>();
  #ready: Promise<string> | undefined;
  #seq = 0;
  #killed = false;
  busy = false;
  closing = false;

  constructor(index: number, options: PoolOptions) {
    this.index = index;
    this.#options = options;
  }

  /** Starts the bridge (and soffice) and resolves with the LibreOffice version once it answers. */
  start(): Promise<string> {
    const profile = path.join(this.#options.workDir, `profile-${this.index}`);
    const child = spawn(this.#options.python, [BRIDGE, profile, `oa_archive_lo_${process.pid}_${this.index}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: a timeout kills the bridge and soffice together.
      detached: true,
    });
    this.#process = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.#ready = new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        let message: { ready?: boolean; version?: string; id?: string; ok?: boolean; error?: string; ms?: number; filter?: string };
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
        if (message.ok) pending.resolve({ ms: message.ms ?? 0, filter: message.filter ?? '' });
        else pending.reject(new ConversionError('libreoffice', message.error ?? 'conversion failed', { retryable: false }));
      });
      child.on('exit', (code, signal) => {
        const error = new ConversionError('libreoffice', `instance ${this.index} exited (${code ?? signal}) ${stderr.trim().split('\n').slice(-2).join(' | ')}`, { retryable: true });
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

  alive(): boolean {
    return !this.#killed && this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null;
  }

  async convert(input: string, output: string, pdfVersion: number, timeoutMs: number): Promise<{ ms: number; filter: string }> {
    await this.#ready;
    const id = String(++this.#seq);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.kill();
        reject(new ConversionTimeoutError('libreoffice', timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#process!.stdin!.write(`${JSON.stringify({ id, input, output, pdfVersion })}\n`);
    });
  }

  kill(): void {
    // Dead from now on, even before the exit event arrives: the pool must not hand it out again.
    this.#killed = true;
    if (!this.#process?.pid) return;
    try {
      process.kill(-this.#process.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Closes stdin: the bridge stops soffice cleanly and exits. */
  async stop(): Promise<void> {
    this.closing = true;
    const child = this.#process;
    if (!child || !this.alive()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end();
    const timer = setTimeout(() => this.kill(), 15_000);
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
 * A conversion that hangs past its timeout gets its instance killed and replaced; a crashed instance
 * is replaced too; neither takes the worker down. LibreOffice can report success without writing
 * the file, so the output is always checked.
 */
export class LibreOfficePool {
  readonly #options: PoolOptions;
  readonly #instances: Instance[] = [];
  readonly #waiting: ((instance: Instance) => void)[] = [];
  #version = 'LibreOffice';
  #closed = false;

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  get version(): string {
    return this.#version;
  }

  async start(): Promise<void> {
    if (!existsSync(this.#options.python)) {
      throw new ConversionError('libreoffice', `${this.#options.python} not found; install Debian's python3-uno and libreoffice-*-nogui`, { retryable: false });
    }
    await mkdir(this.#options.workDir, { recursive: true });
    const versions = await Promise.all(
      Array.from({ length: this.#options.size }, (_, i) => {
        const instance = new Instance(i, this.#options);
        this.#instances.push(instance);
        return instance.start();
      }),
    );
    this.#version = versions[0] ?? this.#version;
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

  /** Replaces a dead instance in place, keeping its profile directory (a warm profile starts faster). */
  async #revive(instance: Instance): Promise<Instance> {
    if (instance.alive() || this.#closed) return instance;
    const fresh = new Instance(instance.index, this.#options);
    fresh.busy = true;
    this.#instances[this.#instances.indexOf(instance)] = fresh;
    await fresh.start();
    return fresh;
  }

  /** Converts one file to PDF/A (part `pdfVersion`, default 2 → PDF/A-2b). */
  async toPdfA(input: string, output: string, pdfVersion = 2, timeoutMs = this.#options.timeoutMs): Promise<{ ms: number; filter: string }> {
    if (this.#closed) throw new ConversionError('libreoffice', 'pool is closed', { retryable: true });
    let instance = await this.#acquire();
    try {
      instance = await this.#revive(instance);
      const result = await instance.convert(input, output, pdfVersion, timeoutMs);
      const written = await stat(output).catch(() => undefined);
      if (!written || written.size === 0) {
        throw new ConversionError('libreoffice', 'reported success but wrote no output', { retryable: true });
      }
      return result;
    } finally {
      // A killed or crashed instance is started again before it is handed out.
      instance = await this.#revive(instance).catch(() => instance);
      this.#release(instance);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#instances.map((i) => i.stop()));
  }
}
