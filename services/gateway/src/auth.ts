import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Who is pushing: an OA system proves it per request, either with an HMAC-SHA256 signature (app id +
 * shared secret) or with a bearer token. Pure: the nonce is checked by the caller against a store
 * shared by every gateway process. Every comparison of a secret is constant-time.
 *
 * The signature is hex HMAC-SHA256(secret, string-to-sign), the string-to-sign being five lines:
 *
 *   METHOD            POST
 *   PATH              /v1/documents/oa-finance   (the request target as sent, query included)
 *   TIMESTAMP         1741915812                 (Unix seconds, also in X-OA-Timestamp)
 *   NONCE             9f1c…                      (16–64 of A-Z a-z 0-9 _ -, also in X-OA-Nonce)
 *   SHA-256(body)     hex, of the exact bytes sent (of nothing for a GET)
 *
 * joined with "\n" and no newline at the end.
 */

export const HEADER_APP_ID = 'x-oa-app-id';
export const HEADER_TIMESTAMP = 'x-oa-timestamp';
export const HEADER_NONCE = 'x-oa-nonce';
export const HEADER_SIGNATURE = 'x-oa-signature';

export interface SourceCredentials {
  hmac: { appId: string; secret: string }[];
  bearer: string[];
}

export type Authenticated = { ok: true; source: string; principal: string; nonce?: { appId: string; value: string } };
export type Refused = { ok: false; status: 401 | 403; reason: string };

export interface SignedRequest {
  method: string;
  /** The request target as received: path and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export function stringToSign(method: string, url: string, timestamp: string, nonce: string, body: Uint8Array): string {
  const digest = createHash('sha256').update(body).digest('hex');
  return [method.toUpperCase(), url, timestamp, nonce, digest].join('\n');
}

export function signatureOf(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/** Equal-length digests compared in constant time: the presented value never decides how long it takes. */
function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class Authenticator {
  readonly #sources: Map<string, SourceCredentials>;
  readonly #appIds = new Map<string, { source: string; secret: string }>();
  readonly #skewMs: number;

  constructor(sources: Record<string, SourceCredentials>, options: { skewMs: number }) {
    this.#sources = new Map(Object.entries(sources));
    for (const [source, credentials] of this.#sources) {
      for (const { appId, secret } of credentials.hmac) this.#appIds.set(appId, { source, secret });
    }
    this.#skewMs = options.skewMs;
  }

  /** Checks the request's credentials for `source` (the one named in the path). */
  authenticate(source: string, request: SignedRequest, now: Date): Authenticated | Refused {
    const appId = header(request.headers, HEADER_APP_ID);
    if (appId !== undefined) return this.#hmac(source, appId, request, now);
    const authorization = header(request.headers, 'authorization');
    if (authorization !== undefined) return this.#bearer(source, authorization);
    return { ok: false, status: 401, reason: `no credentials: sign the request (${HEADER_APP_ID}, ${HEADER_TIMESTAMP}, ${HEADER_NONCE}, ${HEADER_SIGNATURE}) or send Authorization: Bearer <token>` };
  }

  #hmac(source: string, appId: string, request: SignedRequest, now: Date): Authenticated | Refused {
    const timestamp = header(request.headers, HEADER_TIMESTAMP);
    const nonce = header(request.headers, HEADER_NONCE);
    const signature = header(request.headers, HEADER_SIGNATURE);
    const missing = [[HEADER_TIMESTAMP, timestamp], [HEADER_NONCE, nonce], [HEADER_SIGNATURE, signature]].filter(([, v]) => v === undefined).map(([n]) => n);
    if (missing.length > 0) return { ok: false, status: 401, reason: `a signed request needs ${missing.join(', ')}` };
    if (!/^\d{9,11}$/.test(timestamp!)) return { ok: false, status: 401, reason: `${HEADER_TIMESTAMP} must be Unix time in seconds` };
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce!)) return { ok: false, status: 401, reason: `${HEADER_NONCE} must be 16–64 characters of A–Z, a–z, 0–9, _ and -` };
    const known = this.#appIds.get(appId);
    // The same work for an unknown app id as for a known one: the answer time does not tell which ids exist.
    const expected = signatureOf(known?.secret ?? 'unknown-app-id', stringToSign(request.method, request.url, timestamp!, nonce!, request.body));
    const valid = sameSecret(signature!.toLowerCase(), expected);
    if (!known || !valid) return { ok: false, status: 401, reason: 'the signature does not match (app id, secret, method, path, timestamp, nonce or body digest differ)' };
    if (known.source !== source) return { ok: false, status: 403, reason: `app id ${appId} may not act for source ${source}` };
    const offsetMs = Number(timestamp) * 1000 - now.getTime();
    if (Math.abs(offsetMs) > this.#skewMs) {
      return { ok: false, status: 401, reason: `${HEADER_TIMESTAMP} is ${Math.round(Math.abs(offsetMs) / 1000)} s ${offsetMs < 0 ? 'behind' : 'ahead of'} the gateway's clock; at most ±${this.#skewMs / 1000} s is accepted (check the OA server's clock)` };
    }
    return { ok: true, source, principal: `hmac:${appId}`, nonce: { appId, value: nonce! } };
  }

  #bearer(source: string, authorization: string): Authenticated | Refused {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return { ok: false, status: 401, reason: 'Authorization must be "Bearer <token>"' };
    const tokens = this.#sources.get(source)?.bearer ?? [];
    // Every token is compared, whether or not an earlier one matched.
    let matched = -1;
    tokens.forEach((token, index) => {
      if (sameSecret(match[1]!, token) && matched < 0) matched = index;
    });
    if (matched < 0) return { ok: false, status: 401, reason: `the bearer token is not one of source ${source}'s` };
    return { ok: true, source, principal: `bearer:${matched + 1}` };
  }
}
