import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateToken, searchIngests, timelinessByDepartment } from '@oa-archive/catalog';
import { INGEST_STATUSES, STAGES } from '@oa-archive/contracts';
import { SESSION_COOKIE } from './auth.ts';
import type { ConsoleDeps } from './deps.ts';
import { barChart, html, page, type Html } from './html.ts';
import { issuesOf, searchQuery, timelinessQuery, withoutEmpty } from './params.ts';
import { callbacksView, overview, reconcilerView } from './queries.ts';
import { registerIngestPage } from './ingestPage.ts';
import { localeOf } from './locale.ts';
import { registerReviewPage } from './reviewPage.ts';
import { deadlineSection } from './deadlines.ts';
import { safeNextPath } from './safeNext.ts';
import { departmentNamesOf, viewOf } from './view.ts';

const QUEUE_COLOURS = { waiting: '#8fb3de', active: '#2f6fb5', delayed: '#d4a72c', failed: '#b3261e', completed: '#9fc9a8' };
const OUTCOME_COLOURS = { FILED: '#1b7a3a', EXCLUDED: '#8c959f', QUARANTINED: '#6f42c1', REVIEW: '#d4a72c', FAILED: '#b3261e' };

function send(reply: FastifyReply, request: FastifyRequest, title: string, body: Html) {
  return reply.type('text/html; charset=utf-8').send(page(title, request.principal, body, { locale: localeOf(request), path: request.url }));
}

