import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Authenticator, signatureOf, stringToSign } from '../src/auth.ts';
import { signedHeaders } from './support/sign.ts';

const secret = 'finance-oa-secret-0123456789';
const authenticator = new Authenticator(
  {
    'oa-finance': { hmac: [{ appId: 'finance-app', secret }], bearer: ['finance-bearer-token-abcdef'] },
    'oa-hr': { hmac: [{ appId: 'hr-app', secret: 'hr-oa-secret-0123456789ab' }], bearer: [] },
  },
  { skewMs: 300_000 },
);
const now = new Date('2025-03-14T01:30:00Z');
const body = Buffer.from('{"公文":{"标题":"测试"}}');
const request = (headers: Record<string, string>, overrides: Partial<{ method: string; url: string; body: Buffer }> = {}) => ({
  method: 'POST',
  url: '/v1/documents/oa-finance',
  body,
  headers,
  ...overrides,
});

describe('HMAC signatures', () => {
  const signed = (overrides: Parameters<typeof signedHeaders>[0] extends infer A ? Partial<A> : never = {}) =>
    signedHeaders({ appId: 'finance-app', secret, method: 'POST', url: '/v1/documents/oa-finance', body, now, ...overrides });

  it('accepts a correct signature and hands back the nonce to remember', () => {
    const headers = signed({ nonce: 'nonce-0000000000000001' });
    expect(authenticator.authenticate('oa-finance', request(headers), now)).toEqual({ ok: true, source: 'oa-finance', principal: 'hmac:finance-app', nonce: { appId: 'finance-app', value: 'nonce-0000000000000001' } });
  });

  it('refuses a signature over another body, path, method or with another secret', () => {
    const headers = signed();
    expect(authenticator.authenticate('oa-finance', request(headers, { body: Buffer.from('{"公文":{"标题":"改过"}}') }), now)).toMatchObject({ ok: false, status: 401 });
    expect(authenticator.authenticate('oa-finance', request(headers, { url: '/v1/documents/oa-finance?x=1' }), now)).toMatchObject({ ok: false, status: 401 });
    expect(authenticator.authenticate('oa-finance', request(headers, { method: 'PUT' }), now)).toMatchObject({ ok: false, status: 401 });
    expect(authenticator.authenticate('oa-finance', request(signed({ secret: 'another-secret-0123456789' })), now)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/signature does not match/) });
  });

  it('refuses an app id acting for another source (403) and an unknown app id (401)', () => {
    const hr = signedHeaders({ appId: 'hr-app', secret: 'hr-oa-secret-0123456789ab', method: 'POST', url: '/v1/documents/oa-finance', body, now });
    expect(authenticator.authenticate('oa-finance', request(hr), now)).toMatchObject({ ok: false, status: 403 });
    expect(authenticator.authenticate('oa-finance', request(signed({ appId: 'nobody' })), now)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses a timestamp more than five minutes off, either way, with how far off it is', () => {
    const old = signed({ now: new Date(now.getTime() - 301_000) });
    expect(authenticator.authenticate('oa-finance', request(old), now)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/301 s behind/) });
    const ahead = signed({ now: new Date(now.getTime() + 400_000) });
    expect(authenticator.authenticate('oa-finance', request(ahead), now)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/400 s ahead/) });
    expect(authenticator.authenticate('oa-finance', request(signed({ now: new Date(now.getTime() - 299_000) })), now)).toMatchObject({ ok: true });
  });

  it('names what is missing or malformed', () => {
    const { 'x-oa-nonce': _n, ...noNonce } = signed();
    expect(authenticator.authenticate('oa-finance', request(noNonce), now)).toMatchObject({ ok: false, reason: expect.stringMatching(/x-oa-nonce/) });
    expect(authenticator.authenticate('oa-finance', request(signed({ nonce: 'short' })), now)).toMatchObject({ ok: false, reason: expect.stringMatching(/16–64/) });
    expect(authenticator.authenticate('oa-finance', request({}), now)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/no credentials/) });
  });

  it("agrees with the shell function in docs/oa-integration.md (openssl), which the tests run as written there", () => {
    const readme = readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'docs', 'oa-integration.md'), 'utf8');
    const sign = /<!-- example:oa-sign -->\n```sh\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(sign).toBeDefined();
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-sign-'));
    const file = path.join(dir, 'doc.json');
    writeFileSync(file, body);
    const script = `${sign}\nsign POST /v1/documents/oa-finance "$BODY"\nprintf '%s\\n' "\${SIG_HEADERS[@]}"\nsign GET /v1/documents/oa-finance/FW-1/versions/1\nprintf '%s\\n' "\${SIG_HEADERS[@]}"`;
    const output = execFileSync('bash', ['-c', script], { env: { PATH: process.env.PATH, HOME: dir, BODY: file, APP_ID: 'finance-app', SECRET: secret } }).toString();
    const headerSets = output
      .trim()
      .split('\n')
      .filter((line) => line !== '-H')
      .map((line) => line.split(': ') as [string, string]);
    const post = Object.fromEntries(headerSets.slice(0, 4));
    const get = Object.fromEntries(headerSets.slice(4));
    const at = new Date(Number(post['x-oa-timestamp']) * 1000);
    expect(authenticator.authenticate('oa-finance', request(post), at)).toMatchObject({ ok: true, principal: 'hmac:finance-app' });
    expect(authenticator.authenticate('oa-finance', request(get, { method: 'GET', url: '/v1/documents/oa-finance/FW-1/versions/1', body: Buffer.alloc(0) }), at)).toMatchObject({ ok: true });
    expect(post['x-oa-signature']).toBe(signatureOf(secret, stringToSign('POST', '/v1/documents/oa-finance', post['x-oa-timestamp']!, post['x-oa-nonce']!, body)));
  });
});

describe('bearer tokens', () => {
  it("accepts a source's token and refuses it for another source", () => {
    expect(authenticator.authenticate('oa-finance', request({ authorization: 'Bearer finance-bearer-token-abcdef' }), now)).toEqual({ ok: true, source: 'oa-finance', principal: 'bearer:1' });
    expect(authenticator.authenticate('oa-hr', request({ authorization: 'Bearer finance-bearer-token-abcdef' }), now)).toMatchObject({ ok: false, status: 401 });
    expect(authenticator.authenticate('oa-finance', request({ authorization: 'Bearer finance-bearer-token-abcdeF' }), now)).toMatchObject({ ok: false, status: 401 });
    expect(authenticator.authenticate('oa-finance', request({ authorization: 'Basic Zm9vOmJhcg==' }), now)).toMatchObject({ ok: false, status: 401 });
  });
});
