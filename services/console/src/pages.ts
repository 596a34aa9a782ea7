import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateToken, timelinessByDepartment } from '@oa-archive/catalog';
import { INGEST_STATUSES, STAGES } from '@oa-archive/contracts';
import { isMessageCode } from '@oa-archive/messages';
import { SESSION_COOKIE } from './auth.ts';
import type { ConsoleDeps } from './deps.ts';
import { barChart, html, page, type Html } from './html.ts';
import { issuesOf, timelinessQuery, withoutEmpty } from './params.ts';
import { callbacksView, overview, reconcilerView } from './queries.ts';
import { registerIngestPage } from './ingestPage.ts';
import type { OidcLogin } from './oidc.ts';
import { localeOf } from './locale.ts';
import { registerReviewPage } from './reviewPage.ts';
import { deadlineSection } from './deadlines.ts';
import { safeNextPath } from './safeNext.ts';
import { viewOf } from './view.ts';

const QUEUE_COLOURS = { waiting: '#8fb3de', active: '#2f6fb5', delayed: '#d4a72c', failed: '#b3261e', completed: '#9fc9a8' };
const OUTCOME_COLOURS = { FILED: '#1b7a3a', EXCLUDED: '#8c959f', QUARANTINED: '#6f42c1', REVIEW: '#d4a72c', FAILED: '#b3261e' };

function send(reply: FastifyReply, request: FastifyRequest, title: string, body: Html) {
  return reply.type('text/html; charset=utf-8').send(page(title, request.principal, body, { locale: localeOf(request), path: request.url }));
}

