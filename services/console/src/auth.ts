import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateToken, ROLES, type ApiPrincipal, type Role } from '@oa-archive/catalog';
import type { Queryable } from '@oa-archive/catalog';
import type { OidcLogin } from './oidc.ts';

export const SESSION_COOKIE = 'oa_console';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: ApiPrincipal;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; routes without one are public (login, health). */
    role?: Role;
  }
}

const rank = (role: Role) => ROLES.indexOf(role);

/** The token a request presents: a bearer header (API clients) or the session cookie (the pages). */
function presentedToken(request: FastifyRequest): { token: string; viaCookie: boolean } | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), viaCookie: false };
  const cookie = request.cookies?.[SESSION_COOKIE];
  return cookie ? { token: cookie, viaCookie: true } : undefined;
}

/**
 * Every route that declares a role needs a valid token of at least that role: 401 without one, 403
 * with too little. Denials are logged with who and what. A state-changing request made with the
 * cookie must also show it came from our own pages: `x-requested-with` (our pages send it) or the
 * browser's own `Sec-Fetch-Site: same-origin` (bull-board's UI), neither of which another site's
 * form can send.
 */
export function authorize(db: Queryable, sso?: OidcLogin) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const needed = request.routeOptions.config.role;
    if (!needed) return;
    const presented = presentedToken(request);
    // A token (header or token-login cookie) first; else a person's single sign-on session.
    const principal = presented ? await authenticateToken(db, presented.token) : sso?.principalOf(request, reply);
    const viaCookie = presented ? presented.viaCookie : principal !== undefined;
    const wantsHtml = request.method === 'GET' && !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
    if (!principal) {
      request.log.warn({ route: request.routeOptions.url, method: request.method, reason: presented ? 'unknown or revoked token' : 'no token' }, 'access denied (401)');
      if (wantsHtml) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
      return reply.code(401).send({ error: 'authentication required: send Authorization: Bearer <token> or log in' });
    }
    if (rank(principal.role) < rank(needed)) {
      request.log.warn({ route: request.routeOptions.url, method: request.method, principal: principal.name, role: principal.role, needed }, 'access denied (403)');
      return reply.code(403).send({ error: `${principal.name} is ${principal.role}; this needs ${needed}` });
    }
    const fromOurPages = request.headers['x-requested-with'] === 'oa-console' || request.headers['sec-fetch-site'] === 'same-origin';
    if (viaCookie && request.method !== 'GET' && request.method !== 'HEAD' && !fromOurPages) {
      request.log.warn({ route: request.routeOptions.url, principal: principal.name }, 'cookie request without x-requested-with refused (403)');
      return reply.code(403).send({ error: 'state-changing requests from the pages must send x-requested-with: oa-console' });
    }
    request.principal = principal;
  };
}
