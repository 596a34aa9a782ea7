import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the receiver got, checked the way an OA would check it (its own HMAC, not the archive's code). */
export interface ReceivedCallback {
  receiptId: string | undefined;
  attempt: number;
  signatureValid: boolean;
  contentType: string | undefined;
  body: { id: string; data: { ingestId: string; documentId: string; version: number; outcome: string; referenceCode?: string } };
  /** What the receiver answered. */
  status: number;
  at: number;
}

/**
 * A real HTTP server standing in for an OA's callback endpoint: verifies `x-oa-archive-signature`
 * (HMAC-SHA256 of `<timestamp>.<body>` with `secret`), records every request, and answers what
 * `answer` says (200 by default; set it to 500 to play an OA in trouble), after `delayMs`.
 */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  answer: (callback: Omit<ReceivedCallback, 'status' | 'at'>) => number = () => 200;
  delayMs: () => number = () => 0;
  readonly #secret: string;
  readonly #server: Server;

  constructor(secret: string) {
    this.#secret = secret;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const timestamp = String(req.headers['x-oa-archive-timestamp'] ?? '');
        const given = Buffer.from(String(req.headers['x-oa-archive-signature'] ?? ''));
        const expected = Buffer.from(`sha256=${createHmac('sha256', this.#secret).update(`${timestamp}.`).update(raw).digest('hex')}`);
        const callback = {
          receiptId: req.headers['x-oa-archive-receipt-id'] as string | undefined,
          attempt: Number(req.headers['x-oa-archive-attempt']),
          signatureValid: given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300,
          contentType: req.headers['content-type'],
          body: JSON.parse(raw.toString('utf8')) as ReceivedCallback['body'],
        };
        const status = this.answer(callback);
        setTimeout(() => {
          this.received.push({ ...callback, status, at: Date.now() });
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'OA busy, try later');
        }, this.delayMs());
      });
    });
  }

  /** Listens on loopback, on `port` (0: any free one); returns the callback URL. */
  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/archive/receipts`;
  }

  /** Receipts acknowledged (2xx), per receipt id: what the OA, deduping on the id, took in. */
  acknowledged(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) if (r.status < 300 && r.receiptId) counts.set(r.receiptId, (counts.get(r.receiptId) ?? 0) + 1);
    return counts;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** A loopback port nothing listens on (for "connection refused"), free to listen on later. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
