import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CALLBACK_HEADERS, callbackHeaders, callbackRetryDelayMs, verifyCallbackSignature } from '../src/index.ts';

const secret = 'finance-callback-secret-0123456789';
const body = JSON.stringify({ id: 'ing_1-r1', data: { outcome: 'FILED', referenceCode: 'A182-WS·2025-Y-BGS-0001' } });
const now = new Date('2026-03-01T08:00:00Z');

describe('callback signatures', () => {
  const headers = callbackHeaders({ receiptId: 'ing_1-r1', secret, body, attempt: 2, now });

  it('carries the receipt id, the attempt, the timestamp and an HMAC-SHA256 an OA can compute itself', () => {
    expect(headers[CALLBACK_HEADERS.receiptId]).toBe('ing_1-r1');
    expect(headers[CALLBACK_HEADERS.attempt]).toBe('2');
    expect(headers[CALLBACK_HEADERS.timestamp]).toBe(String(now.getTime() / 1000));
    // What the OA does, in its own code: HMAC over "<timestamp>.<body>" with the shared key.
    const expected = createHmac('sha256', secret).update(`${headers[CALLBACK_HEADERS.timestamp]}.${body}`, 'utf8').digest('hex');
    expect(headers[CALLBACK_HEADERS.signature]).toBe(`sha256=${expected}`);
  });

  it('verifies what was signed, and refuses another body, timestamp or key, or an old timestamp', () => {
    const check = (over: Partial<Parameters<typeof verifyCallbackSignature>[0]>) =>
      verifyCallbackSignature({ secret, timestamp: headers[CALLBACK_HEADERS.timestamp], signature: headers[CALLBACK_HEADERS.signature], body, now, ...over });
    expect(check({})).toEqual({ ok: true });
    expect(check({ body: body.replace('FILED', 'EXCLUDED') })).toEqual({ ok: false, reason: 'signature does not match the body and timestamp' });
    expect(check({ timestamp: String(Number(headers[CALLBACK_HEADERS.timestamp]) + 1) })).toMatchObject({ ok: false });
    expect(check({ secret: 'another-secret-of-some-length' })).toMatchObject({ ok: false });
    expect(check({ now: new Date(now.getTime() + 301_000) })).toEqual({ ok: false, reason: 'timestamp is 301 s away from this clock' });
    expect(check({ signature: 'md5=abc' })).toMatchObject({ ok: false });
  });
});

describe('callback backoff', () => {
  const backoff = { baseMs: 10_000, maxMs: 3_600_000 };

  it('doubles from the base up to the cap, keeping between half and all of the nominal wait', () => {
    for (const [attempt, nominal] of [[1, 10_000], [2, 20_000], [5, 160_000], [10, 3_600_000], [20, 3_600_000]] as const) {
      expect(callbackRetryDelayMs(attempt, backoff, () => 0)).toBe(nominal / 2);
      expect(callbackRetryDelayMs(attempt, backoff, () => 1)).toBe(nominal);
      const jittered = callbackRetryDelayMs(attempt, backoff);
      expect(jittered).toBeGreaterThanOrEqual(nominal / 2);
      expect(jittered).toBeLessThanOrEqual(nominal);
    }
  });

  it('spreads deliveries that failed together', () => {
    const waits = new Set(Array.from({ length: 50 }, () => callbackRetryDelayMs(4, backoff)));
    expect(waits.size).toBeGreaterThan(10);
  });
});
