import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Values the console hands the browser and must get back unaltered (the SSO session, the login
 * round trip's state): base64url JSON plus an HMAC-SHA256 over it. Not encrypted: nothing secret is
 * put in them (the PKCE verifier is useless without the code, which only the provider hands out).
 */
export function seal(key: Buffer, value: unknown): string {
  const body = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** The value sealed into text, or undefined when it was not sealed with this key or was changed. */
export function unseal(key: Buffer, text: string | undefined): unknown {
  if (!text) return undefined;
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const body = text.slice(0, dot);
  const given = Buffer.from(text.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The key cookies are sealed with: from CONSOLE_SESSION_SECRET (every replica must share it), else
 * derived from the OIDC client secret (shared already), else random per process, in which case a
 * restart ends every session.
 */
export function sessionKey(sessionSecret: string | undefined, clientSecret: string | undefined): { key: Buffer; ephemeral: boolean } {
  const secret = sessionSecret ?? clientSecret;
  if (!secret) return { key: randomBytes(32), ephemeral: true };
  return { key: Buffer.from(hkdfSync('sha256', secret, 'oa-archive-console', 'session cookies', 32)), ephemeral: false };
}
