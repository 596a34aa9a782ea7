import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { registerApi } from './api.ts';
import { registerCompleteness } from './completenessPage.ts';
import { registerDeadlineApi } from './deadlines.ts';
import { registerDisposition } from './dispositionPage.ts';
import { registerHolds } from './holdsPage.ts';
import { registerCustodyPages } from './custodyPages.ts';
import { authorize } from './auth.ts';
import { fastifyTrustProxy } from './config.ts';
import type { ConsoleDeps } from './deps.ts';
import { createMetrics } from './metrics.ts';
import { registerLocaleSwitch } from './locale.ts';
import { registerPages } from './pages.ts';
import { OidcLogin, oidcSettingsOf, registerOidc } from './oidc.ts';
import { registerQueueBoards } from './queueBoard.ts';
import { registerProposals } from './proposalsPage.ts';
import { registerSearch } from './searchPage.ts';

/** The console: operator pages, the admin API, bull-board, metrics and health, behind token roles. */
export async function buildConsole(deps: ConsoleDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino is Fastify's own logger; only the type parameters differ.
    loggerInstance: deps.logger.child({ component: 'http' }) as unknown as FastifyBaseLogger,
    // Only the configured proxies may say the request came over TLS (request.protocol) or from whom.
    trustProxy: fastifyTrustProxy(deps.config.CONSOLE_TRUST_PROXY),
  });
  await app.register(cookie);
  await app.register(formbody);
  const oidc = oidcSettingsOf(deps.config);
  const sso = oidc ? new OidcLogin(oidc, deps) : undefined;
  app.addHook('preHandler', authorize(deps.catalog.pool, sso));

  const metrics = createMetrics(deps);
  app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.contentType).send(await metrics.metrics()));
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const checks = await Promise.allSettled([deps.catalog.pool.query('SELECT 1'), deps.redis.ping()]);
    const failed = checks.map((c, i) => (c.status === 'rejected' ? ['postgresql', 'redis'][i] : null)).filter(Boolean);
    return failed.length ? reply.code(503).send({ ready: false, failed }) : { ready: true };
  });

  await registerApi(app, deps);
  registerLocaleSwitch(app);
  await registerPages(app, deps, sso);
  if (sso) registerOidc(app, deps, sso);
  registerSearch(app, deps);
  registerCompleteness(app, deps);
  registerDeadlineApi(app, deps);
  registerDisposition(app, deps);
  registerHolds(app, deps);
  registerCustodyPages(app, deps);
  await registerProposals(app, deps);

  await registerQueueBoards(app, deps);
  return app;
}
