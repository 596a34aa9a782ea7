import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Finding the real tool processes from outside, as an operator (or the OOM killer) would: by
 * scanning /proc. Linux only, like the workers.
 */

async function argvOf(pid: number): Promise<string[] | undefined> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return raw ? raw.split('\0').filter(Boolean) : undefined;
}

/** The pids whose command line satisfies `match` right now. */
export async function processesMatching(match: (argv: string[]) => boolean): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await argvOf(Number(entry));
    if (argv && match(argv) && isRunning(Number(entry))) pids.push(Number(entry));
  }
  return pids;
}

/** Waits until exactly one running process matches, and returns its pid. */
export async function waitForProcess(match: (argv: string[]) => boolean, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await processesMatching(match);
    if (pids.length === 1) return pids[0]!;
    if (pids.length > 1) throw new Error(`expected one matching process, found ${pids.join(', ')}`);
    if (Date.now() > deadline) throw new Error('no matching process appeared');
    await sleep(10);
  }
}

/** A missing process or a zombie (exited, not yet reaped) is not running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return procState(pid) !== 'Z';
}

/** The state letter from /proc/<pid>/stat. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, clock ticks) a process has used: proof that it is working on something. */
export async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Waits until a process has used `ticks` more CPU time than now. */
export async function waitForWork(pid: number, ticks: number, timeoutMs = 30_000): Promise<void> {
  const start = await cpuTicks(pid);
  const deadline = Date.now() + timeoutMs;
  while ((await cpuTicks(pid)) - start < ticks) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did no work`);
    await sleep(10);
  }
}

/**
 * Whether a process is gone (or a zombie) within `timeoutMs`. A SIGKILLed process closes its files a
 * moment before the kernel marks it exited, so "its pipes closed" and "it is gone" are not one instant.
 */
export async function goneWithin(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}
