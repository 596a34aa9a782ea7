import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Every service's operational endpoints on their own port: `/metrics` (Prometheus), `/healthz`
 * (the process answers) and `/readyz` (its dependencies answer; 503 naming those that do not).
 */
export async function startOpsServer(options: { host: string; port: number; registry: Registry; ready: Record<string, () => Promise<unknown>> }): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      if (request.url === '/metrics') {
        response.writeHead(200, { 'content-type': options.registry.contentType }).end(await options.registry.metrics());
      } else if (request.url === '/healthz') {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (request.url === '/readyz') {
        const names = Object.keys(options.ready);
        const results = await Promise.allSettled(names.map((n) => options.ready[n]!()));
        const failed = names.filter((_n, i) => results[i]!.status === 'rejected');
        response.writeHead(failed.length ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(failed.length ? { ready: false, failed } : { ready: true }));
      } else {
        response.writeHead(404).end();
      }
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${options.host}:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
