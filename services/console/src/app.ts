import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { STAGES } from '@oa-archive/contracts';
import { registerApi } from './api.ts';
import { authorize } from './auth.ts';
import type { ConsoleDeps } from './deps.ts';
import { createMetrics } from './metrics.ts';
import { registerPages } from './pages.ts';

/** The console: operator pages, the admin API, bull-board, metrics and health, behind token roles. */
export async function buildConsole(deps: ConsoleDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino is Fastify's own logger; only the type parameters differ.
    loggerInstance: deps.logger.child({ component: 'http' }) as unknown as FastifyBaseLogger,
  });
  await app.register(cookie);
  await app.register(formbody);
  app.addHook('preHandler', authorize(deps.catalog.pool));

  const metrics = createMetrics(deps);
  app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.contentType).send(await metrics.metrics()));
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const checks = await Promise.allSettled([deps.catalog.pool.query('SELECT 1'), deps.redis.ping()]);
    const failed = checks.map((c, i) => (c.status === 'rejected' ? ['postgresql', 'redis'][i] : null)).filter(Boolean);
    return failed.length ? reply.code(503).send({ ready: false, failed }) : { ready: true };
  });

  await registerApi(app, deps);
  await registerPages(app, deps);

  // bull-board: every stage queue, behind operator rights (it can retry and remove jobs).
  const board = new FastifyAdapter();
  createBullBoard({ queues: STAGES.map((s) => new BullMQAdapter(deps.queues.queue(s))), serverAdapter: board });
  board.setBasePath('/queues');
  await app.register(
    async (scope) => {
      scope.addHook('onRoute', (route) => {
        route.config = { ...(route.config as object), role: 'operator' };
      });
      await scope.register(board.registerPlugin());
    },
    { prefix: '/queues' },
  );
  return app;
}
