import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Fixity, ObjectStore } from '@oa-archive/storage';

/*
 * Scratch entries carry their owner in their name: host, pid and the pid's start time, e.g.
 * `run_worker-a_4242_1234567_ing_…_Xy12Ab` for one stage run, `proc_worker-a_4242_1234567_libreoffice`
 * for what lives as long as a process. Several worker processes may share one scratch directory, and
 * one killed mid-stage leaves its entries behind; `cleanScratch` tells the two apart by the owner.
 * SCRATCH_DIR must be local to the host (and pid namespace): a pid means nothing elsewhere, so
 * entries of another host are only ever removed by age.
 */

const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'host';
const OWNED = /^(run|proc)_([A-Za-z0-9.-]+)_(\d+)_(\d+)_/;
/** Before owners were named: the LibreOffice profiles of `libreoffice-<pid>` (same host). */
const LEGACY_PROFILE = /^libreoffice-(\d+)$/;

export interface ScratchOwner {
  kind: 'run' | 'proc';
  host: string;
  pid: number;
  /** Clock ticks since boot (/proc/<pid>/stat); 0 where unknown, and then the pid alone decides. */
  startTime: number;
}

/** When a process started (clock ticks since boot), or undefined if it is gone, a zombie, or there is no /proc. */
function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' ? undefined : Number(fields[19]);
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that made an entry still runs: same pid and, where known, same start time (pids are reused). */
export function ownerRunning(owner: Pick<ScratchOwner, 'pid' | 'startTime'>): boolean {
  if (owner.startTime === 0) return pidExists(owner.pid);
  return processStartTime(owner.pid) === owner.startTime;
}

let selfTag: string | undefined;
function ownerTag(): string {
  selfTag ??= `${HOST}_${process.pid}_${processStartTime(process.pid) ?? 0}`;
  return selfTag;
}

/** The owner a scratch entry's name declares, if any. Pure. */
export function parseScratchOwner(name: string, host: string = HOST): ScratchOwner | undefined {
  const owned = OWNED.exec(name);
  if (owned) return { kind: owned[1] as 'run' | 'proc', host: owned[2]!, pid: Number(owned[3]), startTime: Number(owned[4]) };
  const legacy = LEGACY_PROFILE.exec(name);
  if (legacy) return { kind: 'proc', host, pid: Number(legacy[1]), startTime: 0 };
  return undefined;
}

export type ScratchVerdict = { remove: false } | { remove: true; reason: 'owner-gone' | 'older-than-bound' };

/**
 * Whether a scratch entry is an orphan. Pure. An entry whose owner (on this host) no longer runs is
 * removed at once: nothing can be using it. A stage run's entry not touched for longer than
 * `olderThanMs` (the longest stage deadline) is removed whoever owns it: its attempt has been failed
 * by the runner already, and this also catches entries of other hosts and unnamed ones. A process's
 * own entry (LibreOffice profiles) stays while its owner runs, however old.
 */
export function judgeScratchEntry(
  entry: { name: string; mtimeMs: number },
  context: { now: number; olderThanMs: number; host: string; running: (owner: ScratchOwner) => boolean },
): ScratchVerdict {
  const owner = parseScratchOwner(entry.name, context.host);
  const local = owner !== undefined && owner.host === context.host;
  if (owner && local && !context.running(owner)) return { remove: true, reason: 'owner-gone' };
  if (owner?.kind === 'proc') return { remove: false };
  if (context.now - entry.mtimeMs > context.olderThanMs) return { remove: true, reason: 'older-than-bound' };
  return { remove: false };
}

/**
 * Removes orphaned scratch entries (see `judgeScratchEntry`); run when a worker starts. Returns what
 * it removed and why.
 */
export async function cleanScratch(root: string, options: { olderThanMs: number; now?: Date }): Promise<{ name: string; reason: string }[]> {
  const names = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const now = (options.now ?? new Date()).getTime();
  const removed: { name: string; reason: string }[] = [];
  for (const name of names) {
    const entry = path.join(root, name);
    const info = await stat(entry).catch(() => undefined);
    // Gone meanwhile: its owner removed it.
    if (!info) continue;
    const verdict = judgeScratchEntry({ name, mtimeMs: info.mtimeMs }, { now, olderThanMs: options.olderThanMs, host: HOST, running: ownerRunning });
    if (!verdict.remove) continue;
    await rm(entry, { recursive: true, force: true });
    removed.push({ name, reason: verdict.reason });
  }
  return removed;
}

/** A directory that lives as long as this process (LibreOffice profiles), named so `cleanScratch` can tell when it is orphaned. */
export function processScratchDir(root: string, purpose: string): string {
  return path.join(root, `proc_${ownerTag()}_${purpose}`);
}

/**
 * A private scratch directory for one stage run on one ingest, removed afterwards whatever happens.
 * Files in it are named by the caller (by ordinal), never by the OA.
 */
export async function withScratch<T>(root: string, ingestId: string, fn: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, `run_${ownerTag()}_${ingestId}_`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Streams a local file into the store, computing SHA-256 and SM3 on the way. */
export async function uploadWithFixity(store: ObjectStore, bucket: string, key: string, file: string, contentType: string): Promise<Fixity> {
  const stored = await store.putStream({ bucket, key, body: createReadStream(file), contentType });
  return { size: stored.size, sha256: stored.sha256, sm3: stored.sm3! };
}
