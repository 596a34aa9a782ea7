import { readdir, readFile } from 'node:fs/promises';
import { descendants } from './stats.ts';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ): 100 on Linux. */
const TICKS = 100;

/** CPU seconds a process has used (user + system), with those of its children it has waited for. */
export async function cpuSecondsOf(pid: number): Promise<{ own: number; waitedChildren: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { own: (f[11]! + f[12]!) / TICKS, waitedChildren: (f[13]! + f[14]!) / TICKS };
  } catch {
    return undefined;
  }
}

async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
}

/** Pids whose command name is `name` (postgres, redis-server, java …). */
export async function pidsNamed(name: string | RegExp): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p)).map(Number);
  const names = await Promise.all(pids.map(commandOf));
  return pids.filter((_p, i) => (typeof name === 'string' ? names[i] === name : name.test(names[i]!)));
}

async function cmdlineOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
}

/** What a group of processes has used so far; a process that exits between two readings drops out. */
export type CpuGroups = Record<string, () => Promise<number[]>>;

export interface CpuReading {
  byGroup: Record<string, Map<number, number>>;
  /** Children the service processes waited for (converters that ran and exited), by group. */
  waited: Record<string, number>;
}

export async function readCpu(groups: CpuGroups, serviceOf: Record<string, number> = {}): Promise<CpuReading> {
  const byGroup: CpuReading['byGroup'] = {};
  const waited: CpuReading['waited'] = {};
  for (const [group, pidsOf] of Object.entries(groups)) {
    const map = new Map<number, number>();
    for (const pid of await pidsOf()) {
      const cpu = await cpuSecondsOf(pid);
      if (cpu) map.set(pid, cpu.own);
    }
    byGroup[group] = map;
  }
  for (const [group, pid] of Object.entries(serviceOf)) waited[group] = (await cpuSecondsOf(pid))?.waitedChildren ?? 0;
  return { byGroup, waited };
}

/** CPU seconds each group used between two readings (processes started in between count from zero). */
export function cpuBetween(before: CpuReading, after: CpuReading): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [group, now] of Object.entries(after.byGroup)) {
    const then = before.byGroup[group] ?? new Map<number, number>();
    let sum = 0;
    for (const [pid, seconds] of now) sum += seconds - (then.get(pid) ?? 0);
    out[group] = sum;
  }
  for (const [group, seconds] of Object.entries(after.waited)) out[group] = (out[group] ?? 0) + seconds - (before.waited[group] ?? 0);
  return out;
}

/** The machine's busy CPU seconds so far, all processes (/proc/stat). */
export async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS;
}

async function javaRunning(needle: string): Promise<number[]> {
  const java = await pidsNamed('java');
  const lines = await Promise.all(java.map(cmdlineOf));
  return java.filter((_p, i) => lines[i]!.includes(needle));
}

/** The local infrastructure's processes, by what they are (where the CPU went besides our services). */
export const INFRASTRUCTURE: CpuGroups = {
  'S3 server (S3Proxy)': () => javaRunning('s3proxy'),
  PostgreSQL: () => pidsNamed('postgres'),
  Redis: () => pidsNamed('redis-server'),
  Kafka: () => javaRunning('kafka.Kafka'),
};

/** Which tool a process a service started is, by its command name. */
const TOOLS: [string, RegExp][] = [
  ['LibreOffice', /^(soffice|oosplash|python3)/],
  ['ExifTool', /^perl/],
];

async function descendantsRunning(pid: number, tool: RegExp | undefined): Promise<number[]> {
  const pids = await descendants(pid);
  const names = await Promise.all(pids.map(commandOf));
  return pids.filter((_p, i) => (tool ? tool.test(names[i]!) : !TOOLS.some(([, re]) => re.test(names[i]!))));
}

/**
 * A service process and, separately, the tool processes it keeps (LibreOffice, ExifTool, others
 * running); what the processes it ran to completion (Ghostscript, ffmpeg) used is counted by
 * `readCpu` from the service's waited-for children as `<name> tools run and waited for`.
 */
export function serviceGroups(name: string, pid: number): CpuGroups {
  return {
    [name]: async () => [pid],
    ...Object.fromEntries(TOOLS.map(([tool, re]) => [`${name}: ${tool}`, () => descendantsRunning(pid, re)])),
    [`${name}: other tools running`]: () => descendantsRunning(pid, undefined),
  };
}
