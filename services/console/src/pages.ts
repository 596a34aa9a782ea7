import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateToken, reviewQueue, searchIngests, timelinessByDepartment } from '@oa-archive/catalog';
import { INGEST_STATUSES, STAGES } from '@oa-archive/contracts';
import { SESSION_COOKIE } from './auth.ts';
import type { ConsoleDeps } from './deps.ts';
import { barChart, html, page, type Html } from './html.ts';
import { issuesOf, searchQuery, timelinessQuery, withoutEmpty } from './params.ts';
import { ingestDetail, overview, reconcilerView } from './queries.ts';
import { safeNextPath } from './safeNext.ts';

const QUEUE_COLOURS = { waiting: '#8fb3de', active: '#2f6fb5', delayed: '#d4a72c', failed: '#b3261e', completed: '#9fc9a8' };
const OUTCOME_COLOURS = { FILED: '#1b7a3a', EXCLUDED: '#8c959f', QUARANTINED: '#6f42c1', REVIEW: '#d4a72c', FAILED: '#b3261e' };
const seconds = (s: number | null) => (s === null ? '—' : s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : s < 172800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86400).toFixed(1)} d`);

function send(reply: FastifyReply, request: FastifyRequest, title: string, body: Html) {
  return reply.type('text/html; charset=utf-8').send(page(title, request.principal, body));
}

export async function registerPages(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  // request.protocol is https over TLS, or when a trusted proxy (CONSOLE_TRUST_PROXY) says so.
  const secureCookie = (request: FastifyRequest) => deps.config.CONSOLE_COOKIE_SECURE === 'always' || request.protocol === 'https';

  app.get<{ Querystring: { next?: string; failed?: string } }>('/login', async (request, reply) =>
    send(
      reply,
      request,
      'Log in',
      html`${request.query.failed ? html`<p class="fail">That token is not valid.</p>` : ''}
        <form method="post" action="/login" class="inline">
          <input type="hidden" name="next" value="${safeNextPath(request.query.next)}" />
          <label>API token <input type="password" name="token" size="50" autocomplete="off" required /></label>
          <button type="submit">Log in</button>
        </form>
        <p class="muted">Create one with <code>pnpm archive token create --name &lt;you&gt; --role viewer|operator|admin</code>.</p>`,
    ),
  );

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
    const lag = Array.isArray(o.consumer.lag) ? o.consumer.lag : [];
    const hours = [...new Set(o.outcomesPerHour.map((r) => r.hour))];
    return send(
      reply,
      request,
      'Overview',
      html`<div class="cards">
          ${INGEST_STATUSES.map((s) => html`<div class="card"><span class="${s}">${s}</span><b data-status="${s}">${o.statuses[s] ?? 0}</b></div>`)}
          <div class="card">intake<b>${lag.some((p) => p.stalledSince) ? html`<span class="fail">stalled</span>` : o.consumer.intake?.paused ? 'paused' : 'consuming'}</b><span class="muted">lag ${lag.reduce((a, p) => a + p.lag, 0)}</span></div>
        </div>
        <h2>Stage queues</h2>
        ${barChart(STAGES.map((s) => ({ label: s, values: o.queues[s] })), QUEUE_COLOURS)}
        <table id="queues"><tr><th>stage</th>${Object.keys(QUEUE_COLOURS).map((k) => html`<th>${k}</th>`)}<th>runs last hour</th><th>last day</th><th>p50 / p95 last day</th></tr>
          ${STAGES.map((s) => {
            const hour = o.stages.lastHour.find((x) => x.stage === s);
            const day = o.stages.lastDay.find((x) => x.stage === s);
            return html`<tr data-stage="${s}"><td>${s}</td>${Object.keys(QUEUE_COLOURS).map((k) => html`<td data-state="${k}">${o.queues[s][k] ?? 0}</td>`)}
              <td>${hour ? `${hour.succeeded} ok, ${hour.failed} failed` : '0'}</td><td>${day ? `${day.succeeded} ok, ${day.failed} failed` : '0'}</td>
              <td>${day ? `${seconds(day.p50Seconds)} / ${seconds(day.p95Seconds)}` : '—'}</td></tr>`;
          })}
        </table>
        <h2>Throughput and latency per stage</h2>
        ${barChart(STAGES.map((s) => ({ label: s, values: { 'last hour': o.stages.lastHour.find((x) => x.stage === s)?.succeeded ?? 0, 'rest of the day': Math.max(0, (o.stages.lastDay.find((x) => x.stage === s)?.succeeded ?? 0) - (o.stages.lastHour.find((x) => x.stage === s)?.succeeded ?? 0)) } })), { 'last hour': '#2f6fb5', 'rest of the day': '#8fb3de' })}
        ${barChart(STAGES.map((s) => ({ label: s, values: { 'p50 ms': Math.round((o.stages.lastDay.find((x) => x.stage === s)?.p50Seconds ?? 0) * 1000), 'p95 − p50 ms': Math.round(Math.max(0, (o.stages.lastDay.find((x) => x.stage === s)?.p95Seconds ?? 0) - (o.stages.lastDay.find((x) => x.stage === s)?.p50Seconds ?? 0)) * 1000) } })), { 'p50 ms': '#1b7a3a', 'p95 − p50 ms': '#9fc9a8' })}
        <h2>Outcomes per hour, last day</h2>
        ${hours.length ? barChart(hours.map((h) => ({ label: h.slice(11, 16), values: Object.fromEntries(o.outcomesPerHour.filter((r) => r.hour === h).map((r) => [r.status, r.count])) })), OUTCOME_COLOURS) : html`<p class="muted">Nothing finished in the last day.</p>`}
        <h2>Failures by stage and reason</h2>
        ${o.failures.length
          ? html`<table><tr><th>stage</th><th>error</th><th>documents</th><th>example</th><th></th></tr>${o.failures.map(
              (f) => html`<tr><td>${f.stage}</td><td>${f.errorClass}</td><td>${f.count}</td><td class="muted">${f.example}</td><td><a href="/ingests?status=FAILED">see them</a></td></tr>`,
            )}</table>`
          : html`<p class="muted">No failed ingests.</p>`}
        <h2>Kafka consumer (${o.consumer.group})</h2>
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
    return send(
      reply,
      request,
      'Ingests',
      html`${parsed.success ? '' : html`<p class="fail">Search not run: ${issuesOf(parsed.error).join('; ')}</p>`}
        <form method="get" class="inline">
          <input name="q" value="${q.q ?? ''}" placeholder="document id, 档号 or title" size="34" />
          <select name="status"><option value="">any status</option>${INGEST_STATUSES.map((s) => html`<option ${s === status ? 'selected' : ''}>${s}</option>`)}</select>
          <input name="department" value="${q.department ?? ''}" placeholder="department" size="8" />
          <label>finalized from <input type="date" name="from" value="${q.from ?? ''}" /></label><label>to <input type="date" name="to" value="${q.to ?? ''}" /></label>
          <button>Search</button></form>
        <table id="ingests"><tr><th>document</th><th>题名</th><th>dept</th><th>status</th><th>档号</th><th>finalized</th><th>why / failure</th></tr>
          ${rows.map(
            (r) => html`<tr><td><a href="/ingests/${r.ingestId}">${r.documentId}</a></td><td>${r.title}</td><td>${r.departmentCode}</td><td class="${r.status}">${r.status}</td>
              <td>${r.referenceCode ?? ''}</td><td>${r.finalizedAt.toISOString().slice(0, 10)}</td><td class="muted">${r.status === 'FAILED' ? `${r.failedStage}: ${r.failureReason}` : r.status === 'FILED' ? '' : (r.explanation ?? '')}</td></tr>`,
          )}</table>`,
    );
  });

  app.get<{ Params: { id: string } }>('/ingests/:id', { config: { role: 'viewer' } }, async (request, reply) => {
    const d = await ingestDetail(deps, request.params.id);
    if (!d) return reply.code(404).type('text/html').send(page('Not found', request.principal, html`<p>No ingest ${request.params.id}.</p>`));
    const i = d.ingest;
    const canReplay = i.status === 'FAILED' && request.principal && request.principal.role !== 'viewer';
    return send(
      reply,
      request,
      `${i.documentId} · ${i.title}`,
      html`<div class="cards"><div class="card">status<b class="${i.status}" id="status">${i.status}</b></div>
          <div class="card">档号<b>${d.classification?.referenceCode ?? '—'}</b></div><div class="card">文种<b>${i.documentType}</b></div>
          <div class="card">department<b>${i.departmentCode}</b></div></div>
        ${i.status === 'FAILED'
          ? html`<p class="fail">Failed at <b>${i.failedStage}</b>: ${i.failureReason} ${i.failureRetryable ? '(a retry may help)' : '(retrying will not help until the cause is fixed)'}</p>
              ${canReplay ? html`<button id="replay-failed" onclick="act('/api/ingests/${i.ingestId}/replay',{from:'failed'})">Replay from ${i.failedStage}</button> <button onclick="act('/api/ingests/${i.ingestId}/replay',{from:'start'})">Replay from the start</button>` : ''}`
          : ''}
        <h2>Decision</h2>
        ${d.classification
          ? html`<p>${d.classification.outcome} ${d.classification.category ?? ''} ${d.classification.retention ?? ''} — ${d.classification.explanation}</p><p class="muted">rules: ${d.classification.ruleIds.join(', ')} · schedule ${d.classification.scheduleVersion}</p>`
          : html`<p class="muted">Not classified yet.</p>`}
        ${d.aip ? html`<p>AIP: <code>s3://${d.aip.bucket}/${d.aip.prefix}/</code> (${d.aip.files} files, BagIt)</p>` : ''}
        <h2>Four properties</h2>
        ${d.validation
          ? html`<table><tr><th>code</th><th>property</th><th>check</th><th>result</th><th>detail</th></tr>${(d.validation.report.items as { code: string; property: string; name: string; result: string; detail: string }[]).map(
              (c) => html`<tr><td>${c.code}</td><td>${c.property}</td><td>${c.name}</td><td class="${c.result === 'fail' ? 'fail' : 'pass'}">${c.result}</td><td>${c.detail}</td></tr>`,
            )}</table>`
          : html`<p class="muted">Not validated yet.</p>`}
        <h2>Components</h2>
        <table><tr><th>#</th><th>role</th><th>file</th><th>format</th><th>size</th><th>SHA-256 / SM3</th><th>preservation copy</th><th>findings</th></tr>
          ${d.components.map(
            (c) => html`<tr><td>${c.ordinal}</td><td>${c.role}</td><td>${c.fileName}</td><td>${c.characterization?.formatName ?? ''} ${c.characterization?.puid ?? ''}</td><td>${c.size ?? ''}</td>
              <td><code>${c.sha256 ?? ''}</code><br /><code>${c.sm3 ?? ''}</code></td><td>${c.preservation ? `${c.preservation.action} → ${c.preservation.formatName}` : ''}</td>
              <td class="muted">${(c.characterization?.findings ?? []).map((f) => `${f.code}: ${f.message}`).join('; ')}</td></tr>`,
          )}</table>
        <h2>Timeline (audit trail)</h2>
        <table><tr><th>#</th><th>time</th><th>event</th><th>actor</th><th>detail</th></tr>
          ${d.audit.map((e) => html`<tr><td>${e.seq}</td><td>${e.at}</td><td>${e.type}</td><td>${e.actor}</td><td class="muted"><code>${JSON.stringify(e.payload).slice(0, 300)}</code></td></tr>`)}</table>`,
    );
  });

  app.get('/review', { config: { role: 'viewer' } }, async (request, reply) => {
    const rows = await reviewQueue(deps.catalog.pool, 500);
    const admin = request.principal?.role === 'admin';
    const categories = [...new Set([deps.schedule.categories.default, ...Object.values(deps.schedule.categories.byMediaKind)])];
    return send(
      reply,
      request,
      `Review queue (${rows.length})`,
      html`<p class="muted">A document waits here after classification (no rule decided), conversion (no preservation copy) or validation (a four-properties check failed).
          Filing it in another class voids its 档号 (作废, recorded) and takes a new one; excluding or quarantining voids it.</p>
        <table id="review"><tr><th>document</th><th>题名</th><th>dept</th><th>waits after</th><th>档号</th><th>why it waits</th>${admin ? html`<th>decision</th>` : ''}</tr>
        ${rows.map(
          (r) => html`<tr data-ingest="${r.ingestId}" data-waits="${r.waitsAt}"><td><a href="/ingests/${r.ingestId}">${r.documentId}</a></td><td>${r.title}</td><td>${r.departmentCode}</td><td>${r.waitsAt}</td><td>${r.referenceCode ?? '—'}</td><td>${r.why}</td>
            ${admin
              ? html`<td><form class="inline" onsubmit="event.preventDefault(); act('/api/review/${r.ingestId}', {action:'file', category:this.category.value, retention:this.retention.value, note:this.note.value})">
                  <select name="category">${categories.map((c) => html`<option>${c}</option>`)}</select>
                  <select name="retention"><option>Y</option><option>D30</option><option>D10</option></select>
                  <input name="note" placeholder="note" size="10" /><button class="file">File</button></form>
                  ${r.waitsAt !== 'classify' && r.classification === 'FILE' ? html`<button class="retry" onclick="const n=prompt('What was fixed? (the ${r.waitsAt} stage runs again)'); if(n!==null) act('/api/review/${r.ingestId}',{action:'retry',note:n})">Retry ${r.waitsAt}</button>` : ''}
                  <button onclick="const n=prompt('Why is it not archived?'); if(n) act('/api/review/${r.ingestId}',{action:'exclude',note:n})">Exclude</button>
                  <button onclick="const n=prompt('Why quarantine?'); if(n) act('/api/review/${r.ingestId}',{action:'quarantine',note:n})">Quarantine</button></td>`
              : ''}</tr>`,
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
    return send(
      reply,
      request,
      'Timeliness by department',
      html`${parsed.success ? '' : html`<p class="fail">Not shown: ${issuesOf(parsed.error).join('; ')}</p>`}
        <form method="get" class="inline"><label>finalized from <input type="date" name="from" value="${request.query.from ?? ''}" /></label>
          <label>to <input type="date" name="to" value="${request.query.to ?? ''}" /></label><button>Show</button> <a href="/api/timeliness?${params.toString()}">export CSV</a></form>
        <table id="timeliness"><tr><th>department</th><th>finalized</th><th>filed</th><th>median delay to filing</th><th>p95 delay</th><th>in review</th><th>failed</th><th>in progress</th></tr>
          ${rows.map((r) => html`<tr><td>${r.department}</td><td>${r.finalized}</td><td>${r.filed}</td><td>${seconds(r.medianDelaySeconds)}</td><td>${seconds(r.p95DelaySeconds)}</td><td>${r.inReview}</td><td>${r.failed}</td><td>${r.inProgress}</td></tr>`)}
        </table>`,
    );
  });
}
