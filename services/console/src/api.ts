import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appendAuditEvent, callbackDeliveryOf, CALLBACK_STATES, inTransaction, redriveCallbackDeliveries, reviewQueue, timelinessByDepartment } from '@oa-archive/catalog';
import { isStage, STAGES } from '@oa-archive/contracts';
import { reconsumeWindow, redriveDeadLetters } from '@oa-archive/kafka';
import { OperationError, replayBulk, replayIngest } from '@oa-archive/pipeline';
import { accessViewOf, registerContentRoute, withheldContent } from './contentAccess.ts';
import { toCsv } from './csv.ts';
import { registerPreviewRoute } from './preview.ts';
import { registerReviewApi } from './reviewApi.ts';
import type { ConsoleDeps } from './deps.ts';
import { date, issuesOf, timelinessQuery } from './params.ts';
import { callbacksView, ingestDetail, overview, reconcilerView } from './queries.ts';
import { departmentNamesOf } from './view.ts';

/** Every admin action is itself an audit event naming who did it. */
async function auditAction(deps: ConsoleDeps, request: FastifyRequest, ingestId: string | null, action: string, payload: Record<string, unknown>) {
  await inTransaction(deps.catalog.pool, (tx) => appendAuditEvent(tx, { ingestId, type: `console.${action}`, actor: `person:${request.principal!.name}`, payload }));
}


const callbacksQuery = z.object({
  state: z.enum(CALLBACK_STATES as ['pending', 'delivered', 'dead']).default('dead'),
  source: z.string().max(200).optional(),
  limit: z.coerce.number().int().positive().max(5000).default(200),
});
const redriveBody = z.object({ reason: z.string().max(500).optional() });
const redriveAllBody = z.object({ source: z.string().max(200).optional(), reason: z.string().max(500).optional() });

const replayBody = z.object({ from: z.enum(['failed', 'start']).default('failed'), reason: z.string().max(500).optional() });

const bulkBody = z.object({
  filter: z
    .object({
      stage: z.string().refine(isStage, { message: `one of ${STAGES.join(', ')}` }).optional(),
      errorClass: z.string().max(100).optional(),
      source: z.string().max(200).optional(),
      since: date.optional(),
      until: date.optional(),
    })
    .default({}),
  from: z.enum(['failed', 'start']).default('failed'),
  dryRun: z.boolean().default(true),
});

interface BulkRun {
  id: string;
  requestedBy: string;
  total: number;
  done: number;
  replayed: string[];
  refused: { ingestId: string; reason: string }[];
  finished: boolean;
}

