import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { appendAuditEvent, inTransaction } from '@oa-archive/catalog';
import { STAGES } from '@oa-archive/contracts';
import type { ConsoleDeps } from './deps.ts';

/** Everyone with a token reads the queues here; nothing can be changed from it. */
export const READ_ONLY_BOARD = '/queues';
/** Admins only: retry, promote, clean, empty, obliterate, add, update data; each action audited. */
export const ADMIN_BOARD = '/queues-admin';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const isRead = (method: string | string[]) => [method].flat().every((m) => READS.has(m.toUpperCase()));

/** A stage job id starts with its ingest id (see jobIdOf), so the action shows in that ingest's timeline. */
const ingestOfJob = (jobId: unknown) => (typeof jobId === 'string' ? (/^(ing_[0-9a-f]{32})-/.exec(jobId)?.[1] ?? null) : null);

/** The body as sent when small (new job data is evidence), else its size and digest. */
function bodyForAudit(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  const text = JSON.stringify(body);
  return text.length <= 8192 ? body : { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * Two bull-board instances over the same stage queues. Write routes need an admin on both (enforced
 * here, on the server, not by the UI), and each one is written to the audit chain, naming who did what
 * to which queue and job, before it runs: an action that cannot be audited does not happen.
 */
export async function registerQueueBoards(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  for (const [prefix, readOnlyMode] of [[READ_ONLY_BOARD, true], [ADMIN_BOARD, false]] as const) {
    const board = new FastifyAdapter();
    createBullBoard({
      queues: STAGES.map((s) => new BullMQAdapter(deps.queues.queue(s), { readOnlyMode, allowRetries: !readOnlyMode })),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: readOnlyMode ? 'Stage queues (read-only)' : 'Stage queues (admin)' } },
    });
    board.setBasePath(prefix);
    await app.register(
      async (scope) => {
        scope.addHook('onRoute', (route) => {
          const role = isRead(route.method) ? (readOnlyMode ? 'viewer' : 'admin') : 'admin';
          route.config = { ...(route.config as object), role };
        });
        // Runs after `authorize` (an app-level hook), so only an admin's write gets here.
        scope.addHook('preHandler', async (request, reply) => {
          if (isRead(request.method)) return;
          if (readOnlyMode) return reply.code(405).send({ error: `this board is read-only; admins manage the queues at ${ADMIN_BOARD}` });
          await auditQueueAction(deps, request, prefix);
        });
        await scope.register(board.registerPlugin());
      },
      { prefix },
    );
  }
}

async function auditQueueAction(deps: ConsoleDeps, request: FastifyRequest, board: string): Promise<void> {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const principal = request.principal;
  if (!principal) throw new Error(`queue action ${request.method} ${request.url} reached without a principal`);
  await inTransaction(deps.catalog.pool, (tx) =>
    appendAuditEvent(tx, {
      ingestId: ingestOfJob(params.jobId),
      type: 'console.queue-action',
      actor: `person:${principal.name}`,
      payload: {
        board,
        method: request.method,
        action: request.routeOptions.url?.slice(board.length) ?? request.url,
        queue: params.queueName ?? null,
        jobId: params.jobId ?? null,
        ...(params.queueStatus ? { state: params.queueStatus } : {}),
        ...(params.schedulerId ? { schedulerId: params.schedulerId } : {}),
        body: bodyForAudit(request.body),
      },
    }),
  );
}
