import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID Connect provider (oidc-provider) in this process, for the console's single sign-on
 * tests: one confidential client that must use PKCE, its development login and consent pages (any
 * password), and accounts whose `groups` claim is given per test.
 */
export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export const CLIENT_ID = 'oa-archive-console';
const CLIENT_SECRET = 'console-test-client-secret-0123456789abcdef';

/**
 * Listens on a free loopback port first, so the issuer (which the provider must know when built)
 * names it. `localhost`, where the console uses 127.0.0.1: a different site, as a real provider is.
 */
export async function startTestProvider(options: { redirectUri: string; postLogoutRedirectUri: string; groups: Record<string, string[]> }): Promise<TestProvider> {
  // The provider is built once the port is known; no request arrives before then.
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // Every client, confidential ones too, must prove possession with PKCE.
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'groups'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ['oidc-provider-test-cookie-key-0123456789'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, preferred_username: id, name: id, groups: options.groups[id] ?? [] }),
    }),
  });
  const callback = provider.callback();
  const handler: RequestListener = (req, res) => void callback(req, res);
  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A free port on 127.0.0.1, for a console whose redirect URI must be known before it starts. */
/** The console's OIDC settings for this provider, the console serving at `base`: groups map to roles as an agency would set them. */
export function consoleOidcEnv(provider: TestProvider, base: string): Record<string, string> {
  return {
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_REDIRECT_URI: `${base}/auth/oidc/callback`,
    OIDC_SCOPES: 'openid profile groups',
    OIDC_ROLE_MAP: 'archive-admins=admin,archive-ops=operator,staff=viewer',
  };
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
