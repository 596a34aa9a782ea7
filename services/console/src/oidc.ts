import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { appendAuditEvent, inTransaction, type ApiPrincipal, type Role } from '@oa-archive/catalog';
import type { ConsoleDeps } from './deps.ts';
import { html, page } from './html.ts';
import { localeOf } from './locale.ts';
import { claimAt, claimValues, roleFor, type RoleMap } from './roleMapping.ts';
import { safeNextPath } from './safeNext.ts';
import { seal, sessionKey, unseal } from './signedCookie.ts';
import { checkSession, shouldTouch, type SessionLimits, type SsoSession } from './ssoSession.ts';
import { viewOf } from './view.ts';

/** The SSO session: a signed cookie, so any replica can read it and nothing is stored server-side. */
export const SSO_COOKIE = 'oa_console_sso';
/** The login round trip's state, nonce and PKCE verifier, held only for the trip to the provider and back. */
const FLIGHT_COOKIE = 'oa_console_oidc';
const FLIGHT_PATH = '/auth/oidc';
const FLIGHT_SECONDS = 600;

interface Flight {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  exp: number;
}

const isFlight = (value: unknown): value is Flight =>
  typeof value === 'object' && value !== null && ['state', 'nonce', 'verifier', 'next'].every((k) => typeof (value as Record<string, unknown>)[k] === 'string') && typeof (value as Flight).exp === 'number';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Why a login through the provider did not give a session, for the page and the log. */
export class OidcLoginError extends Error {
  override readonly name: string = 'OidcLoginError';
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: URL;
  scopes: string;
  roleClaim: string;
  roleMap: RoleMap;
  limits: SessionLimits;
}

export function oidcSettingsOf(config: ConsoleDeps['config']): OidcSettings | undefined {
  if (!config.OIDC_ISSUER) return undefined;
  // The schema holds these to be present when OIDC_ISSUER is.
  return {
    issuer: new URL(config.OIDC_ISSUER),
    clientId: config.OIDC_CLIENT_ID!,
    clientSecret: config.OIDC_CLIENT_SECRET,
    redirectUri: new URL(config.OIDC_REDIRECT_URI!),
    scopes: config.OIDC_SCOPES,
    roleClaim: config.OIDC_ROLE_CLAIM,
    roleMap: config.OIDC_ROLE_MAP!,
    limits: { maxSeconds: config.CONSOLE_SESSION_MAX_SECONDS, idleSeconds: config.CONSOLE_SESSION_IDLE_SECONDS },
  };
}

/**
 * Single sign-on with OpenID Connect: authorization code with PKCE (S256), state and nonce, through
 * openid-client. The provider's groups (or roles) claim maps to a console role; the session is a
 * signed cookie that ends at an absolute lifetime or after idle time, whichever is first.
 */
export class OidcLogin {
  private discovered: Promise<client.Configuration> | undefined;
  private readonly key: Buffer;
  private readonly settings: OidcSettings;
  private readonly deps: ConsoleDeps;

  constructor(settings: OidcSettings, deps: ConsoleDeps) {
    this.settings = settings;
    this.deps = deps;
    const { key, ephemeral } = sessionKey(deps.config.CONSOLE_SESSION_SECRET, settings.clientSecret);
    this.key = key;
    if (ephemeral) deps.logger.warn('CONSOLE_SESSION_SECRET and OIDC_CLIENT_SECRET are unset: SSO sessions end when this process restarts and are not shared between replicas');
  }

