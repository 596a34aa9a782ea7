import { spawn, type ChildProcess } from 'node:child_process';
import { ConversionError, ConversionTimeoutError, ToolExitError, ToolSpawnError } from './errors.ts';

/** After the tool exits, how long its output pipes may stay open (held by a descendant) before we settle anyway. */
const PIPE_GRACE_MS = 2_000;
/** After a SIGKILL on timeout, how long to wait for the exit before settling anyway (a process stuck in the kernel). */
const KILL_GRACE_MS = 5_000;

/**
 * Runs a converter command to completion with a time limit, and always settles: on any exit code,
 * any signal (including a SIGKILL from outside, such as the OOM killer), a failure to start, or the
 * timeout. The process gets its own process group, killed on timeout and after the tool exits, so
 * nothing it started outlives the call.
 */
export function runTool(tool: string, command: string, args: string[], options: { timeoutMs: number; cwd?: string; signal?: AbortSignal }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A stage past its deadline has already failed its attempt: do not start a tool for it.
    if (options.signal?.aborted) {
      reject(abortedError(tool, options.signal));
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (error) {
      // Raised synchronously for arguments Node refuses (a NUL byte in a path, say).
      reject(new ConversionError(tool, `could not start ${command}: ${(error as Error).message}`, { retryable: false, cause: error }));
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-64_000)));
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-64_000)));

    let settled = false;
    let timedOut = false;
    let aborted = false;
    let ended: { exitCode: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const settle = () => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      child.stdout!.destroy();
      child.stderr!.destroy();
      const tail = lastLines(stderr || stdout);
      options.signal?.removeEventListener('abort', onAbort);
      if (aborted) reject(abortedError(tool, options.signal!));
      else if (timedOut) reject(new ConversionTimeoutError(tool, options.timeoutMs, { killed: 'its process group was killed', stderrTail: tail }));
      else if (!ended) reject(new ConversionError(tool, `${command} ended without an exit status: ${tail}`, { retryable: true }));
      else if (ended.exitCode === 0) resolve({ stdout, stderr });
      else reject(new ToolExitError(tool, ended, tail));
    };

    // The caller gave up (its stage passed its deadline): the tool's work is wasted, so it goes now.
    const onAbort = () => {
      aborted = true;
      killGroup(child);
      timers.push(setTimeout(settle, KILL_GRACE_MS));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(
      setTimeout(() => {
        timedOut = true;
        killGroup(child);
        timers.push(setTimeout(settle, KILL_GRACE_MS));
      }, options.timeoutMs),
    );
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (child.pid === undefined) {
        // Never started: there is no process to wait for.
        settled = true;
        for (const t of timers) clearTimeout(t);
        options.signal?.removeEventListener('abort', onAbort);
        reject(new ToolSpawnError(tool, command, error));
      }
    });
    child.once('exit', (exitCode, signal) => {
      ended = { exitCode, signal };
      // Whatever the tool left running in its group goes with it.
      killGroup(child);
      timers.push(setTimeout(settle, PIPE_GRACE_MS));
    });
    child.once('close', settle);
  });
}

function abortedError(tool: string, signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new ConversionError(tool, `${tool} was stopped: its caller gave up (${String(signal.reason)})`, { retryable: true });
}

export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already empty; EPERM: what is left is not ours to kill. Neither can be
    // helped here, and throwing from an event handler would take the worker down.
  }
}

export function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}

/** The first line a tool prints about its version, for the PREMIS agent. */
export async function toolVersion(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await runTool(command, command, args, { timeoutMs: 10_000 });
    return (stdout || stderr).trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