export async function registerApi(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const bulkRuns = new Map<string, BulkRun>();
  const bad = (error: z.ZodError) => ({ error: 'invalid request', issues: issuesOf(error) });

  app.get('/api/overview', { config: { role: 'viewer' } }, async () => overview(deps));

  registerContentRoute(app, deps);
  registerPreviewRoute(app, deps);
  registerReviewApi(app, deps);

  // GET /api/ingests, the search (JSON or CSV), is searchPage.ts.

  app.get<{ Params: { id: string } }>('/api/ingests/:id', { config: { role: 'viewer' } }, async (request, reply) => {
    const detail = await ingestDetail(deps, request.params.id);
    if (!detail) return reply.code(404).send({ error: `no ingest ${request.params.id}` });
    // 限制利用: metadata for everyone, the content's whereabouts only for the role the schedule names and above.
    const access = accessViewOf(detail.restriction, request.principal!.role);
    return access.contentAvailable ? { ...detail, access } : { ...withheldContent(detail), access };
  });

  app.post<{ Params: { id: string } }>('/api/ingests/:id/replay', { config: { role: 'operator' } }, async (request, reply) => {
    const body = replayBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error));
    try {
      const result = await replayIngest(deps, request.params.id, { from: body.data.from, actor: request.principal!.name, ...(body.data.reason ? { reason: body.data.reason } : {}) });
      return reply.code(202).send(result);
    } catch (error) {
      if (error instanceof OperationError) return reply.code(409).send({ error: error.message });
      throw error;
    }
  });

  app.post('/api/replays', { config: { role: 'admin' } }, async (request, reply) => {
    const body = bulkBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error));
    const { filter, from, dryRun } = body.data;
    const typedFilter = { ...filter, ...(filter.stage ? { stage: filter.stage as (typeof STAGES)[number] } : {}) };
    if (dryRun) {
      const { matched } = await replayBulk(deps, typedFilter, { from, actor: request.principal!.name, dryRun: true, perSecond: 1 });
      return { dryRun: true, matched: matched.map((i) => ({ ingestId: i.ingestId, documentId: i.documentId, title: i.title, failedStage: i.failedStage, failureReason: i.failureReason })) };
    }
    const run: BulkRun = { id: randomUUID(), requestedBy: request.principal!.name, total: 0, done: 0, replayed: [], refused: [], finished: false };
    bulkRuns.set(run.id, run);
    await auditAction(deps, request, null, 'bulk-replay', { runId: run.id, filter, from });
    // Runs in the background at the configured rate; the caller follows its progress.
    void replayBulk(deps, typedFilter, {
      from,
      actor: request.principal!.name,
      dryRun: false,
      perSecond: deps.config.REPLAY_PER_SECOND,
      onProgress: (done, total) => Object.assign(run, { done, total }),
    })
      .then((result) => Object.assign(run, { total: result.matched.length, replayed: result.replayed, refused: result.refused, finished: true }))
      .catch((error: Error) => {
        deps.logger.error({ err: error, runId: run.id }, 'bulk replay stopped');
        Object.assign(run, { finished: true, refused: [...run.refused, { ingestId: '*', reason: error.message }] });
      });
    return reply.code(202).send({ runId: run.id, progress: `/api/replays/${run.id}` });
  });

  app.get<{ Params: { id: string } }>('/api/replays/:id', { config: { role: 'viewer' } }, async (request, reply) => bulkRuns.get(request.params.id) ?? reply.code(404).send({ error: 'no such bulk replay' }));

  app.get('/api/review', { config: { role: 'viewer' } }, async () => ({ review: await reviewQueue(deps.catalog.pool, 1000) }));

  // What the reconciler did lately (from the audit trail) and the receipts still waiting for Kafka.
  app.get('/api/reconciler', { config: { role: 'viewer' } }, async () => reconcilerView(deps));

  // Callbacks to the OA: per source, and the dead letters (after the last attempt) to re-drive.
  app.get('/api/callbacks', { config: { role: 'viewer' } }, async (request, reply) => {
    const query = callbacksQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(bad(query.error));
    return callbacksView(deps, query.data);
  });

  // A re-drive is audited (callback.redriven, naming who) in the transaction that makes it.
  app.post<{ Params: { id: string } }>('/api/callbacks/:id/redrive', { config: { role: 'operator' } }, async (request, reply) => {
    const body = redriveBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error));
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) return reply.code(404).send({ error: `no callback delivery ${request.params.id}` });
    const [redriven] = await redriveCallbackDeliveries(deps.catalog.pool, { ids: [id] }, `person:${request.principal!.name}`, body.data.reason);
    if (redriven) return { redriven: [redriven] };
    const delivery = await callbackDeliveryOf(deps.catalog.pool, id);
    if (!delivery) return reply.code(404).send({ error: `no callback delivery ${id}` });
    return reply.code(409).send({ error: `callback delivery ${id} is ${delivery.state}, not dead: only dead letters are re-driven` });
  });

  app.post('/api/callbacks/redrive', { config: { role: 'admin' } }, async (request, reply) => {
    const body = redriveAllBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error));
    const redriven = await redriveCallbackDeliveries(deps.catalog.pool, { all: true, ...(body.data.source ? { source: body.data.source } : {}) }, `person:${request.principal!.name}`, body.data.reason);
    return { redriven };
  });

  app.post('/api/dead-letters/redrive', { config: { role: 'admin' } }, async (request, reply) => {
    const body = z.object({ limit: z.number().int().positive().max(100_000).optional() }).safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error));
    const result = await redriveDeadLetters(deps.kafka, { deadLetterTopic: deps.config.KAFKA_TOPIC_DEAD_LETTER, ...(body.data.limit ? { limit: body.data.limit } : {}) });
    await auditAction(deps, request, null, 'dead-letters-redriven', { topic: deps.config.KAFKA_TOPIC_DEAD_LETTER, ...result });
    return result;
  });

  app.post('/api/reconsume', { config: { role: 'admin' } }, async (request, reply) => {
    const body = z.object({ since: date, until: date }).refine((b) => b.since < b.until, { message: 'since must be before until' }).safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error));
    const result = await reconsumeWindow(deps.kafka, { topic: deps.config.KAFKA_TOPIC_FINALIZED, since: body.data.since, until: body.data.until });
    await auditAction(deps, request, null, 'window-reconsumed', { topic: deps.config.KAFKA_TOPIC_FINALIZED, since: body.data.since.toISOString(), until: body.data.until.toISOString(), ...result });
    return result;
  });

  app.get('/api/timeliness', { config: { role: 'viewer' } }, async (request, reply) => {
    const query = timelinessQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(bad(query.error));
    const rows = await timelinessByDepartment(deps.catalog.pool, query.data);
    if (query.data.format === 'csv') {
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="timeliness.csv"')
        .send(toCsv(withDepartmentNames(rows, departmentNamesOf(deps)), ['departmentName', 'department', 'finalized', 'filed', 'inReview', 'failed', 'inProgress', 'medianDelaySeconds', 'p95DelaySeconds']));
    }
    return { timeliness: rows };
  });
}

/** A CSV row keeps the department code (`department`) and gains its name from the schedule beside it. */
const withDepartmentNames = <Row extends { department: string }>(rows: readonly Row[], names: Record<string, string>) =>
  rows.map((row) => ({ ...row, departmentName: names[row.department] ?? row.department }));
