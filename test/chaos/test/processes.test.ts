import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { descendants, killTree, RUN_TAG, runIdOf, sweep, taggedProcesses } from '../src/processes.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function eventually(probe: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out: ${what}`);
}

/** A shell with two sleeping children, one of them in a session (and process group) of its own, as LibreOffice runs under a worker. */
function family(env: NodeJS.ProcessEnv = process.env) {
  return spawn('bash', ['-c', 'setsid sleep 300 & sleep 300 & wait'], { detached: true, stdio: 'ignore', env });
}

describe('process teardown', () => {
  it('kills a process with everything below it, also children in groups of their own', async () => {
    const parent = family();
    await eventually(async () => (await descendants(parent.pid!)).length === 2, 'two children');
    const children = await descendants(parent.pid!);
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    await killTree(parent.pid!);
    await exited;
    await eventually(() => children.every((pid) => !alive(pid)), 'children gone');
  });

  it('finds and kills what carries a run tag, and only that', async () => {
    const runId = runIdOf(process.pid, `test${Date.now()}`);
    family({ ...process.env, [RUN_TAG]: runId });
    const other = family({ ...process.env, [RUN_TAG]: runIdOf(process.pid, 'another') });
    await eventually(async () => (await taggedProcesses()).filter((p) => p.runId === runId).length === 3, 'three tagged processes');
    const killed = await sweep(runId);
    expect(killed).toHaveLength(3);
    await eventually(async () => (await taggedProcesses()).every((p) => p.runId !== runId), 'tagged processes gone');
    expect(alive(other.pid!)).toBe(true);
    await killTree(other.pid!);
  });
});
