import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * How an OA system pushes a document to the archive gateway, signed with its app id and secret:
 * hex HMAC-SHA256 over METHOD, PATH, TIMESTAMP, NONCE and the body's SHA-256, one per line
 * (docs/oa-integration.md). Written from that description, not from the gateway's code.
 */

export interface PushCredentials {
  appId: string;
  secret: string;
}

export interface PushAnswer {
  status: number;
  body: Record<string, unknown>;
}

export function signRequest(credentials: PushCredentials, method: string, path: string, body: Uint8Array, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const digest = createHash('sha256').update(body).digest('hex');
  const signature = createHmac('sha256', credentials.secret).update([method, path, timestamp, nonce, digest].join('\n')).digest('hex');
  return { 'x-oa-app-id': credentials.appId, 'x-oa-timestamp': timestamp, 'x-oa-nonce': nonce, 'x-oa-signature': signature };
}

export async function pushDocument(options: { gatewayUrl: string; source: string; credentials: PushCredentials; body: Uint8Array; contentType: string }): Promise<PushAnswer> {
  const path = `/v1/documents/${encodeURIComponent(options.source)}`;
  const response = await fetch(new URL(path, options.gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': options.contentType, ...signRequest(options.credentials, 'POST', path, options.body) },
    body: options.body,
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { message: text };
  }
  return { status: response.status, body };
}