export async function registerPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  // request.protocol is https over TLS, or when a trusted proxy (CONSOLE_TRUST_PROXY) says so.
  const secureCookie = (request: FastifyRequest) => deps.config.CONSOLE_COOKIE_SECURE === 'always' || request.protocol === 'https';

  app.get<{ Querystring: { next?: string; failed?: string } }>('/login', async (request, reply) => {
    const { t } = viewOf(request, deps);
    return send(
      reply,
      request,
      t('login.title'),
      html`${request.query.failed ? html`<p class="fail">${t('login.failed')}</p>` : ''}
        <form method="post" action="/login" class="inline">
          <input type="hidden" name="next" value="${safeNextPath(request.query.next)}" />
          <label>${t('login.token')} <input type="password" name="token" size="50" autocomplete="off" required /></label>
          <button type="submit">${t('login.submit')}</button>
        </form>
        <p class="muted">${t('login.hint')} <code>pnpm archive token create --name &lt;you&gt; --role viewer|operator|admin</code></p>`,
    );
  });

  app.post<{ Body: { token?: string; next?: string } }>('/login', async (request, reply) => {
    const token = request.body?.token?.trim() ?? '';
    const principal = token ? await authenticateToken(deps.catalog.pool, token) : undefined;
    // Only local paths: the login form must not become an open redirect.
    const next = safeNextPath(request.body?.next);
    if (!principal) {
      request.log.warn({ reason: 'bad token at login' }, 'access denied (login)');
      return reply.redirect(`/login?failed=1&next=${encodeURIComponent(next)}`);
    }
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookie(request) });
    return reply.redirect(next);
  });

  app.get('/logout', async (request, reply) => reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookie(request) }).redirect('/login'));

  app.get('/', { config: { role: 'viewer' } }, async (request, reply) => {
    const o = await overview(deps);
    const v = viewOf(request, deps);
    const { t } = v;
    const lag = Array.isArray(o.consumer.lag) ? o.consumer.lag : [];
    const hours = [...new Set(o.outcomesPerHour.map((r) => r.hour))];
    return send(
      reply,
      request,
      t('overview.title'),
      html`<div class="cards">
          ${INGEST_STATUSES.map((s) => html`<div class="card"><span class="${s}">${v.label('status', s)}</span><b data-status="${s}">${o.statuses[s] ?? 0}</b></div>`)}
          <div class="card">${t('overview.intake')}<b>${lag.some((p) => p.stalledSince) ? html`<span class="fail">${t('overview.stalled')}</span>` : o.consumer.intake?.paused ? t('overview.paused') : t('overview.consuming')}</b><span class="muted">${t('overview.lag', { count: lag.reduce((a, p) => a + p.lag, 0) })}</span></div>
          <div class="card" id="custody">custody<b>${o.custody.failed ? html`<span class="fail">${o.custody.failed} AIP(s) failed fixity</span>` : 'intact'}</b><span class="muted">${o.custody.overdue} overdue · ${o.custody.replication.pending + o.custody.replication.failed} awaiting 2nd copy</span></div>
        </div>
        ${o.custody.failedAips.length
          ? html`<h2>AIPs that failed their fixity audit</h2><p class="muted">See docs/custody.md: what to do on a failure; <code>archive fixity --ingest ID</code> audits again.</p>
              <table id="fixity-failures"><tr><th>ingest</th><th>prefix</th><th>copy</th><th>last audit</th><th>findings</th></tr>${o.custody.failedAips.map(
                (a) => html`<tr><td><a href="/ingests/${a.ingestId}">${a.ingestId}</a></td><td>${a.prefix}</td><td>${a.copy}</td><td>${a.lastAuditAt.toISOString()}</td>
                  <td class="muted">${a.findings.slice(0, 5).map((f) => `${f.path}: ${f.problem}`).join('; ')}</td></tr>`,
              )}</table>`
          : ''}
        <h2>${t('overview.stageQueues')}</h2>
        ${barChart(STAGES.map((s) => ({ label: v.label('stage', s), values: o.queues[s] })), QUEUE_COLOURS)}
        <table id="queues"><tr><th>${t('col.stage')}</th>${Object.keys(QUEUE_COLOURS).map((k) => html`<th>${k}</th>`)}<th>${t('overview.runsLastHour')}</th><th>${t('overview.lastDay')}</th><th>${t('overview.p50p95')}</th></tr>
          ${STAGES.map((s) => {
            const hour = o.stages.lastHour.find((x) => x.stage === s);
            const day = o.stages.lastDay.find((x) => x.stage === s);
            return html`<tr data-stage="${s}"><td>${v.label('stage', s)} <span class="muted code">${s}</span></td>${Object.keys(QUEUE_COLOURS).map((k) => html`<td data-state="${k}">${o.queues[s][k] ?? 0}</td>`)}
              <td>${hour ? t('overview.okFailed', { ok: hour.succeeded, failed: hour.failed }) : '0'}</td><td>${day ? t('overview.okFailed', { ok: day.succeeded, failed: day.failed }) : '0'}</td>
              <td>${day ? `${v.duration(day.p50Seconds)} / ${v.duration(day.p95Seconds)}` : '—'}</td></tr>`;
          })}
        </table>
        <h2>${t('overview.throughput')}</h2>
        ${barChart(STAGES.map((s) => ({ label: s, values: { 'last hour': o.stages.lastHour.find((x) => x.stage === s)?.succeeded ?? 0, 'rest of the day': Math.max(0, (o.stages.lastDay.find((x) => x.stage === s)?.succeeded ?? 0) - (o.stages.lastHour.find((x) => x.stage === s)?.succeeded ?? 0)) } })), { 'last hour': '#2f6fb5', 'rest of the day': '#8fb3de' })}
        ${barChart(STAGES.map((s) => ({ label: s, values: { 'p50 ms': Math.round((o.stages.lastDay.find((x) => x.stage === s)?.p50Seconds ?? 0) * 1000), 'p95 − p50 ms': Math.round(Math.max(0, (o.stages.lastDay.find((x) => x.stage === s)?.p95Seconds ?? 0) - (o.stages.lastDay.find((x) => x.stage === s)?.p50Seconds ?? 0)) * 1000) } })), { 'p50 ms': '#1b7a3a', 'p95 − p50 ms': '#9fc9a8' })}
        <h2>${t('overview.outcomesPerHour')}</h2>
        ${hours.length ? barChart(hours.map((h) => ({ label: v.time(h).slice(11, 16), values: Object.fromEntries(o.outcomesPerHour.filter((r) => r.hour === h).map((r) => [r.status, r.count])) })), OUTCOME_COLOURS) : html`<p class="muted">${t('overview.nothingFinished')}</p>`}
        <h2>${t('overview.failures')}</h2>
        ${o.failures.length
          ? html`<table><tr><th>${t('col.stage')}</th><th>${t('overview.error')}</th><th>${t('overview.documents')}</th><th>${t('overview.example')}</th><th></th></tr>${o.failures.map(
              (f) => html`<tr><td>${v.label('stage', f.stage)}</td><td>${f.errorClass}</td><td>${f.count}</td><td class="muted">${f.example}</td><td><a href="/ingests?status=FAILED">${t('overview.seeThem')}</a></td></tr>`,
            )}</table>`
          : html`<p class="muted">${t('overview.noFailures')}</p>`}
        <h2>${t('overview.consumer', { group: o.consumer.group })}</h2>
        ${Array.isArray(o.consumer.lag)
          ? html`<table id="partitions"><tr><th>partition</th><th>committed</th><th>end</th><th>lag</th><th>state</th></tr>${lag.map(
              (p) => html`<tr data-partition="${p.partition}"><td>${p.partition}</td><td>${p.committed}</td><td>${p.end}</td><td>${p.lag}</td>
                <td>${p.stalledSince ? html`<span class="fail">stalled since ${p.stalledSince}</span>` : ''}</td></tr>`,
            )}</table>`
          : html`<p class="fail">Could not read the consumer group: ${(o.consumer.lag as { error: string }).error}</p>`}`,
    );
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/ingests', { config: { role: 'viewer' } }, async (request, reply) => {
    const q = request.query;
    const parsed = searchQuery.safeParse(withoutEmpty(q));
    if (!parsed.success) reply.code(400);
    const status = parsed.success ? parsed.data.status : undefined;
    const rows = parsed.success ? await searchIngests(deps.catalog.pool, parsed.data) : [];
    const v = viewOf(request, deps);
    const { t } = v;
    return send(
      reply,
      request,
      t('ingests.title'),
      html`${parsed.success ? '' : html`<p class="fail">${t('ingests.searchNotRun', { issues: issuesOf(parsed.error).join('; ') })}</p>`}
        <form method="get" class="inline">
          <input name="q" value="${q.q ?? ''}" placeholder="${t('ingests.searchPlaceholder')}" size="34" />
          <select name="status"><option value="">${t('ingests.anyStatus')}</option>${INGEST_STATUSES.map((s) => html`<option value="${s}" ${s === status ? 'selected' : ''}>${v.label('status', s)}</option>`)}</select>
          <select name="department"><option value="">${t('col.department')}</option>${Object.entries(departmentNamesOf(deps)).map(([code, name]) => html`<option value="${code}" ${code === q.department ? 'selected' : ''}>${name}（${code}）</option>`)}</select>
          <label>${t('ingests.finalizedFrom')} <input type="date" name="from" value="${q.from ?? ''}" /></label><label>${t('ingests.to')} <input type="date" name="to" value="${q.to ?? ''}" /></label>
          <button>${t('ingests.search')}</button></form>
        <table id="ingests"><tr><th>${t('col.document')}</th><th>${t('col.title')}</th><th>${t('col.department')}</th><th>${t('col.status')}</th><th>${t('col.referenceCode')}</th><th>${t('col.finalized')}</th><th>${t('col.why')}</th></tr>
          ${rows.map(
            (r) => html`<tr data-status="${r.status}"><td><a href="/ingests/${r.ingestId}">${r.documentId}</a></td><td>${r.title}</td><td>${v.department(r.departmentCode)}</td><td class="${r.status}">${v.label('status', r.status)}</td>
              <td>${r.referenceCode ?? ''}</td><td>${v.time(r.finalizedAt)}</td><td class="muted">${r.status === 'FAILED' ? t('ingests.failedAt', { stage: v.label('stage', r.failedStage), reason: r.failureReason }) : r.status === 'FILED' ? '' : (r.explanation ?? '')}</td></tr>`,
          )}</table>`,
    );
  });

  registerIngestPage(app, deps);

  registerReviewPage(app, deps);

  app.get<{ Querystring: { state?: string; source?: string } }>('/callbacks', { config: { role: 'viewer' } }, async (request, reply) => {
    const state = request.query.state === 'pending' || request.query.state === 'delivered' ? request.query.state : 'dead';
    const source = request.query.source || undefined;
    const { summary, deliveries } = await callbacksView(deps, { state, ...(source ? { source } : {}) });
    const operator = request.principal !== undefined && request.principal.role !== 'viewer';
    const admin = request.principal?.role === 'admin';
    return send(
      reply,
      request,
      'Callbacks to the OA',
      html`<p class="muted">Every receipt of a source with a callback URL (OA_SOURCES) is POSTed to it, signed, and retried with backoff; after the last attempt it is a dead letter,
          kept here with its last error until it is re-driven (audited). Receipts of one document are delivered in order.</p>
        <table id="callback-summary"><tr><th>source</th><th>pending</th><th>delivered</th><th>dead letters</th><th>oldest pending</th><th>why pending ones wait</th></tr>
          ${summary.map(
            (r) => html`<tr data-source="${r.source}"><td>${r.source}</td><td><a href="/callbacks?state=pending&source=${encodeURIComponent(r.source)}">${r.pending}</a></td><td>${r.delivered}</td>
              <td><a href="/callbacks?state=dead&source=${encodeURIComponent(r.source)}" class="${r.dead ? 'fail' : ''}">${r.dead}</a></td><td>${r.oldestPending?.toISOString() ?? '—'}</td><td class="muted">${r.lastError ?? ''}</td></tr>`,
          )}</table>
        <h2>${state === 'dead' ? 'Dead letters' : state === 'pending' ? 'Pending' : 'Delivered'}${source ? ` · ${source}` : ''} (${deliveries.length})</h2>
        <p><a href="/callbacks?state=dead">dead letters</a> · <a href="/callbacks?state=pending">pending</a> · <a href="/callbacks?state=delivered">delivered</a>
          ${admin && state === 'dead' && deliveries.length
            ? html` · <button id="redrive-all" onclick="if(confirm(${JSON.stringify(`Re-drive every dead letter${source ? ` of ${source}` : ''}?`)})) act('/api/callbacks/redrive',${JSON.stringify(source ? { source } : {})})">Re-drive all${source ? ` of ${source}` : ''}</button>`
            : ''}</p>
        <table id="callback-deliveries"><tr><th>#</th><th>document</th><th>receipt</th><th>outcome</th><th>source</th><th>attempts</th><th>last attempt</th><th>last error</th><th>URL</th>${operator && state === 'dead' ? html`<th></th>` : ''}</tr>
          ${deliveries.map(
            (d) => html`<tr data-delivery="${d.id}"><td>${d.id}</td><td><a href="/ingests/${d.ingestId}">${d.documentId}</a></td><td><code>${d.receiptId}</code></td><td class="${d.outcome}">${d.outcome}</td><td>${d.source}</td>
              <td>${d.attempts}${d.redrives ? ` (re-driven ${d.redrives}×)` : ''}</td><td>${d.lastAttemptAt?.toISOString() ?? '—'}</td><td class="muted">${d.lastError ?? ''}</td><td><code>${d.url}</code></td>
              ${operator && state === 'dead' ? html`<td><button class="redrive" onclick="act('/api/callbacks/${d.id}/redrive',{})">Re-drive</button></td>` : ''}</tr>`,
          )}</table>`,
    );
  });

  app.get('/reconciler', { config: { role: 'viewer' } }, async (request, reply) => {
    const { actions, receipts } = await reconcilerView(deps);
    return send(
      reply,
      request,
      'Reconciler',
      html`<p class="muted">Ingests whose stage job was lost (Redis lost its data), failed without being recorded, or ran past its stage's deadline, and what was done:
          put back at their stage (requeued), counted (overdue), or FAILED after too many recoveries. From the audit trail.</p>
        <div class="cards"><div class="card">receipts waiting for Kafka<b id="receipts-pending">${receipts.pending}</b>
          <span class="muted">${receipts.oldest ? `oldest since ${receipts.oldest.toISOString()}` : 'none'}${receipts.lastError ? ` · ${receipts.lastError}` : ''}</span></div></div>
        ${actions.length
          ? html`<table id="recoveries"><tr><th>#</th><th>time</th><th>document</th><th>stage</th><th>action</th><th>job was</th><th>reason</th><th>by</th><th>status now</th></tr>
              ${actions.map(
                (a) => html`<tr data-action="${a.action}"><td>${a.seq}</td><td>${a.at}</td><td>${a.ingestId ? html`<a href="/ingests/${a.ingestId}">${a.documentId ?? a.ingestId}</a>` : ''}</td><td>${a.stage ?? ''}</td>
                  <td>${a.action}</td><td>${a.jobState ?? ''}</td><td class="muted">${a.reason}</td><td>${a.actor}</td><td class="${a.status ?? ''}">${a.status ?? ''}</td></tr>`,
              )}</table>`
          : html`<p class="muted">Nothing to recover lately.</p>`}`,
    );
  });

  app.get<{ Querystring: { from?: string; to?: string } }>('/timeliness', { config: { role: 'viewer' } }, async (request, reply) => {
    const parsed = timelinessQuery.safeParse(withoutEmpty(request.query));
    if (!parsed.success) reply.code(400);
    const rows = parsed.success ? await timelinessByDepartment(deps.catalog.pool, parsed.data) : [];
    const params = new URLSearchParams({ ...(request.query.from ? { from: request.query.from } : {}), ...(request.query.to ? { to: request.query.to } : {}), format: 'csv' });
    const v = viewOf(request, deps);
    const { t } = v;
    return send(
      reply,
      request,
      t('timeliness.title'),
      html`${parsed.success ? '' : html`<p class="fail">${t('timeliness.notShown', { issues: issuesOf(parsed.error).join('; ') })}</p>`}
        <p class="muted">${t('timeliness.intro')}</p>
        <form method="get" class="inline"><label>${t('ingests.finalizedFrom')} <input type="date" name="from" value="${request.query.from ?? ''}" /></label>
          <label>${t('ingests.to')} <input type="date" name="to" value="${request.query.to ?? ''}" /></label><button>${t('timeliness.show')}</button> <a href="/api/timeliness?${params.toString()}">${t('timeliness.export')}</a></form>
        <table id="timeliness"><tr><th>${t('col.department')}</th><th>${t('timeliness.finalized')}</th><th>${t('timeliness.filed')}</th><th>${t('timeliness.median')}</th><th>${t('timeliness.p95')}</th><th>${t('timeliness.inReview')}</th><th>${t('timeliness.failed')}</th><th>${t('timeliness.inProgress')}</th></tr>
          ${rows.map((r) => html`<tr data-department="${r.department}"><td>${v.department(r.department)}</td><td>${r.finalized}</td><td>${r.filed}</td><td data-seconds="${r.medianDelaySeconds ?? ''}">${v.duration(r.medianDelaySeconds)}</td><td data-seconds="${r.p95DelaySeconds ?? ''}">${v.duration(r.p95DelaySeconds)}</td><td>${r.inReview}</td><td>${r.failed}</td><td>${r.inProgress}</td></tr>`)}
        </table>
        ${parsed.success ? await deadlineSection(deps, v, parsed.data) : ''}`,
    );
  });
}
