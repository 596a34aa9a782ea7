import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FIXITY_OVERDUE_AFTER_MS, type FixityFinding } from '@oa-archive/catalog';
import { toCsv } from './csv.ts';
import type { ConsoleDeps } from './deps.ts';
import { html, page, type Html } from './html.ts';
import { localeOf } from './locale.ts';
import type { View } from './view.ts';
import { viewOf } from './view.ts';

/**
 * Custody on the console (docs/custody.md): the latest fixity audit of every AIP, and the state of
 * its second copy, each filterable and exported as CSV. Read-only: audits and replication are the
 * worker's (and `archive fixity`'s).
 */

/** Rows shown at most; the CSV has them all. */
const PAGE_ROWS = 1000;
/** A destroyed AIP has no custody left to show (as custodySummary counts). */
const NOT_DESTROYED = 'NOT EXISTS (SELECT 1 FROM destructions x WHERE c.ingest_id = ANY(x.aips))';

const fixityQuery = z.object({ state: z.enum(['all', 'failed', 'overdue']).default('all') });
const replicationQuery = z.object({ state: z.enum(['all', 'backlog', 'failed']).default('all') });

interface FixityRow {
  ingestId: string;
  prefix: string;
  lastAuditAt: Date | null;
  outcome: 'intact' | 'failed' | null;
  nextAuditAt: Date;
  overdue: boolean;
  objectsChecked: number;
  objectsFailed: number;
  findings: { copy: string; finding: FixityFinding }[];
}

async function fixityRows(deps: ConsoleDeps, state: z.infer<typeof fixityQuery>['state'], limit?: number): Promise<FixityRow[]> {
  const filter = state === 'failed' ? "c.last_audit_outcome = 'failed'" : state === 'overdue' ? 'c.next_audit_at < $1::timestamptz - $2::float8 * interval \'1 millisecond\'' : 'true';
  // The audit of every copy in one round is recorded with the same time: the last round is the rows at last_audit_at.
  const { rows } = await deps.catalog.pool.query(
    `SELECT c.ingest_id, a.prefix, c.last_audit_at, c.last_audit_outcome, c.next_audit_at,
            c.next_audit_at < $1::timestamptz - $2::float8 * interval '1 millisecond' AS overdue,
            coalesce(f.checked, 0) AS checked, coalesce(f.failed, 0) AS failed, coalesce(f.findings, '[]') AS findings
       FROM aip_custody c JOIN aips a ON a.ingest_id = c.ingest_id
       LEFT JOIN LATERAL (
         SELECT sum(objects_checked) AS checked, sum(objects_failed) AS failed,
                jsonb_agg(jsonb_build_object('copy', fa.copy, 'finding', e.finding)) FILTER (WHERE e.finding IS NOT NULL) AS findings
           FROM fixity_audits fa LEFT JOIN LATERAL jsonb_array_elements(fa.findings) AS e(finding) ON true
          WHERE fa.ingest_id = c.ingest_id AND fa.audited_at = c.last_audit_at) f ON true
      WHERE ${NOT_DESTROYED} AND ${filter}
      ORDER BY c.last_audit_outcome = 'failed' DESC NULLS LAST, c.next_audit_at, c.ingest_id
      ${limit ? `LIMIT ${limit}` : ''}`,
    [new Date(), FIXITY_OVERDUE_AFTER_MS],
  );
  return rows.map((r) => ({
    ingestId: r.ingest_id,
    prefix: r.prefix,
    lastAuditAt: r.last_audit_at,
    outcome: r.last_audit_outcome,
    nextAuditAt: r.next_audit_at,
    overdue: r.overdue,
    objectsChecked: Number(r.checked),
    objectsFailed: Number(r.failed),
    findings: r.findings,
  }));
}

interface ReplicationRow {
  ingestId: string;
  prefix: string;
  state: 'pending' | 'replicated' | 'failed';
  replicaBucket: string | null;
  replicatedAt: Date | null;
  verifiedAt: Date | null;
  verifiedOutcome: 'intact' | 'failed' | null;
  attempts: number;
  reason: string | null;
  nextAttemptAt: Date | null;
}

async function replicationRows(deps: ConsoleDeps, state: z.infer<typeof replicationQuery>['state'], limit?: number): Promise<ReplicationRow[]> {
  const filter = state === 'backlog' ? "c.replication_state <> 'replicated'" : state === 'failed' ? "c.replication_state = 'failed'" : 'true';
  // "Last verified": the latest fixity audit of the replica copy, which reads every byte of it back.
  const { rows } = await deps.catalog.pool.query(
    `SELECT c.ingest_id, a.prefix, c.replication_state, c.replica_bucket, c.replicated_at, c.replication_attempts,
            c.replication_reason, c.replication_next_at, v.audited_at AS verified_at, v.outcome AS verified_outcome
       FROM aip_custody c JOIN aips a ON a.ingest_id = c.ingest_id
       LEFT JOIN LATERAL (SELECT audited_at, outcome FROM fixity_audits WHERE ingest_id = c.ingest_id AND copy = 'replica' ORDER BY id DESC LIMIT 1) v ON true
      WHERE ${NOT_DESTROYED} AND ${filter}
      ORDER BY c.replication_state = 'failed' DESC, c.replication_state = 'pending' DESC, c.replication_next_at, c.ingest_id
      ${limit ? `LIMIT ${limit}` : ''}`,
  );
  return rows.map((r) => ({
    ingestId: r.ingest_id,
    prefix: r.prefix,
    state: r.replication_state,
    replicaBucket: r.replica_bucket,
    replicatedAt: r.replicated_at,
    verifiedAt: r.verified_at,
    verifiedOutcome: r.verified_outcome,
    attempts: r.replication_attempts,
    reason: r.replication_reason,
    nextAttemptAt: r.replication_state === 'replicated' ? null : r.replication_next_at,
  }));
}

