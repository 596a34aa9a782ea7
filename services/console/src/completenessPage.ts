import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { filingDeadlineOf } from '@oa-archive/classify';
import { checkableSources, CompletenessError, completenessReport, completenessTargetOf, type CompletenessReport } from '@oa-archive/gateway';
import type { ConsoleDeps } from './deps.ts';
import { html, page, type Html } from './html.ts';
import { localeOf } from './locale.ts';
import { date, issuesOf, withoutEmpty } from './params.ts';
import { viewOf, type View } from './view.ts';

/**
 * 应归尽归 on the console: pick a source and a period, and the archive asks that OA (its list endpoint
 * or its middle table, as the gateway's sources file says) what it finalized, and compares. The same
 * check as `pnpm archive reconcile`; read-only, run when asked.
 */

const completenessQuery = z.object({ source: z.string().min(1).max(100), since: date, until: date }).refine((q) => q.since < q.until, { message: 'since must be before until', path: ['until'] });

export async function runCompleteness(deps: ConsoleDeps, query: { source: string; since: Date; until: Date }): Promise<CompletenessReport> {
  const target = await completenessTargetOf(deps.config.GATEWAY_SOURCES_FILE, query.source);
  return completenessReport({
    db: deps.catalog.pool,
    target,
    since: query.since,
    until: query.until,
    deadlineOf: (d) => (d.finalizedAt && d.departmentCode ? filingDeadlineOf(deps.schedule.filing, { finalizedAt: new Date(d.finalizedAt), departmentCode: d.departmentCode, category: null })?.dueBy : undefined),
  });
}

function reportSection(v: View, report: CompletenessReport): Html {
  const { t } = v;
  const c = report.counts;
  const none = html`<p class="muted">${t('completeness.none')}</p>`;
  return html`<p id="summary" data-missing="${c.missing}" data-not-final="${c.notFinal}">${t('completeness.summary', { ...c, listedBy: report.listedBy })}</p>
    <h2>${t('completeness.missing', { count: c.missing })}</h2>
    ${report.missing.length === 0
      ? none
      : html`<table id="missing"><tr><th>document</th><th>version</th><th>题名</th><th>${t('timeliness.finalized')}</th><th>${t('timeliness.dueBy')}</th><th>${t('completeness.why')}</th></tr>
          ${report.missing.map(
            (d) => html`<tr data-document="${d.documentId}"><td>${d.documentId}</td><td>${d.version}</td><td>${d.title ?? ''}</td><td>${d.finalizedAt ? v.time(d.finalizedAt) : ''}</td>
              <td class="${d.overdue ? 'fail' : ''}">${d.dueBy ? v.time(d.dueBy) : ''}${d.overdue ? html` <b>${t('completeness.overdueMark')}</b>` : ''}</td><td class="muted">${d.refused ?? ''}</td></tr>`,
          )}</table>`}
    <h2>${t('completeness.notFinal', { count: c.notFinal })}</h2>
    ${report.notFinal.length === 0
      ? none
      : html`<table id="not-final"><tr><th>document</th><th>version</th><th>status</th></tr>
          ${report.notFinal.map((d) => html`<tr data-document="${d.documentId}"><td>${d.ingestId && d.status !== 'ACCEPTED' ? html`<a href="/ingests/${d.ingestId}">${d.documentId}</a>` : d.documentId}</td><td>${d.version}</td><td class="${d.status}">${v.label('status', d.status)}</td></tr>`)}</table>`}
    ${report.failed.length === 0
      ? ''
      : html`<h2>${t('completeness.failed', { count: c.failed })}</h2><table id="failed"><tr><th>document</th><th>version</th></tr>
          ${report.failed.map((d) => html`<tr><td><a href="/ingests/${d.ingestId}">${d.documentId}</a></td><td>${d.version}</td></tr>`)}</table>`}
    ${report.unlisted.length === 0
      ? ''
      : html`<h2>${t('completeness.unlisted', { count: c.unlisted })}</h2><table id="unlisted"><tr><th>document</th><th>version</th><th>status</th></tr>
          ${report.unlisted.map((d) => html`<tr><td><a href="/ingests/${d.ingestId}">${d.documentId}</a></td><td>${d.version}</td><td class="${d.status}">${v.label('status', d.status)}</td></tr>`)}</table>`}`;
}

export function registerCompleteness(app: FastifyInstance, deps: ConsoleDeps): void {
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Html) =>
    reply.type('text/html; charset=utf-8').send(page(title, request.principal, body, { locale: localeOf(request), path: request.url }));

  app.get<{ Querystring: Record<string, string | undefined> }>('/completeness', { config: { role: 'viewer' } }, async (request, reply) => {
    const v = viewOf(request, deps);
    const { t } = v;
    const sources = await checkableSources(deps.config.GATEWAY_SOURCES_FILE).catch(() => [] as string[]);
    const q = request.query;
    const asked = Boolean(q.source);
    const parsed = completenessQuery.safeParse(withoutEmpty(q));
    let result: Html = html``;
    if (asked && !parsed.success) {
      reply.code(400);
      result = html`<p class="fail">${t('completeness.error', { message: issuesOf(parsed.error).join('; ') })}</p>`;
    } else if (parsed.success) {
      try {
        result = reportSection(v, await runCompleteness(deps, parsed.data));
      } catch (error) {
        if (!(error instanceof CompletenessError)) throw error;
        reply.code(502);
        result = html`<p class="fail">${t('completeness.error', { message: error.message })}</p>`;
      }
    }
    return send(
      reply,
      request,
      t('completeness.title'),
      html`<p class="muted">${t('completeness.intro')}</p>
        ${sources.length === 0
          ? html`<p class="fail">${t('completeness.noSources')}</p>`
          : html`<form method="get" class="inline">
              <label>${t('completeness.source')} <select name="source">${sources.map((s) => html`<option ${s === q.source ? 'selected' : ''}>${s}</option>`)}</select></label>
              <label>${t('completeness.since')} <input type="date" name="since" value="${q.since ?? ''}" required /></label>
              <label>${t('completeness.until')} <input type="date" name="until" value="${q.until ?? ''}" required /></label>
              <button>${t('completeness.run')}</button></form>`}
        ${result}`,
    );
  });

  app.get('/api/completeness', { config: { role: 'viewer' } }, async (request, reply) => {
    const parsed = completenessQuery.safeParse(request.query);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid request', issues: issuesOf(parsed.error) });
    try {
      return await runCompleteness(deps, parsed.data);
    } catch (error) {
      if (!(error instanceof CompletenessError)) throw error;
      return reply.code(502).send({ error: error.message });
    }
  });
}