export async function registerPages(app: FastifyInstance, deps: ConsoleDeps, sso?: OidcLogin): Promise<void> {
  // request.protocol is https over TLS, or when a trusted proxy (CONSOLE_TRUST_PROXY) says so.
  const secureCookie = (request: FastifyRequest) => deps.config.CONSOLE_COOKIE_SECURE === 'always' || request.protocol === 'https';

  app.get<{ Querystring: { next?: string; failed?: string } }>('/login', async (request, reply) => {
    const { t } = viewOf(request, deps);
    return send(
      reply,
      request,
      t('login.title'),
      html`${request.query.failed ? html`<p class="fail">${t('login.failed')}</p>` : ''}
        ${sso ? html`<p><a id="sso-login" class="button" href="/auth/oidc/login?next=${encodeURIComponent(safeNextPath(request.query.next))}">${t('sso.login')}</a></p><p class="muted">${t('sso.orToken')}</p>` : ''}
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

  app.get('/logout', async (request, reply) => {
    // An SSO session also ends at the provider (its end_session_endpoint), which sends the browser back to /login.
    const providerLogout = await sso?.end(request, reply);
    return reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookie(request) }).redirect(providerLogout ?? '/login');
  });

  app.get('/', { config: { role: 'viewer' } }, async (request, reply) => {
    const o = await overview(deps);
    const v = viewOf(request, deps);
    const { t } = v;
    const lag = Array.isArray(o.consumer.lag) ? o.consumer.lag : [];
    const hours = [...new Set(o.outcomesPerHour.map((r) => r.hour))];
    // Chart series by name in the reader's language; the queue states keep their codes in data attributes.
    const queueLabel = (state: string) => {
      const key = `overview.queue.${state}`;
      return isMessageCode(key) ? t(key) : state;
    };
    const queueLabelled = <T,>(byState: Record<string, T>) => Object.fromEntries(Object.entries(byState).map(([state, value]) => [queueLabel(state), value]));
    const [lastHour, restOfDay, p50, p95] = [t('overview.chart.lastHour'), t('overview.chart.restOfDay'), t('overview.chart.p50'), t('overview.chart.p95')];
    return send(
      reply,
      request,
      t('overview.title'),
      html`<div class="cards">
          ${INGEST_STATUSES.map((s) => html`<div class="card"><span class="${s}">${v.label('status', s)}</span><b data-status="${s}">${o.statuses[s] ?? 0}</b></div>`)}
          <div class="card">${t('overview.intake')}<b>${lag.some((p) => p.stalledSince) ? html`<span class="fail">${t('overview.stalled')}</span>` : o.consumer.intake?.paused ? t('overview.paused') : t('overview.consuming')}</b><span class="muted">${t('overview.lag', { count: lag.reduce((a, p) => a + p.lag, 0) })}</span></div>
          <div class="card" id="custody">${t('overview.custody')}<b>${o.custody.failed ? html`<span class="fail">${t('overview.custodyFailed', { count: o.custody.failed })}</span>` : t('overview.custodyIntact')}</b><span class="muted">${t('overview.custodyDetail', { overdue: o.custody.overdue, awaiting: o.custody.replication.pending + o.custody.replication.failed })}</span></div>
        </div>
        ${o.custody.failedAips.length
          ? html`<h2>${t('overview.fixityFailures')}</h2><p class="muted">${t('overview.fixityHint')} <code>archive fixity --ingest ID</code></p>
              <table id="fixity-failures"><tr><th>${t('overview.col.ingest')}</th><th>${t('overview.col.prefix')}</th><th>${t('overview.col.copy')}</th><th>${t('overview.col.lastAudit')}</th><th>${t('overview.col.findings')}</th></tr>${o.custody.failedAips.map(
                (a) => html`<tr><td><a href="/ingests/${a.ingestId}">${a.ingestId}</a></td><td><code>${a.prefix}</code></td><td>${a.copy}</td><td>${v.time(a.lastAuditAt)}</td>
                  <td class="muted">${a.findings.slice(0, 5).map((f) => `${f.path}: ${f.problem}`).join('; ')}</td></tr>`,
              )}</table>`
          : ''}
        <h2>${t('overview.stageQueues')}</h2>
        ${barChart(STAGES.map((s) => ({ label: v.label('stage', s), values: queueLabelled(o.queues[s]) })), queueLabelled(QUEUE_COLOURS))}
        <table id="queues"><tr><th>${t('col.stage')}</th>${Object.keys(QUEUE_COLOURS).map((k) => html`<th>${queueLabel(k)}</th>`)}<th>${t('overview.runsLastHour')}</th><th>${t('overview.lastDay')}</th><th>${t('overview.p50p95')}</th></tr>
          ${STAGES.map((s) => {
            const hour = o.stages.lastHour.find((x) => x.stage === s);
            const day = o.stages.lastDay.find((x) => x.stage === s);
            return html`<tr data-stage="${s}"><td>${v.label('stage', s)} <span class="muted code">${s}</span></td>${Object.keys(QUEUE_COLOURS).map((k) => html`<td data-state="${k}">${o.queues[s][k] ?? 0}</td>`)}
              <td>${hour ? t('overview.okFailed', { ok: hour.succeeded, failed: hour.failed }) : '0'}</td><td>${day ? t('overview.okFailed', { ok: day.succeeded, failed: day.failed }) : '0'}</td>
              <td>${day ? `${v.duration(day.p50Seconds)} / ${v.duration(day.p95Seconds)}` : '—'}</td></tr>`;
          })}
        </table>
        <h2>${t('overview.throughput')}</h2>
        ${barChart(STAGES.map((s) => ({ label: v.label('stage', s), values: { [lastHour]: o.stages.lastHour.find((x) => x.stage === s)?.succeeded ?? 0, [restOfDay]: Math.max(0, (o.stages.lastDay.find((x) => x.stage === s)?.succeeded ?? 0) - (o.stages.lastHour.find((x) => x.stage === s)?.succeeded ?? 0)) } })), { [lastHour]: '#2f6fb5', [restOfDay]: '#8fb3de' })}
        ${barChart(STAGES.map((s) => ({ label: v.label('stage', s), values: { [p50]: Math.round((o.stages.lastDay.find((x) => x.stage === s)?.p50Seconds ?? 0) * 1000), [p95]: Math.round(Math.max(0, (o.stages.lastDay.find((x) => x.stage === s)?.p95Seconds ?? 0) - (o.stages.lastDay.find((x) => x.stage === s)?.p50Seconds ?? 0)) * 1000) } })), { [p50]: '#1b7a3a', [p95]: '#9fc9a8' })}
        <h2>${t('overview.outcomesPerHour')}</h2>
        ${hours.length ? barChart(hours.map((h) => ({ label: v.time(h).slice(11, 16), values: Object.fromEntries(o.outcomesPerHour.filter((r) => r.hour === h).map((r) => [r.status, r.count])) })), OUTCOME_COLOURS) : html`<p class="muted">${t('overview.nothingFinished')}</p>`}
        <h2>${t('overview.failures')}</h2>
        ${o.failures.length
          ? html`<table><tr><th>${t('col.stage')}</th><th>${t('overview.error')}</th><th>${t('overview.documents')}</th><th>${t('overview.example')}</th><th></th></tr>${o.failures.map(
              (f) => html`<tr><td>${v.label('stage', f.stage)}</td><td>${v.failure(f.errorClass)}</td><td>${f.count}</td><td class="muted"><code lang="en">${f.example}</code></td><td><a href="/ingests?status=FAILED">${t('overview.seeThem')}</a></td></tr>`,
            )}</table>`
          : html`<p class="muted">${t('overview.noFailures')}</p>`}
        <h2>${consumerHeading(t('overview.consumer', { group: '\u0000' }), o.consumer.group)}</h2>
        ${Array.isArray(o.consumer.lag)
          ? html`<table id="partitions"><tr><th>${t('overview.col.partition')}</th><th>${t('overview.col.committed')}</th><th>${t('overview.col.end')}</th><th>${t('overview.col.lag')}</th><th>${t('overview.col.state')}</th></tr>${lag.map(
              (p) => html`<tr data-partition="${p.partition}"><td>${p.partition}</td><td>${p.committed}</td><td>${p.end}</td><td>${p.lag}</td>
                <td>${p.stalledSince ? html`<span class="fail">${t('overview.stalledSince', { since: v.time(p.stalledSince) })}</span>` : ''}</td></tr>`,
            )}</table>`
          : (o.consumer.lag as { topicMissing: boolean }).topicMissing
            ? html`<p class="muted">${t('overview.topicMissing', { topic: deps.config.KAFKA_TOPIC_FINALIZED })}</p>`
            : html`<p class="fail">${t('overview.consumerUnreadable')} <code lang="en">${(o.consumer.lag as { error: string }).error}</code></p>`}`,
    );
  });

  // /ingests, the search page, is searchPage.ts.
  registerIngestPage(app, deps);

  registerReviewPage(app, deps);

  app.get<{ Querystring: { state?: string; source?: string } }>('/callbacks', { config: { role: 'viewer' } }, async (request, reply) => {
    const state = request.query.state === 'pending' || request.query.state === 'delivered' ? request.query.state : 'dead';
    const source = request.query.source || undefined;
    const { summary, deliveries } = await callbacksView(deps, { state, ...(source ? { source } : {}) });
    const operator = request.principal !== undefined && request.principal.role !== 'viewer';
    const admin = request.principal?.role === 'admin';
    const v = viewOf(request, deps);
    const { t } = v;
    return send(
      reply,
      request,
      t('callbacks.title'),
      html`<p class="muted">${t('callbacks.intro')}</p>
        <table id="callback-summary"><tr><th>${t('callbacks.col.source')}</th><th>${t('callbacks.col.pending')}</th><th>${t('callbacks.col.delivered')}</th><th>${t('callbacks.col.dead')}</th><th>${t('callbacks.col.oldestPending')}</th><th>${t('callbacks.col.whyPending')}</th></tr>
          ${summary.map(
            (r) => html`<tr data-source="${r.source}"><td>${r.source}</td><td><a href="/callbacks?state=pending&source=${encodeURIComponent(r.source)}">${r.pending}</a></td><td>${r.delivered}</td>
              <td><a href="/callbacks?state=dead&source=${encodeURIComponent(r.source)}" class="${r.dead ? 'fail' : ''}">${r.dead}</a></td><td>${v.time(r.oldestPending)}</td><td class="muted">${r.lastError ?? ''}</td></tr>`,
          )}</table>
        <h2>${t(`callbacks.state.${state}`)}${source ? ` · ${source}` : ''} (${deliveries.length})</h2>
        <p><a href="/callbacks?state=dead">${t('callbacks.state.dead')}</a> · <a href="/callbacks?state=pending">${t('callbacks.state.pending')}</a> · <a href="/callbacks?state=delivered">${t('callbacks.state.delivered')}</a>
          ${admin && state === 'dead' && deliveries.length
            ? html` · <button id="redrive-all" onclick="if(confirm(${JSON.stringify(source ? t('callbacks.confirmRedriveOf', { source }) : t('callbacks.confirmRedrive'))})) act('/api/callbacks/redrive',${JSON.stringify(source ? { source } : {})})">${source ? t('callbacks.redriveAllOf', { source }) : t('callbacks.redriveAll')}</button>`
            : ''}</p>
        <table id="callback-deliveries"><tr><th>#</th><th>${t('col.document')}</th><th>${t('detail.cb.receipt')}</th><th>${t('detail.cb.outcome')}</th><th>${t('callbacks.col.source')}</th><th>${t('detail.cb.attempts')}</th><th>${t('callbacks.col.lastAttempt')}</th><th>${t('callbacks.col.lastError')}</th><th>URL</th>${operator && state === 'dead' ? html`<th></th>` : ''}</tr>
          ${deliveries.map(
            (d) => html`<tr data-delivery="${d.id}"><td>${d.id}</td><td><a href="/ingests/${d.ingestId}">${d.documentId}</a></td><td><code>${d.receiptId}</code></td><td class="${d.outcome}">${v.label('status', d.outcome)}</td><td>${d.source}</td>
              <td>${d.attempts}${d.redrives ? t('callbacks.redriven', { count: d.redrives }) : ''}</td><td>${v.time(d.lastAttemptAt)}</td><td class="muted">${d.lastError ?? ''}</td><td><code>${d.url}</code></td>
              ${operator && state === 'dead' ? html`<td><button class="redrive" onclick="act('/api/callbacks/${d.id}/redrive',{})">${t('callbacks.redrive')}</button></td>` : ''}</tr>`,
          )}</table>`,
    );
  });

  app.get('/reconciler', { config: { role: 'viewer' } }, async (request, reply) => {
    const { actions, receipts } = await reconcilerView(deps);
    const v = viewOf(request, deps);
    const { t } = v;
    return send(
      reply,
      request,
      t('reconciler.title'),
      html`<p class="muted">${t('reconciler.intro')}</p>
        <div class="cards"><div class="card">${t('reconciler.receiptsPending')}<b id="receipts-pending">${receipts.pending}</b>
          <span class="muted">${receipts.oldest ? t('reconciler.oldestSince', { since: v.time(receipts.oldest) }) : t('reconciler.none')}${receipts.lastError ? ` · ${receipts.lastError}` : ''}</span></div></div>
        ${actions.length
          ? html`<table id="recoveries"><tr><th>#</th><th>${t('col.time')}</th><th>${t('col.document')}</th><th>${t('col.stage')}</th><th>${t('reconciler.col.action')}</th><th>${t('reconciler.col.jobWas')}</th><th>${t('reconciler.col.reason')}</th><th>${t('reconciler.col.by')}</th><th>${t('reconciler.col.statusNow')}</th></tr>
              ${actions.map(
                (a) => html`<tr data-action="${a.action}"><td>${a.seq}</td><td>${v.time(a.at)}</td><td>${a.ingestId ? html`<a href="/ingests/${a.ingestId}">${a.documentId ?? a.ingestId}</a>` : ''}</td><td>${v.label('stage', a.stage)}</td>
                  <td><code>${a.action}</code></td><td><code>${a.jobState ?? ''}</code></td><td class="muted">${a.reason}</td><td><code>${a.actor}</code></td><td class="${a.status ?? ''}">${v.label('status', a.status)}</td></tr>`,
              )}</table>`
          : html`<p class="muted">${t('reconciler.nothing')}</p>`}`,
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

/** The consumer group is an id: shown as code inside the translated heading. */
function consumerHeading(template: string, group: string): Html {
  const [before = '', after = ''] = template.split('\u0000');
  return html`${before}<code>${group}</code>${after}`;
}