  /** The provider's metadata, fetched at the first login (not at start-up, so a provider outage does not stop the console). */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(this.settings.issuer, this.settings.clientId, undefined, this.settings.clientSecret ? client.ClientSecretPost(this.settings.clientSecret) : client.None(), {
        // The schema allows plain http only on loopback (development and tests).
        ...(this.settings.issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((error: unknown) => {
        this.discovered = undefined; // try again at the next login
        throw new OidcLoginError(`the identity provider at ${this.settings.issuer.href} could not be reached or described itself wrongly: ${(error as Error).message}`, 502);
      });
    return this.discovered;
  }

  private secure(request: FastifyRequest): boolean {
    return this.deps.config.CONSOLE_COOKIE_SECURE === 'always' || request.protocol === 'https';
  }

  /** Sends the browser to the provider's login, remembering state, nonce and verifier in a short-lived signed cookie. */
  async begin(request: FastifyRequest, reply: FastifyReply, next: string): Promise<FastifyReply> {
    const configuration = await this.configuration();
    const flight: Flight = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next: safeNextPath(next), exp: nowSeconds() + FLIGHT_SECONDS };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUri.href,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(flight.verifier),
      code_challenge_method: 'S256',
      state: flight.state,
      nonce: flight.nonce,
    });
    // Lax, not Strict: the provider's redirect back is a cross-site navigation, and must carry it.
    reply.setCookie(FLIGHT_COOKIE, seal(this.key, flight), { path: FLIGHT_PATH, httpOnly: true, sameSite: 'lax', secure: this.secure(request), maxAge: FLIGHT_SECONDS });
    return reply.redirect(url.href);
  }

  /** Exchanges the code, validates the ID token, maps the role, and starts the session; returns where to go next. */
  async complete(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    const flight = unseal(this.key, request.cookies[FLIGHT_COOKIE]);
    reply.clearCookie(FLIGHT_COOKIE, { path: FLIGHT_PATH, httpOnly: true, sameSite: 'lax', secure: this.secure(request) });
    if (!isFlight(flight) || flight.exp <= nowSeconds()) {
      throw new OidcLoginError('this login was not started here or took longer than ten minutes; start it again', 400);
    }
    const configuration = await this.configuration();
    // The URL the provider redirected to, as registered (the console may sit behind a proxy that rewrites the host).
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const currentUrl = new URL(`${this.settings.redirectUri.origin}${this.settings.redirectUri.pathname}${query}`);
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, currentUrl, { pkceCodeVerifier: flight.verifier, expectedState: flight.state, expectedNonce: flight.nonce, idTokenExpected: true });
    } catch (error) {
      throw new OidcLoginError(`the identity provider did not complete the login: ${(error as Error).message}`, 401);
    }
    const claims = tokens.claims()!;
    let roleClaim = claimAt(claims, this.settings.roleClaim);
    // Providers that keep groups out of the ID token give them at the userinfo endpoint.
    if (roleClaim === undefined) roleClaim = claimAt(await client.fetchUserInfo(configuration, tokens.access_token, claims.sub), this.settings.roleClaim);
    const values = claimValues(roleClaim);
    const name = [claims.preferred_username, claims.email, claims.name].find((v): v is string => typeof v === 'string' && v.length > 0) ?? claims.sub;
    const role = roleFor(values, this.settings.roleMap);
    if (!role) {
      await this.audit(name, 'login-refused', { sub: claims.sub, claim: this.settings.roleClaim, values });
      request.log.warn({ sub: claims.sub, claim: this.settings.roleClaim, values }, 'access denied (SSO login: no mapped role)');
      throw new NoRoleError(this.settings.roleClaim, values);
    }
    const now = nowSeconds();
    const session: SsoSession = { sub: claims.sub, name, role, iat: now, seen: now, ...(tokens.id_token ? { idToken: tokens.id_token } : {}) };
    this.setSession(request, reply, session);
    await this.audit(name, 'login', { via: 'oidc', sub: claims.sub, role, issuer: claims.iss });
    request.log.info({ principal: name, role }, 'logged in through the identity provider');
    return flight.next;
  }

  private setSession(request: FastifyRequest, reply: FastifyReply, session: SsoSession) {
    // Lax so the redirect chain back from the provider keeps it; state-changing requests are held to
    // x-requested-with / Sec-Fetch-Site by authorize(), which another site cannot send.
    const remaining = session.iat + this.settings.limits.maxSeconds - nowSeconds();
    reply.setCookie(SSO_COOKIE, seal(this.key, session), { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure(request), maxAge: Math.max(0, remaining) });
  }

  private async audit(name: string, action: string, payload: Record<string, unknown>) {
    await inTransaction(this.deps.catalog.pool, (tx) => appendAuditEvent(tx, { ingestId: null, type: `console.${action}`, actor: `person:${name}`, payload }));
  }

  /** The person a valid SSO session cookie names, refreshing its idle clock; an ended one is cleared. */
  principalOf(request: FastifyRequest, reply: FastifyReply): ApiPrincipal | undefined {
    const text = request.cookies[SSO_COOKIE];
    if (!text) return undefined;
    const now = nowSeconds();
    const check = checkSession(unseal(this.key, text), now, this.settings.limits);
    if (!check.valid) {
      request.log.info({ reason: check.reason }, 'SSO session ended');
      reply.clearCookie(SSO_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure(request) });
      return undefined;
    }
    if (shouldTouch(check.session, now, this.settings.limits)) this.setSession(request, reply, { ...check.session, seen: now });
    return ssoPrincipal(check.session.name, check.session.role);
  }

  /** Ends the SSO session here; returns the provider's logout URL when it has one, so it ends there too. */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    const value = unseal(this.key, request.cookies[SSO_COOKIE]);
    reply.clearCookie(SSO_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.secure(request) });
    const check = checkSession(value, nowSeconds(), this.settings.limits);
    if (!check.valid) return undefined;
    await this.audit(check.session.name, 'logout', { via: 'oidc', sub: check.session.sub });
    const configuration = await this.configuration().catch((error: unknown) => {
      request.log.warn({ err: error }, 'identity provider unreachable at logout; the console session is ended, the provider session is not');
      return undefined;
    });
    if (!configuration?.serverMetadata().end_session_endpoint) return undefined;
    const loginPage = new URL('/login', this.settings.redirectUri.origin).href;
    return client.buildEndSessionUrl(configuration, { post_logout_redirect_uri: loginPage, ...(check.session.idToken ? { id_token_hint: check.session.idToken } : {}) }).href;
  }
}

