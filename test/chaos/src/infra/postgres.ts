import { access, chown, mkdir, readdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { runLogged } from '../processes.ts';

/** The directory holding initdb and pg_ctl: $PG_BINDIR, Debian's newest /usr/lib/postgresql/N/bin, or PATH. */
export async function postgresBinDir(): Promise<string> {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  const versions = (await readdir('/usr/lib/postgresql').catch(() => [] as string[])).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config on PATH
  }
  candidates.push(...(process.env.PATH ?? '').split(':').filter(Boolean));
  for (const dir of candidates) {
    const found = await Promise.all(['initdb', 'pg_ctl', 'postgres'].map((b) => access(path.join(dir, b)).then(() => true, () => false)));
    if (found.every(Boolean)) return dir;
  }
  throw new Error('no PostgreSQL server binaries (initdb, pg_ctl, postgres) found: install Debian\'s postgresql or set PG_BINDIR');
}

const asRoot = () => process.getuid?.() === 0;

/**
 * A PostgreSQL cluster of the suite's own on a spare port: initdb into a scratch directory, started
 * and stopped with pg_ctl. PostgreSQL refuses to run as root, so as root every command runs as the
 * `postgres` user, which owns the data directory.
 */
export class PostgresCluster {
  readonly port: number;
  readonly dir: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #commandLog: string;
  #bin = '';

  constructor(options: { dir: string; port: number; env: NodeJS.ProcessEnv; commandLog: string }) {
    this.dir = options.dir;
    this.port = options.port;
    this.#env = options.env;
    this.#commandLog = options.commandLog;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  get serverLog(): string {
    return path.join(this.dir, 'postgresql.log');
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async #run(binary: string, args: string[], timeoutMs = 120_000): Promise<void> {
    const full = path.join(this.#bin, binary);
    const [command, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
    await runLogged({ command, args: argv, env: this.#env, cwd: '/', logFile: this.#commandLog }, timeoutMs);
  }

  async init(): Promise<void> {
    this.#bin = await postgresBinDir();
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (asRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      await chown(this.dir, uid, gid);
    }
    await this.#run('initdb', ['-D', this.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '-N']);
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c max_connections=200`;
    await this.#run('pg_ctl', ['-D', this.dataDir, '-l', this.serverLog, '-w', '-t', '90', '-o', options, 'start']);
  }

  /** `fast` rolls back open transactions and checkpoints; `immediate` is for teardown. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.#run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '90', 'stop']);
  }

  async createDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
  }
}