async function counts(deps: ConsoleDeps) {
  const { rows } = await deps.catalog.pool.query(
    `SELECT count(*) AS enrolled,
            count(*) FILTER (WHERE last_audit_outcome = 'failed') AS failed,
            count(*) FILTER (WHERE next_audit_at < $1::timestamptz - $2::float8 * interval '1 millisecond') AS overdue,
            count(*) FILTER (WHERE last_audit_at IS NULL) AS never,
            count(*) FILTER (WHERE replication_state = 'replicated') AS replicated,
            count(*) FILTER (WHERE replication_state <> 'replicated') AS backlog,
            count(*) FILTER (WHERE replication_state = 'failed') AS replication_failed
       FROM aip_custody c WHERE ${NOT_DESTROYED}`,
    [new Date(), FIXITY_OVERDUE_AFTER_MS],
  );
  const r = rows[0];
  return {
    enrolled: Number(r.enrolled),
    failed: Number(r.failed),
    overdue: Number(r.overdue),
    never: Number(r.never),
    replicated: Number(r.replicated),
    backlog: Number(r.backlog),
    replicationFailed: Number(r.replication_failed),
  };
}

const findingText = (f: { copy: string; finding: FixityFinding }) => `${f.copy}: ${f.finding.path} ${f.finding.problem} (${f.finding.detail})`;
const outcomeText = (v: View, row: FixityRow) => v.t(row.outcome === 'failed' ? 'fixity.outcome.failed' : row.outcome === 'intact' ? 'fixity.outcome.intact' : 'fixity.outcome.never');
const replicationStateText = (v: View, state: ReplicationRow['state']) => v.t(`replication.state.${state}`);

function filterLinks(base: string, current: string, options: [string, string][]): Html {
  return html`<p class="filters">${options.map(([value, label]) => (value === current ? html`<strong>${label}</strong> ` : html`<a href="${base}?state=${value}">${label}</a> `))}</p>`;
}

function fixityTable(v: View, rows: FixityRow[]): Html {
  if (rows.length === 0) return html`<p class="muted">${v.t('fixity.none')}</p>`;
  return html`<table id="fixity"><tr><th>${v.t('fixity.col.aip')}</th><th>${v.t('fixity.col.lastAudit')}</th><th>${v.t('fixity.col.outcome')}</th><th>${v.t('fixity.col.checked')}</th>
      <th>${v.t('fixity.col.failed')}</th><th>${v.t('fixity.col.findings')}</th><th>${v.t('fixity.col.nextAudit')}</th></tr>
    ${rows.map(
      (r) => html`<tr data-aip="${r.ingestId}" data-outcome="${r.outcome ?? 'never'}" data-overdue="${String(r.overdue)}">
        <td><a href="/ingests/${r.ingestId}">${r.ingestId}</a><div class="muted">${r.prefix}</div></td><td>${v.time(r.lastAuditAt)}</td>
        <td class="outcome">${outcomeText(v, r)}</td><td class="checked">${r.objectsChecked}</td><td class="failed">${r.objectsFailed}</td>
        <td class="findings">${r.findings.map((f) => html`<div>${findingText(f)}</div>`)}</td>
        <td>${v.time(r.nextAuditAt)}${r.overdue ? html` <strong class="overdue">${v.t('fixity.overdue')}</strong>` : ''}</td></tr>`,
    )}</table>`;
}

function replicationTable(v: View, rows: ReplicationRow[]): Html {
  if (rows.length === 0) return html`<p class="muted">${v.t('replication.none')}</p>`;
  return html`<table id="replication"><tr><th>${v.t('replication.col.aip')}</th><th>${v.t('replication.col.state')}</th><th>${v.t('replication.col.bucket')}</th>
      <th>${v.t('replication.col.replicatedAt')}</th><th>${v.t('replication.col.verifiedAt')}</th><th>${v.t('replication.col.attempts')}</th>
      <th>${v.t('replication.col.reason')}</th><th>${v.t('replication.col.nextAttempt')}</th></tr>
    ${rows.map(
      (r) => html`<tr data-aip="${r.ingestId}" data-state="${r.state}">
        <td><a href="/ingests/${r.ingestId}">${r.ingestId}</a><div class="muted">${r.prefix}</div></td><td class="state">${replicationStateText(v, r.state)}</td>
        <td>${r.replicaBucket ?? ''}</td><td>${v.time(r.replicatedAt)}</td>
        <td class="verified">${v.time(r.verifiedAt)}${r.verifiedOutcome ? html` (${v.t(r.verifiedOutcome === 'failed' ? 'fixity.outcome.failed' : 'fixity.outcome.intact')})` : ''}</td>
        <td class="attempts">${r.attempts}</td><td class="reason">${r.reason ?? ''}</td><td>${v.time(r.nextAttemptAt)}</td></tr>`,
    )}</table>`;
}