/** A person logged in through the provider has no API token; id 0 says so. */
const ssoPrincipal = (name: string, role: Role): ApiPrincipal => ({ id: 0, name, role });

export class NoRoleError extends OidcLoginError {
  override readonly name = 'NoRoleError';
  readonly claim: string;
  readonly values: string[];
  constructor(claim: string, values: string[]) {
    super(`no console role is mapped to any value of ${claim}: ${values.join(', ') || '(none)'}`, 403);
    this.claim = claim;
    this.values = values;
  }
}

/** /auth/oidc/login and /auth/oidc/callback; failures become a page saying why. */
export function registerOidc(app: FastifyInstance, deps: ConsoleDeps, login: OidcLogin): void {
  const fail = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (!(error instanceof OidcLoginError)) throw error;
    const { t } = viewOf(request, deps);
    request.log.warn({ reason: error.message }, 'SSO login failed');
    const message =
      error instanceof NoRoleError ? t('sso.noRole', { claim: error.claim, values: error.values.join(', ') || '—' }) : t('sso.failed', { reason: error.message });
    return reply
      .code(error.status)
      .type('text/html; charset=utf-8')
      .send(page(t('login.title'), undefined, html`<p class="fail" id="sso-error">${message}</p><p><a href="/login">${t('sso.again')}</a></p>`, { locale: localeOf(request), path: request.url }));
  };
  app.get<{ Querystring: { next?: string } }>('/auth/oidc/login', async (request, reply) => {
    try {
      return await login.begin(request, reply, request.query.next ?? '/');
    } catch (error) {
      return fail(request, reply, error);
    }
  });
  app.get('/auth/oidc/callback', async (request, reply) => {
    try {
      return reply.redirect(await login.complete(request, reply));
    } catch (error) {
      return fail(request, reply, error);
    }
  });
}
