import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { parseDocumentId, simulateDocument, type SimulatedDocument } from './documents.ts';
import type { FinalizedLedger } from './ledger.ts';

const RECENT_DOCUMENTS = 64;

/**
 * Serves component files as an OA system does: GET /files/<documentId>/<ordinal>, behind a bearer token.
 * With a ledger, also GET /finalized?source=S&since=T&until=T: what the OA finalized (see ledger.ts).
 */
export function createFileServer(options: { token: string; ledger?: FinalizedLedger }): Server {
  const expected = Buffer.from(`Bearer ${options.token}`);
  // The last documents asked for, so a document's components (asked for one after another) are made
  // once: the simulator shares the machine with what it feeds, and should cost it little.
  const recent = new Map<string, SimulatedDocument>();
  const documentOf = (key: string, id: NonNullable<ReturnType<typeof parseDocumentId>>): SimulatedDocument => {
    let document = recent.get(key);
    if (!document) {
      document = simulateDocument(id.seed, id.index, id.mix);
      recent.set(key, document);
      if (recent.size > RECENT_DOCUMENTS) recent.delete(recent.keys().next().value!);
    }
    return document;
  };
  return createServer((request, response) => {
    const presented = Buffer.from(request.headers.authorization ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      response.writeHead(401, { 'www-authenticate': 'Bearer' }).end('missing or wrong bearer token\n');
      return;
    }
    if (options.ledger && request.method === 'GET' && (request.url ?? '').startsWith('/finalized')) {
      void finalizedList(options.ledger, request.url!).then(
        ({ status, body }) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (error: Error) => response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message })),
      );
      return;
    }
    const match = /^\/files\/([^/]+)\/(\d+)$/.exec(request.url ?? '');
    const id = match ? parseDocumentId(decodeURIComponent(match[1]!)) : undefined;
    const component = id ? documentOf(match![1]!, id).components[Number(match![2]) - 1] : undefined;
    if (!component || request.method !== 'GET') {
      response.writeHead(404).end('no such file\n');
      return;
    }
    response.writeHead(200, { 'content-type': component.mediaType, 'content-length': component.bytes.length });
    response.end(component.bytes);
  });
}

/** GET /finalized?source=S&since=T&until=T (ISO 8601): the list the archive's completeness check asks for. */
async function finalizedList(ledger: FinalizedLedger, url: string): Promise<{ status: number; body: unknown }> {
  const query = new URL(url, 'http://simulator').searchParams;
  const source = query.get('source');
  const since = new Date(query.get('since') ?? '');
  const until = new Date(query.get('until') ?? '');
  if (!source || Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) {
    return { status: 400, body: { error: 'give source, since and until (ISO 8601), e.g. /finalized?source=oa-sim-json&since=2025-01-01&until=2026-01-01' } };
  }
  const entries = await ledger.list({ source, since, until });
  return {
    status: 200,
    body: { source, since: since.toISOString(), until: until.toISOString(), documents: entries.map(({ documentId, version, finalizedAt, departmentCode, title }) => ({ documentId, version, finalizedAt, departmentCode, title })) },
  };
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
