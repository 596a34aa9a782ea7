import { connect, createServer } from 'node:net';

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(actual));
    });
  });
}

/**
 * The preferred loopback port when it is free, else one the system hands out; never one of `taken`.
 * The shared services (5432, 6379, 9092, 9000 …) are never chosen because they are in use.
 */
export async function freePort(preferred: number, taken: ReadonlySet<number> = new Set()): Promise<number> {
  if (!taken.has(preferred) && (await tryListen(preferred)) === preferred) return preferred;
  for (let i = 0; i < 20; i++) {
    const port = await tryListen(0);
    if (port !== undefined && !taken.has(port)) return port;
  }
  throw new Error(`no free loopback port found (wanted ${preferred})`);
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits until the port accepts connections, or throws naming what did not come up. */
export async function waitForPort(port: number, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline) throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
