import { readdir, readFile } from 'node:fs/promises';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Peak resident set size of a process so far (VmHWM), in MiB; undefined once it has exited. */
export async function peakRssMiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The process ids below `pid` (children, grandchildren …), for tools a service starts. */
export async function descendants(pid: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    // Every thread's children: a program may start its helpers from a thread other than the main one.
    const tasks = await readdir(`/proc/${parent}/task`).catch(() => [] as string[]);
    const children = (await Promise.all(tasks.map((t) => readFile(`/proc/${parent}/task/${t}/children`, 'utf8').catch(() => '')))).join(' ');
    for (const child of [...new Set(children.split(/\s+/).filter(Boolean).map(Number))]) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

export const mib = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(0)} MiB`);
export const fixed = (n: number, digits = 1) => n.toFixed(digits);
