import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { killTree, spawnLogged } from '../processes.ts';
import { waitForPort } from './ports.ts';

/**
 * A Redis of the suite's own, without persistence: a restart loses every queue and job, which is
 * the fault under test. noeviction as BullMQ requires.
 */
export class RedisServer {
  readonly port: number;
  readonly #dir: string;
  readonly #env: NodeJS.ProcessEnv;
  #child: ChildProcess | undefined;

  constructor(options: { dir: string; port: number; env: NodeJS.ProcessEnv }) {
    this.#dir = options.dir;
    this.port = options.port;
    this.#env = options.env;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return path.join(this.#dir, 'redis.log');
  }

  async start(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const args = ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', this.#dir, '--daemonize', 'no'];
    this.#child = spawnLogged({ command: process.env.REDIS_SERVER ?? 'redis-server', args, env: this.#env, logFile: this.logFile });
    await waitForPort(this.port, 'redis-server', 20_000);
  }

  /** Killed outright: with no persistence its data is gone either way. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await killTree(child.pid!);
    await exited;
  }
}
