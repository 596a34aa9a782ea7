import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The README's commands start with infra/local/lib.sh's ensure_node. A cache left by an earlier run
 * hides a broken install step, so this installs Node and pnpm again into an empty OA_ARCHIVE_HOME and
 * HOME, with a PATH holding only the directories of the machine's own node and npm (plus the basic
 * tools), on every run of the test command.
 */
const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const bootstrap = path.join(repoRoot, 'infra/local/bootstrap.sh');

/** The PATH the machine gave the test command, without anything the project installed. */
function machinePath(): string {
  const original = process.env.OA_MACHINE_PATH ?? process.env.PATH ?? '';
  const projectOwned = (dir: string) => /oa-archive|node_modules/.test(dir);
  return original.split(':').filter((dir) => dir && !projectOwned(dir)).join(':');
}

/** Directories of the first `node` and `npm` on the machine's PATH, then the basic tools. */
function minimalPath(): string {
  const dirs = machinePath().split(':');
  const dirOf = (name: string) => dirs.find((dir) => existsSync(path.join(dir, name)));
  const chosen = [dirOf('node'), dirOf('npm'), '/usr/bin', '/bin'].filter((d): d is string => Boolean(d));
  return [...new Set(chosen)].join(':');
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function runBootstrap(home: string, env: Record<string, string> = {}, pathPrefix?: string): Promise<Run> {
  const PATH = pathPrefix ? `${pathPrefix}:${minimalPath()}` : minimalPath();
  try {
    const { stdout, stderr } = await run('bash', [bootstrap], {
      env: { PATH, HOME: home, OA_ARCHIVE_HOME: path.join(home, 'oa-archive'), LANG: 'C.UTF-8', ...env },
      timeout: 280_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `node v24.1.0 /path/to/node` and `pnpm 10.34.9 /path/to/pnpm` lines, as the script prints them. */
function reported(stdout: string, tool: 'node' | 'pnpm'): { version: string; at: string } {
  const line = stdout.split('\n').find((l) => l.startsWith(`${tool} `));
  if (!line) throw new Error(`bootstrap printed no ${tool} line:\n${stdout}`);
  const [, version, at] = line.split(' ');
  return { version: version!, at: at! };
}

let home: string;
let machineNodeMajor: number;
const scratch: string[] = [];
beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'oa-bootstrap-'));
  scratch.push(home);
  const { stdout } = await run('bash', ['-c', 'node --version 2>/dev/null || echo v0'], { env: { PATH: minimalPath() } });
  machineNodeMajor = Number(stdout.trim().replace(/^v/, '').split('.')[0]);
});
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('bootstrap from nothing (infra/local/bootstrap.sh)', () => {
  it('installs Node 24 and the pinned pnpm 10 into an empty OA_ARCHIVE_HOME and puts them first on PATH', async () => {
    const first = await runBootstrap(home);
    expect(first.code, first.stderr).toBe(0);
    const node = reported(first.stdout, 'node');
    const pnpm = reported(first.stdout, 'pnpm');
    expect(Number(node.version.replace(/^v/, '').split('.')[0])).toBeGreaterThanOrEqual(24);
    const pinned = (JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { packageManager: string }).packageManager.split('@')[1];
    expect(pnpm.version).toBe(pinned);
    expect(pnpm.version.split('.')[0]).toBe('10');
    // pnpm always comes from the project's own prefix; node too unless the machine already has 24.
    expect(pnpm.at.startsWith(home)).toBe(true);
    if (machineNodeMajor < 24) expect(node.at.startsWith(home)).toBe(true);
  }, 300_000);

  it('installs nothing the second time', async () => {
    const again = await runBootstrap(home);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/installing/);
  });

  it('refuses an unsupported architecture with what to do instead', async () => {
    if (machineNodeMajor >= 24) return; // the machine's own Node is used then: nothing to install
    const fake = await mkdtemp(path.join(tmpdir(), 'oa-bootstrap-arch-'));
    scratch.push(fake);
    // A real `uname` for everything but the machine name, which a riscv64 board would report.
    await writeFile(path.join(fake, 'uname'), '#!/bin/sh\n[ "$1" = -m ] && { echo riscv64; exit 0; }\nexec /bin/uname "$@"\n');
    await chmod(path.join(fake, 'uname'), 0o755);
    const refused = await runBootstrap(path.join(fake, 'home'), {}, fake);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('no Node 24 package for riscv64');
    expect(refused.stderr).toContain('install Node 24 LTS by hand');
    expect(existsSync(path.join(fake, 'home/oa-archive/node24'))).toBe(false);
  });

  it('says what to check when the registry cannot be reached, and leaves no half-installed Node', async () => {
    if (machineNodeMajor >= 24) return;
    const other = await mkdtemp(path.join(tmpdir(), 'oa-bootstrap-offline-'));
    scratch.push(other);
    // Port 9 on loopback (discard) has no registry behind it: the request is refused at once.
    const refused = await runBootstrap(other, { npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0', npm_config_fetch_timeout: '5000' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('npm could not install node-linux-');
    expect(existsSync(path.join(other, 'oa-archive/node24'))).toBe(false);
  }, 120_000);
});
