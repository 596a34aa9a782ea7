import { spawn } from 'node:child_process';
import { ConversionError, ConversionTimeoutError } from './errors.ts';

/**
 * Runs a converter command to completion with a time limit. The process gets its own process group
 * so a timeout kills it and anything it started.
 */
export async function runTool(tool: string, command: string, args: string[], options: { timeoutMs: number; cwd?: string }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-64_000)));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-64_000)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new ConversionTimeoutError(tool, options.timeoutMs));
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new ConversionError(tool, `could not start ${command}: ${error.message}`, { retryable: false, cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else if (signal !== 'SIGKILL') reject(new ConversionError(tool, `exited with ${code ?? signal}: ${lastLines(stderr || stdout)}`, { retryable: false }));
    });
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ') || 'no output';
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
