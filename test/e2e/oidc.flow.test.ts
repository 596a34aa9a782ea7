import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { loadConsoleConfig, startConsole, type ConsoleProcess } from '@oa-archive/console';
import { testLogger, uniqueName } from '@oa-archive/testing';
import { CLIENT_ID, consoleOidcEnv, freePort, startTestProvider, type TestProvider } from './oidcProvider.ts';

/**
 * Single sign-on end to end over HTTP: a real OpenID Connect provider (oidc-provider, PKCE required)
 * and the console, both listening; the authorization code flow walked with fetch, through the
 * provider's own login and consent forms, with a cookie jar standing in for the browser.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let provider: TestProvider;
let consoleProcess: ConsoleProcess;
let base = '';

const GROUPS = { ada: ['archive-admins', 'staff'], vic: ['staff'], nobody: ['visitors', 'canteen'] };

/** Cookies by host:port name → value; enough of a browser for this flow (no paths, no expiry but deletion). */
class Jar {
  private readonly cookies = new Map<string, Map<string, string>>();
  header(url: URL): string {
    return [...(this.cookies.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(url: URL, response: Response) {
    const here = this.cookies.get(url.host) ?? new Map<string, string>();
    this.cookies.set(url.host, here);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const gone = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
      if (gone) here.delete(name);
      else here.set(name, value);
    }
  }
  has(host: string, name: string) {
    return this.cookies.get(host)?.has(name) ?? false;
  }
}

interface Visit {
  url: URL;
  status: number;
  body: string;
  location?: string;
}

async function visit(jar: Jar, url: URL, init: RequestInit = {}): Promise<Visit> {
  const response = await fetch(url, { ...init, redirect: 'manual', headers: { accept: 'text/html', cookie: jar.header(url), ...(init.headers as Record<string, string> | undefined) } });
  jar.take(url, response);
  const location = response.headers.get('location') ?? undefined;
  return { url, status: response.status, body: await response.text(), ...(location ? { location: new URL(location, url).href } : {}) };
}

/** Follows redirects and submits the provider's login (as `account`) and consent forms, until a console page answers. */
async function signIn(jar: Jar, start: URL, account: string): Promise<Visit> {
  let current = await visit(jar, start);
  for (let step = 0; step < 20; step++) {
    if (current.location) {
      current = await visit(jar, new URL(current.location));
      continue;
    }
    if (current.url.origin === base) return current;
    const action = /<form[^>]*action="([^"]+)"/.exec(current.body)?.[1];
    if (!action) throw new Error(`the provider answered ${current.status} without a form at ${current.url.href}: ${current.body.slice(0, 300)}`);
    const fields = new URLSearchParams(/name="login"/.test(current.body) ? { login: account, password: 'any' } : {});
    for (const [, name, value] of current.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields.set(name!, value!);
    current = await visit(jar, new URL(action.replaceAll('&amp;', '&'), current.url), { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  throw new Error('the login did not come back to the console within 20 steps');
}

beforeAll(async () => {
  db = await createTestCatalog();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startTestProvider({ redirectUri: `${base}/auth/oidc/callback`, postLogoutRedirectUri: `${base}/login`, groups: GROUPS });
  consoleProcess = await startConsole(
    loadConsoleConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: uniqueName('oidc-flow'),
      CONSOLE_PORT: String(port),
      ...consoleOidcEnv(provider, base),
    }),
    testLogger(),
  );
});

afterAll(async () => {
  await consoleProcess?.close();
  await provider?.close();
  await db?.drop();
});

const audited = async (type: string, actor: string) =>
  (await db.catalog.pool.query<{ payload: Record<string, unknown> }>('SELECT payload FROM audit_events WHERE type = $1 AND actor = $2 ORDER BY seq', [type, actor])).rows.map((r) => r.payload);

describe('single sign-on with OpenID Connect', () => {
  it('the provider insists on PKCE for the console client', async () => {
    const url = new URL('/auth', provider.issuer);
    url.search = new URLSearchParams({ client_id: CLIENT_ID, response_type: 'code', scope: 'openid', redirect_uri: `${base}/auth/oidc/callback`, state: 'x' }).toString();
    const refused = await visit(new Jar(), url);
    expect(new URL(refused.location!).searchParams.get('error')).toBe('invalid_request');
    expect(new URL(refused.location!).searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('offers the single sign-on on the login page and sends the browser with S256 PKCE, state and nonce', async () => {
    const login = await visit(new Jar(), new URL('/login', base));
    expect(login.body).toContain('使用单位统一身份认证登录');
    const start = await visit(new Jar(), new URL('/auth/oidc/login?next=%2Fingests', base));
    const to = new URL(start.location!);
    expect(to.origin).toBe(provider.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    for (const p of ['code_challenge', 'state', 'nonce']) expect(to.searchParams.get(p), p).toMatch(/^[\w-]{22,}$/);
  });

  it('logs an admin in through the provider, lands where asked, and audits it', async () => {
    const jar = new Jar();
    const landed = await signIn(jar, new URL('/auth/oidc/login?next=%2Fingests', base), 'ada');
    expect(landed.url.pathname).toBe('/ingests');
    expect(landed.status).toBe(200);
    expect(landed.body).toContain('管理员'); // the admin role, in the page chrome
    expect(await audited('console.login', 'person:ada')).toEqual([expect.objectContaining({ via: 'oidc', role: 'admin', sub: 'ada' })]);
  });

  it('maps staff to viewer: pages yes, an admin action refused', async () => {
    const jar = new Jar();
    const landed = await signIn(jar, new URL('/auth/oidc/login', base), 'vic');
    expect(landed.url.pathname).toBe('/');
    expect(landed.status).toBe(200);
    const redrive = await visit(jar, new URL('/api/callbacks/redrive', base), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-requested-with': 'oa-console' } });
    expect(redrive.status).toBe(403);
    expect(JSON.parse(redrive.body).error).toBe('vic is viewer; this needs admin');
  });

  it('refuses someone none of whose groups is mapped, naming the groups seen', async () => {
    const jar = new Jar();
    const refused = await signIn(jar, new URL('/auth/oidc/login', base), 'nobody');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('visitors, canteen');
    expect(jar.has(new URL(base).host, 'oa_console_sso')).toBe(false);
    expect(await audited('console.login-refused', 'person:nobody')).toEqual([expect.objectContaining({ claim: 'groups', values: ['visitors', 'canteen'] })]);
  });

  it('refuses a callback this browser did not start', async () => {
    const forged = await visit(new Jar(), new URL('/auth/oidc/callback?code=abc&state=def', base));
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('id="sso-error"');
  });

  it('logs out: the session ends here and the browser goes to the provider to end it there', async () => {
    const jar = new Jar();
    await signIn(jar, new URL('/auth/oidc/login', base), 'ada');
    expect((await visit(jar, new URL('/', base))).status).toBe(200);
    const out = await visit(jar, new URL('/logout', base));
    const endSession = new URL(out.location!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/login`);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    const after = await visit(jar, new URL('/', base));
    expect(after.status).toBe(302);
    expect(after.location).toBe(`${base}/login?next=%2F`);
    expect(await audited('console.logout', 'person:ada')).toHaveLength(1);
  });

  it('keeps API tokens working for machines', async () => {
    const { token } = await createApiToken(db.catalog.pool, 'oidc-flow-machine', 'viewer');
    const response = await fetch(new URL('/api/overview', base), { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('statuses');
  });
});
