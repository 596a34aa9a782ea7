import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a callback proves it comes from the archive: `x-oa-archive-signature: sha256=<hex>`, the
 * HMAC-SHA256 with the source's callback secret of `<timestamp>.<body>`, where the timestamp (Unix
 * seconds) is the `x-oa-archive-timestamp` header and the body the exact bytes sent. The OA checks the
 * signature in constant time and refuses a timestamp far from its clock (a replayed capture).
 */
export const CALLBACK_HEADERS = {
  receiptId: 'x-oa-archive-receipt-id',
  timestamp: 'x-oa-archive-timestamp',
  signature: 'x-oa-archive-signature',
  attempt: 'x-oa-archive-attempt',
} as const;

export const CALLBACK_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function signCallback(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** The headers of one attempt to deliver `body` (the receipt as sent). */
export function callbackHeaders(args: { receiptId: string; secret: string; body: string; attempt: number; now?: Date }): Record<string, string> {
  const timestamp = Math.floor((args.now ?? new Date()).getTime() / 1000);
  return {
    'content-type': CALLBACK_CONTENT_TYPE,
    [CALLBACK_HEADERS.receiptId]: args.receiptId,
    [CALLBACK_HEADERS.timestamp]: String(timestamp),
    [CALLBACK_HEADERS.signature]: signCallback(args.secret, timestamp, args.body),
    [CALLBACK_HEADERS.attempt]: String(args.attempt),
  };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * What an OA does with a callback, for OA integrators and tests: the signature matches the body and
 * timestamp, and the timestamp is within `toleranceSeconds` of `now`.
 */
export function verifyCallbackSignature(args: { secret: string; timestamp: string | undefined; signature: string | undefined; body: string | Buffer; now?: Date; toleranceSeconds?: number }): SignatureCheck {
  if (!args.timestamp || !/^\d{1,12}$/.test(args.timestamp)) return { ok: false, reason: `${CALLBACK_HEADERS.timestamp} missing or not Unix seconds` };
  if (!args.signature?.startsWith('sha256=')) return { ok: false, reason: `${CALLBACK_HEADERS.signature} missing or not sha256=<hex>` };
  const skew = Math.abs(Math.floor((args.now ?? new Date()).getTime() / 1000) - Number(args.timestamp));
  if (skew > (args.toleranceSeconds ?? 300)) return { ok: false, reason: `timestamp is ${skew} s away from this clock` };
  const expected = Buffer.from(signCallback(args.secret, Number(args.timestamp), args.body));
  const given = Buffer.from(args.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match the body and timestamp' };
  return { ok: true };
}