function csvReply(reply: FastifyReply, name: string, body: string) {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(body);
}

export function registerCustodyPages(app: FastifyInstance, deps: ConsoleDeps): void {
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Html) =>
    reply.type('text/html; charset=utf-8').send(page(title, request.principal, body, { locale: localeOf(request), path: request.url }));

  app.get('/custody/fixity', { config: { role: 'viewer' } }, async (request, reply) => {
    const parsed = fixityQuery.safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: 'state must be all, failed or overdue' });
    const v = viewOf(request, deps);
    const { state } = parsed.data;
    const [rows, c] = await Promise.all([fixityRows(deps, state, PAGE_ROWS), counts(deps)]);
    return send(
      reply,
      request,
      v.t('fixity.title'),
      html`<p class="muted">${v.t('fixity.intro')}</p>
        <p id="summary">${v.t('fixity.summary', { enrolled: c.enrolled, failed: c.failed, overdue: c.overdue, never: c.never })}</p>
        ${filterLinks('/custody/fixity', state, [
          ['all', v.t('fixity.filter.all')],
          ['failed', v.t('fixity.filter.failed')],
          ['overdue', v.t('fixity.filter.overdue')],
        ])}
        <p><a id="fixity-csv" href="/custody/fixity.csv?state=${state}">${v.t('fixity.csv')}</a></p>
        ${fixityTable(v, rows)}`,
    );
  });

  app.get('/custody/fixity.csv', { config: { role: 'viewer' } }, async (request, reply) => {
    const parsed = fixityQuery.safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: 'state must be all, failed or overdue' });
    const v = viewOf(request, deps);
    const rows = (await fixityRows(deps, parsed.data.state)).map((r) => ({
      ingestId: r.ingestId,
      prefix: r.prefix,
      lastAuditAt: r.lastAuditAt ? v.time(r.lastAuditAt) : '',
      outcome: r.outcome ?? 'never',
      objectsChecked: r.objectsChecked,
      objectsFailed: r.objectsFailed,
      findings: r.findings.map(findingText).join('; '),
      nextAuditAt: v.time(r.nextAuditAt),
      overdue: r.overdue ? 'yes' : 'no',
    }));
    return csvReply(reply, 'fixity.csv', toCsv(rows, ['ingestId', 'prefix', 'lastAuditAt', 'outcome', 'objectsChecked', 'objectsFailed', 'findings', 'nextAuditAt', 'overdue']));
  });

  app.get('/custody/replication', { config: { role: 'viewer' } }, async (request, reply) => {
    const parsed = replicationQuery.safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: 'state must be all, backlog or failed' });
    const v = viewOf(request, deps);
    const { state } = parsed.data;
    const [rows, c] = await Promise.all([replicationRows(deps, state, PAGE_ROWS), counts(deps)]);
    return send(
      reply,
      request,
      v.t('replication.title'),
      html`<p class="muted">${v.t('replication.intro')}</p>
        <p id="summary">${v.t('replication.summary', { enrolled: c.enrolled, replicated: c.replicated, backlog: c.backlog, failed: c.replicationFailed })}</p>
        ${filterLinks('/custody/replication', state, [
          ['all', v.t('replication.filter.all')],
          ['backlog', v.t('replication.filter.backlog')],
          ['failed', v.t('replication.filter.failed')],
        ])}
        <p><a id="replication-csv" href="/custody/replication.csv?state=${state}">${v.t('replication.csv')}</a></p>
        ${replicationTable(v, rows)}`,
    );
  });

  app.get('/custody/replication.csv', { config: { role: 'viewer' } }, async (request, reply) => {
    const parsed = replicationQuery.safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: 'state must be all, backlog or failed' });
    const v = viewOf(request, deps);
    const rows = (await replicationRows(deps, parsed.data.state)).map((r) => ({
      ingestId: r.ingestId,
      prefix: r.prefix,
      state: r.state,
      replicaBucket: r.replicaBucket ?? '',
      replicatedAt: r.replicatedAt ? v.time(r.replicatedAt) : '',
      verifiedAt: r.verifiedAt ? v.time(r.verifiedAt) : '',
      verifiedOutcome: r.verifiedOutcome ?? '',
      attempts: r.attempts,
      reason: r.reason ?? '',
      nextAttemptAt: r.nextAttemptAt ? v.time(r.nextAttemptAt) : '',
    }));
    return csvReply(reply, 'replication.csv', toCsv(rows, ['ingestId', 'prefix', 'state', 'replicaBucket', 'replicatedAt', 'verifiedAt', 'verifiedOutcome', 'attempts', 'reason', 'nextAttemptAt']));
  });
}
