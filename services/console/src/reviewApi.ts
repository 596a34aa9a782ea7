import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { appendAuditEvent, classificationOf, inTransaction } from '@oa-archive/catalog';
import { render, type MessageCode, type MessageParams } from '@oa-archive/messages';
import { basisOf, OperationError, predictFiling, refreshRuleProposals, refusalOf, settleReview, suggestionOf } from '@oa-archive/pipeline';
import type { ConsoleDeps } from './deps.ts';
import { localeOf } from './locale.ts';
import { issuesOf } from './params.ts';

/**
 * The review API: one decision (`POST /api/review/:id`), one decision for many documents
 * (`POST /api/review/bulk`) and the 档号 a filing would take (`GET /api/review/:id/reference-code`).
 * Every decision is checked against the rule's suggestion here and names its basis: the rule when the
 * person follows it, their note otherwise.
 */

const category = z.string().regex(/^[A-Z]{2}$/);
const retention = z.enum(['Y', 'D30', 'D10']);

const reviewBody = z.discriminatedUnion('action', [
  // `confirmed`: the person saw that the filing departs from the rule's suggestion and confirmed it (see packages/pipeline reviewPolicy.ts).
  z.object({ action: z.literal('file'), category, retention, organisationCode: z.string().optional(), note: z.string().max(500).optional(), confirmed: z.boolean().optional() }),
  z.object({ action: z.literal('retry'), note: z.string().max(500).optional() }),
  z.object({ action: z.literal('exclude'), note: z.string().min(1).max(500) }),
  z.object({ action: z.literal('quarantine'), note: z.string().min(1).max(500) }),
]);
type ReviewBody = z.infer<typeof reviewBody>;

const predictionQuery = z.object({ category, retention, organisationCode: z.string().optional() });

/** At most this many documents in one bulk decision: each is settled in its own transaction, in turn. */
export const BULK_LIMIT = 200;

const bulkBody = z.object({
  action: z.enum(['file-as-suggested', 'exclude', 'quarantine']),
  ingestIds: z.array(z.string().min(1).max(200)).min(1).max(BULK_LIMIT),
  note: z.string().trim().min(1).max(500),
});

/** How one document of a bulk decision went. */
export type BulkItemResult =
  | { ingestId: string; status: 'settled'; outcome: string; referenceCode: string | null }
  | { ingestId: string; status: 'refused'; error: string; code?: MessageCode };

/** A decision the review policy refuses: the sentence in the reader's language, with its stable code. */
class Refusal extends Error {
  readonly code: MessageCode;
  readonly params: MessageParams;
  constructor(code: MessageCode, params: MessageParams, message: string) {
    super(message);
    this.code = code;
    this.params = params;
  }
}

/**
 * Settles one document as a person decided, checked against the rule's suggestion first; the decision
 * and its basis are recorded with the settlement and audited as `console.review-settled`.
 */
async function settleOne(deps: ConsoleDeps, request: FastifyRequest, ingestId: string, decision: ReviewBody, audit: Record<string, unknown> = {}) {
  const suggestion = suggestionOf(await classificationOf(deps.catalog.pool, ingestId), deps.schedule);
  if (decision.action === 'file') {
    // A filing that departs from the rule (or has none to follow) takes a reason and a confirmation.
    const refusal = refusalOf(decision, suggestion);
    if (refusal) throw new Refusal(refusal.code, refusal.params, render(refusal.code, refusal.params, localeOf(request)));
  }
  const basis = basisOf(decision, suggestion);
  const result = await settleReview(deps, ingestId, { ...decision, ...(basis ? { basis } : {}) }, request.principal!.name);
  await inTransaction(deps.catalog.pool, (tx) =>
    appendAuditEvent(tx, { ingestId, type: 'console.review-settled', actor: `person:${request.principal!.name}`, payload: { ...decision, ...audit, basis: basis ?? null, referenceCode: result.referenceCode } }),
  );
  return result;
}

/**
 * Rules are learned from settlements (pipeline/scheduleLearning.ts), so the proposals are brought up to
 * date after each decision, not when someone reads them. The settlement is committed by then: a failure
 * here is logged, and the next settlement (or `archive proposals`) catches up.
 */
async function learnFromSettlements(deps: ConsoleDeps, request: FastifyRequest): Promise<void> {
  try {
    await refreshRuleProposals({ catalog: deps.catalog, root: deps.scheduleFile });
  } catch (error) {
    request.log.error({ err: error }, 'rule proposals not brought up to date after a review settlement; the next settlement does it');
  }
}

export function registerReviewApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const bad = (error: z.ZodError) => ({ error: 'invalid request', issues: issuesOf(error) });

  app.post<{ Params: { id: string } }>('/api/review/:id', { config: { role: 'admin' } }, async (request, reply) => {
    const body = reviewBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error));
    try {
      const result = await settleOne(deps, request, request.params.id, body.data);
      await learnFromSettlements(deps, request);
      return result;
    } catch (error) {
      if (error instanceof Refusal) {
        const suggestion = suggestionOf(await classificationOf(deps.catalog.pool, request.params.id), deps.schedule);
        return reply.code(400).send({ error: error.message, code: error.code, params: error.params, suggestion: suggestion ?? null });
      }
      if (error instanceof OperationError) return reply.code(409).send({ error: error.message });
      throw error;
    }
  });

  // The 档号 filing under this class would take now: provisional, another filing can take it first.
  app.get<{ Params: { id: string } }>('/api/review/:id/reference-code', { config: { role: 'admin' } }, async (request, reply) => {
    const query = predictionQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(bad(query.error));
    try {
      const predicted = await predictFiling(deps, request.params.id, { action: 'file', ...query.data });
      const code: MessageCode = `review.prediction.${predicted.how}`;
      return { ...predicted, provisional: predicted.how === 'next', text: render(code, { referenceCode: predicted.referenceCode }, localeOf(request)) };
    } catch (error) {
      if (error instanceof OperationError) return reply.code(409).send({ error: error.message });
      throw error;
    }
  });

  // One decision for many similar documents, with one reason: each settled in its own transaction, reported one by one.
  app.post('/api/review/bulk', { config: { role: 'admin' } }, async (request, reply) => {
    const body = bulkBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error));
    const { action, ingestIds, note } = body.data;
    const locale = localeOf(request);
    const results: BulkItemResult[] = [];
    for (const ingestId of new Set(ingestIds)) {
      try {
        let decision: ReviewBody;
        if (!(await deps.catalog.getIngest(ingestId))) throw new OperationError(`no ingest ${ingestId}`);
        if (action === 'file-as-suggested') {
          const suggestion = suggestionOf(await classificationOf(deps.catalog.pool, ingestId), deps.schedule);
          if (!suggestion) throw new Refusal('review.bulk.noSuggestion', {}, render('review.bulk.noSuggestion', {}, locale));
          decision = { action: 'file', category: suggestion.category, retention: suggestion.retention, note };
        } else decision = { action, note };
        const result = await settleOne(deps, request, ingestId, decision, { bulk: action });
        results.push({ ingestId, status: 'settled', outcome: result.outcome, referenceCode: result.referenceCode });
      } catch (error) {
        if (error instanceof Refusal) results.push({ ingestId, status: 'refused', error: error.message, code: error.code });
        else if (error instanceof OperationError) results.push({ ingestId, status: 'refused', error: error.message });
        else throw error;
      }
    }
    const settled = results.filter((r) => r.status === 'settled').length;
    if (settled > 0) await learnFromSettlements(deps, request);
    return { action, settled, refused: results.length - settled, summary: render('review.bulk.result', { settled, refused: results.length - settled }, locale), results };
  });
}
