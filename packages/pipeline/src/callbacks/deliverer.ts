import { claimCallbackDeliveries, planCallbackDeliveries, recordCallbackAttempt, type CallbackAttemptResult, type Catalog, type ClaimedCallback } from '@oa-archive/catalog';
import type { CallbackTarget, OaSource } from '@oa-archive/config';
import type { Logger } from '@oa-archive/observability';
import { callbackRetryDelayMs, type CallbackBackoff } from './backoff.ts';
import { callbackHeaders } from './signing.ts';

export interface CallbackSettings {
  /** Attempts per delivery before it is dead-lettered. */
  attempts: number;
  backoff: CallbackBackoff;
  /** One POST may take this long (connect, send, answer). */
  timeoutMs: number;
  /** Deliveries claimed (and POSTed at once) per round. */
  batchSize: number;
  /** Who holds a claim: shown on the row while the POST is under way. */
  worker: string;
}

export interface CallbackDeps {
  catalog: Catalog;
  /** OA_SOURCES: the sources with a `callback` are the targets. */
  sources: Readonly<Record<string, OaSource>>;
  settings: CallbackSettings;
  logger?: Logger;
}

export interface CallbackPass {
  planned: number;
  delivered: string[];
  retried: number;
  dead: number;
}

/** The sources that have a callback target, and theirs. */
export function callbackTargetsOf(sources: Readonly<Record<string, OaSource>>): Record<string, CallbackTarget> {
  return Object.fromEntries(Object.entries(sources).flatMap(([id, s]) => (s.callback ? [[id, s.callback]] : [])));
}

/** Longer than any POST may take, so a live worker's claim never lapses under it. */
const leaseMsOf = (settings: CallbackSettings) => settings.timeoutMs + 30_000;

/**
 * One pass of callback delivery: plans deliveries for receipts not yet planned, then claims due ones
 * and POSTs them (a batch at a time, each ingest's receipts in order) until none is due or `maxRounds`
 * is reached. Safe to run in every worker at once; give them all the same OA_SOURCES.
 */
export async function deliverCallbacks(deps: CallbackDeps, options: { maxRounds?: number } = {}): Promise<CallbackPass> {
  const targets = callbackTargetsOf(deps.sources);
  const pass: CallbackPass = { planned: 0, delivered: [], retried: 0, dead: 0 };
  // A worker without targets plans nothing: it would mark receipts planned that a worker with them should plan.
  if (Object.keys(targets).length === 0) return pass;
  for (let round = 0; round < 20; round++) {
    const { planned, receipts } = await planCallbackDeliveries(deps.catalog.pool, Object.fromEntries(Object.entries(targets).map(([id, t]) => [id, t.url])));
    pass.planned += planned;
    if (receipts < 500) break;
  }
  for (let round = 0; round < (options.maxRounds ?? 50); round++) {
    const claimed = await claimCallbackDeliveries(deps.catalog.pool, {
      sources: Object.keys(targets),
      limit: deps.settings.batchSize,
      leaseMs: leaseMsOf(deps.settings),
      worker: deps.settings.worker,
    });
    if (claimed.length === 0) break;
    const results = await Promise.all(claimed.map((claim) => deliverOne(deps, targets[claim.source]!, claim)));
    for (const [index, result] of results.entries()) {
      if (result.delivered) pass.delivered.push(claimed[index]!.receiptId);
      else if (result.retryInMs === undefined) pass.dead += 1;
      else pass.retried += 1;
    }
  }
  return pass;
}

/** POSTs one receipt and records what came of it. */
async function deliverOne(deps: CallbackDeps, target: CallbackTarget, claim: ClaimedCallback): Promise<CallbackAttemptResult> {
  const result = await post(target, claim, deps.settings);
  const outcome: CallbackAttemptResult = result.ok
    ? { delivered: true, url: target.url, status: result.status }
    : {
        delivered: false,
        url: target.url,
        status: result.status,
        error: result.error,
        ...(claim.attempt < deps.settings.attempts ? { retryInMs: callbackRetryDelayMs(claim.attempt, deps.settings.backoff) } : {}),
      };
  const recorded = await recordCallbackAttempt(deps.catalog.pool, claim, outcome);
  const context = { receiptId: claim.receiptId, ingestId: claim.ingestId, source: claim.source, url: target.url, attempt: claim.attempt };
  if (!recorded) deps.logger?.warn(context, 'callback attempt not recorded: the claim lapsed and another worker took the delivery');
  else if (outcome.delivered) deps.logger?.debug(context, 'callback delivered');
  else if (outcome.retryInMs === undefined) deps.logger?.error({ ...context, error: outcome.error }, `callback dead-lettered after ${claim.attempt} attempts: ${outcome.error}`);
  else deps.logger?.warn({ ...context, error: outcome.error, retryInMs: outcome.retryInMs }, `callback failed, will retry: ${outcome.error}`);
  return outcome;
}

type PostResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

async function post(target: CallbackTarget, claim: ClaimedCallback, settings: CallbackSettings): Promise<PostResult> {
  const body = JSON.stringify(claim.receipt);
  const headers = callbackHeaders({ receiptId: claim.receiptId, secret: target.secret, body, attempt: claim.attempt });
  try {
    // Redirects are not followed: a signed receipt goes only where it was configured to go.
    const response = await fetch(target.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(settings.timeoutMs) });
    const text = await readSome(response, 300);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    const hint = response.status >= 300 && response.status < 400 ? ' (redirects are not followed: configure the final URL)' : '';
    return { ok: false, status: response.status, error: `HTTP ${response.status}${hint}${text ? `: ${text}` : ''}` };
  } catch (error) {
    return { ok: false, status: null, error: describeFetchError(error, settings.timeoutMs) };
  }
}

/** The first `max` characters of the answer, without reading a large one whole. */
async function readSome(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < max) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.slice(0, max).replace(/\s+/g, ' ').trim();
}

/** fetch hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, a TLS error): bring it out. */
function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code || cause?.message) return `${cause.code ?? 'Error'}: ${cause.message ?? ''}`.trim();
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
