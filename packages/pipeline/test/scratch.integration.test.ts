import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanScratch, parseScratchOwner, processScratchDir, withScratch } from '../src/scratch.ts';

/**
 * Orphaned scratch entries on a real file system, owned by real processes: a stand-in worker
 * (test/fixtures/scratchOwner.ts) makes its entries the way a worker does and is SIGKILLed mid-stage.
 */
const HOUR = 3_600_000;
let root: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'scratch-clean-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

/** Starts a stand-in worker in `dir` and resolves with the entries it made, once it is mid-stage. */
async function startOwner(dir: string): Promise<{ child: ChildProcess; profile: string; run: string }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'fixtures', 'scratchOwner.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`scratch owner exited with ${code}`)));
  });
  return { child, ...(JSON.parse(line) as { profile: string; run: string }) };
}

const names = (removed: { name: string; reason: string }[]) => Object.fromEntries(removed.map((r) => [r.name, r.reason]));

describe('cleanScratch', () => {
  it('leaves a running worker’s entries alone, and removes them once that worker was killed', async () => {
    const dir = path.join(root, 'killed');
    const { child, profile, run } = await startOwner(dir);
    await writeFile(path.join(run, '1-in'), 'half-converted bytes');

    expect(await cleanScratch(dir, { olderThanMs: HOUR })).toEqual([]);
    expect(existsSync(profile) && existsSync(run)).toBe(true);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const removed = await cleanScratch(dir, { olderThanMs: HOUR });
    expect(names(removed)).toEqual({ [path.basename(profile)]: 'owner-gone', [path.basename(run)]: 'owner-gone' });
    expect(existsSync(profile) || existsSync(run)).toBe(false);
  });

  it('does not take a reused pid for the owner: same pid, other start time', async () => {
    const dir = path.join(root, 'reused');
    const self = parseScratchOwner(path.basename(processScratchDir(dir, 'probe')))!;
    const stale = `run_${self.host}_${self.pid}_${self.startTime + 1}_ing_0123_abcdef`;
    await mkdir(path.join(dir, stale), { recursive: true });
    expect(names(await cleanScratch(dir, { olderThanMs: HOUR }))).toEqual({ [stale]: 'owner-gone' });
  });

  it('removes an entry without a known owner only once older than the bound', async () => {
    const dir = path.join(root, 'aged');
    for (const name of ['ing_old-abc123', 'ing_new-def456', 'run_other-host_7_7_ing_0123_abcdef']) await mkdir(path.join(dir, name), { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
    await utimes(path.join(dir, 'ing_old-abc123'), twoHoursAgo, twoHoursAgo);
    await utimes(path.join(dir, 'run_other-host_7_7_ing_0123_abcdef'), twoHoursAgo, twoHoursAgo);

    expect(names(await cleanScratch(dir, { olderThanMs: HOUR }))).toEqual({ 'ing_old-abc123': 'older-than-bound', 'run_other-host_7_7_ing_0123_abcdef': 'older-than-bound' });
    expect(existsSync(path.join(dir, 'ing_new-def456'))).toBe(true);
  });

  it('never touches a stage run of this process while it runs', async () => {
    const dir = path.join(root, 'own');
    await withScratch(dir, 'ing_0123456789abcdef', async (run) => {
      expect(await cleanScratch(dir, { olderThanMs: HOUR })).toEqual([]);
      expect(existsSync(run)).toBe(true);
    });
  });

  it('finds nothing to do in a scratch directory that does not exist yet', async () => {
    expect(await cleanScratch(path.join(root, 'missing'), { olderThanMs: HOUR })).toEqual([]);
  });
});
