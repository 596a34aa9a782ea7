import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { crashReasonOf } from './crash.ts';
import { killTree, sizeOf, spawnLogged, waitForText } from './processes.ts';

const REPO = path.join(import.meta.dirname, '..', '..', '..');

export interface ExitRecord {
  service: string;
  pid: number;
  at: number;
  code: number | null;
  signal: string | null;
  /** The error it died of, as Node printed it, when it printed one. */
  reason?: string;
}

/**
 * One of the archive's Node processes (intake, a worker, the simulator's file server), run as it is
 * deployed: `node services/<name>/src/main.ts` in its own process group, output appended to its log.
 * A death the suite did not cause is reported to `onUnexpectedExit`, which restarts it as a
 * supervisor (systemd, Kubernetes) would.
 */
export class ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  /** A line the service logs once it is ready for work. */
  readonly #ready: RegExp;
  readonly #args: string[];
  readonly #env: NodeJS.ProcessEnv;
  #child: ChildProcess | undefined;
  #expectExit = false;
  /** Set by an orderly stop: a restart racing with teardown must not start it again. */
  #stopped = false;
  onUnexpectedExit: ((exit: ExitRecord) => void) | undefined;

  constructor(options: { name: string; entry: string; args?: string[]; env: NodeJS.ProcessEnv; logFile: string; ready: RegExp }) {
    this.name = options.name;
    this.logFile = options.logFile;
    this.#ready = options.ready;
    this.#args = ['--disable-warning=TimeoutNegativeWarning', path.join(REPO, options.entry), ...(options.args ?? [])];
    this.#env = options.env;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process and resolves once it logs that it is ready. */
  async start(timeoutMs = 90_000): Promise<void> {
    const from = await sizeOf(this.logFile);
    if (this.#stopped) throw new Error(`${this.name} was stopped for good`);
    const child = spawnLogged({ command: process.execPath, args: this.#args, env: this.#env, cwd: REPO, logFile: this.logFile });
    this.#child = child;
    this.#expectExit = false;
    child.once('exit', (code, signal) => {
      if (this.#expectExit || this.#child !== child) return;
      const at = Date.now();
      void readFile(this.logFile)
        .then((log) => crashReasonOf(log.subarray(from).toString('utf8')), () => undefined)
        .then((reason) => this.onUnexpectedExit?.({ service: this.name, pid: child.pid!, at, code, signal, ...(reason ? { reason } : {}) }));
    });
    await Promise.race([
      waitForText(this.logFile, from, this.#ready, timeoutMs, `${this.name} start`),
      new Promise((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${this.name} exited (${code ?? signal}) before it was ready; see ${this.logFile}`)))),
    ]);
  }

  /** SIGKILL to the process and all it started: the crash under test. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    this.#expectExit = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await killTree(child.pid!);
    await exited;
  }

  /** An orderly stop (SIGTERM, as the service expects), forced after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.#stopped = true;
    const child = this.#child;
    if (!child || !this.running) return;
    this.#expectExit = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => void killTree(child.pid!), graceMs);
    await exited;
    clearTimeout(timer);
    // What is left of its process group (a pid that led a group is not reused while the group lives).
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone: nothing left
    }
  }
}
