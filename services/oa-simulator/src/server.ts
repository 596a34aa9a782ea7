import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { parseDocumentId, simulateDocument } from './documents.ts';

/**
 * Serves component files as an OA system does: GET /files/<documentId>/<ordinal>, behind a bearer token.
 */
export function createFileServer(options: { token: string }): Server {
  const expected = Buffer.from(`Bearer ${options.token}`);
  return createServer((request, response) => {
    const presented = Buffer.from(request.headers.authorization ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      response.writeHead(401, { 'www-authenticate': 'Bearer' }).end('missing or wrong bearer token\n');
      return;
    }
    const match = /^\/files\/([^/]+)\/(\d+)$/.exec(request.url ?? '');
    const id = match ? parseDocumentId(decodeURIComponent(match[1]!)) : undefined;
    const component = id ? simulateDocument(id.seed, id.index).components[Number(match![2]) - 1] : undefined;
    if (!component || request.method !== 'GET') {
      response.writeHead(404).end('no such file\n');
      return;
    }
    response.writeHead(200, { 'content-type': component.mediaType, 'content-length': component.bytes.length });
    response.end(component.bytes);
  });
}

export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<{ port: number; baseUrl: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { port: actual, baseUrl: `http://${host}:${actual}` };
}
