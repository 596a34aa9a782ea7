import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The EICAR test file, assembled at run time so the repository never holds it whole. */
export const EICAR = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR', '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''));
/** What clamd calls a match of the test's EICAR body signature (local signatures get `.UNOFFICIAL`). */
export const EICAR_SIGNATURE = 'OA-Archive.Test.EICAR.UNOFFICIAL';

export interface TestClamd {
  socket: string;
  dir: string;
  /** Stops clamd (the socket stops answering); start() brings it back on the same socket. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops clamd and removes its directory. */
  close(): Promise<void>;
}

/**
 * A clamd of the test's own on a temporary socket, with a signature database the test writes: the
 * EICAR body signature (.ndb) and, if given, MD5 hash signatures (.hdb lines `md5:size:name`).
 * The shared clamd (infra/local/clamav.sh) is never touched.
 */
export async function startTestClamd(options: { hashSignatures?: string[] } = {}): Promise<TestClamd> {
  const dir = await mkdtemp(path.join(tmpdir(), 'clamd-test-'));
  const socket = path.join(dir, 'clamd.sock');
  await writeFile(path.join(dir, 'test.ndb'), `OA-Archive.Test.EICAR:0:*:${EICAR.toString('hex')}\n`);
  if (options.hashSignatures?.length) await writeFile(path.join(dir, 'test.hdb'), `${options.hashSignatures.join('\n')}\n`);
  const conf = path.join(dir, 'clamd.conf');
  await writeFile(conf, [`LocalSocket ${socket}`, `DatabaseDirectory ${dir}`, 'Foreground yes', 'LogFile /dev/null', 'StreamMaxLength 64M', ''].join('\n'));
  let child: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    child = spawn('clamd', [`--config-file=${conf}`], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(socket)) throw new Error(`the test clamd did not open ${socket} within 20 s (is Debian's clamav-daemon installed? infra/local/tools.sh)`);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill();
    await exited;
    await rm(socket, { force: true });
  };
  await start();
  return {
    socket,
    dir,
    start,
    stop,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
