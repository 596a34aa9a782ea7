import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';

/**
 * Every process the suite starts carries this variable (children inherit it: the JVMs the infra
 * scripts start, PostgreSQL's postmaster under pg_ctl, LibreOffice under a worker), so teardown can
 * find each one, even those that left their parent's process group.
 */
export const RUN_TAG = 'OA_CHAOS_RUN';

/** A run id names the harness process that owns it, so a later run can tell an abandoned one. */
export const runIdOf = (ownerPid: number, suffix: string) => `chaos-${ownerPid}-${suffix}`;
const ownerOf = (runId: string) => Number(/^chaos-(\d+)-/.exec(runId)?.[1]);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Process ids below `pid` (children, grandchildren …), from every thread's children list. */
export async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    const tasks = await readdir(`/proc/${parent}/task`).catch(() => [] as string[]);
    const lists = await Promise.all(tasks.map((t) => readFile(`/proc/${parent}/task/${t}/children`, 'utf8').catch(() => '')));
    for (const child of new Set(lists.join(' ').split(/\s+/).filter(Boolean).map(Number))) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

async function processGroupOf(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Field 5 is the process group; the command name (field 2) may hold spaces, so count after ')'.
  const pgid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]);
  return Number.isFinite(pgid) && pgid > 0 ? pgid : undefined;
}

const signal = (target: number, sig: NodeJS.Signals) => {
  try {
    process.kill(target, sig);
  } catch {
    // already gone
  }
};

/**
 * SIGKILL for a process and everything it started, as when its container dies: its process group,
 * and each descendant with its own group (LibreOffice and converters run in groups of their own).
 */
export async function killTree(pid: number): Promise<void> {
  const below = await descendants(pid);
  const groups = new Set((await Promise.all(below.map(processGroupOf))).filter((g): g is number => g !== undefined && g !== process.pid));
  signal(-pid, 'SIGKILL');
  signal(pid, 'SIGKILL');
  for (const group of groups) signal(-group, 'SIGKILL');
  for (const child of below) signal(child, 'SIGKILL');
}

/** Processes whose environment carries the run tag, with the run id each carries. */
export async function taggedProcesses(): Promise<{ pid: number; runId: string; command: string }[]> {
  const found: { pid: number; runId: string; command: string }[] = [];
  const needle = `${RUN_TAG}=`;
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
    const variable = environ.split('\0').find((v) => v.startsWith(needle));
    if (!variable) continue;
    const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').trim();
    found.push({ pid, runId: variable.slice(needle.length), command });
  }
  return found;
}

/**
 * Kills the processes of one run, or (no run id) of every run whose harness is gone: a crashed or
 * killed earlier run must not leave brokers and workers behind. Returns what it killed.
 */
export async function sweep(runId?: string): Promise<{ pid: number; command: string }[]> {
  const abandoned = (id: string) => Number.isInteger(ownerOf(id)) && !alive(ownerOf(id));
  const victims = (await taggedProcesses()).filter((p) => (runId ? p.runId === runId : abandoned(p.runId)));
  for (const victim of victims) signal(victim.pid, 'SIGKILL');
  return victims.map(({ pid, command }) => ({ pid, command }));
}

export interface CommandSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
}

/** Starts a command in its own process group with its output appended to its log file. */
export function spawnLogged(spec: CommandSpec): ChildProcess {
  const fd = openSync(spec.logFile, 'a');
  try {
    return spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
}

/** Runs a command to completion (its own process group, output to its log); throws on a non-zero exit. */
export async function runLogged(spec: CommandSpec, timeoutMs: number): Promise<void> {
  const child = spawnLogged(spec);
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => {
      void killTree(child.pid!);
      resolve(`timeout after ${timeoutMs / 1000} s`);
    }, timeoutMs);
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (exitCode, sig) => {
      clearTimeout(timer);
      resolve(exitCode ?? String(sig));
    });
  });
  if (code !== 0) {
    const tail = (await readFile(spec.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n    ');
    throw new Error(`${spec.command} ${spec.args.join(' ')} failed (${code}); its log ${spec.logFile} ends:\n    ${tail}`);
  }
}

/** Size of a file now, so a later wait can look only at what is written after this point. */
export async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => ({ size: 0 }))).size;
}

/** Waits until text matching `pattern` appears in the file after byte `from`. */
export async function waitForText(file: string, from: number, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await readFile(file).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
    if (pattern.test(text)) return;
    if (Date.now() > deadline) throw new Error(`${what}: no ${pattern} in ${file} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
