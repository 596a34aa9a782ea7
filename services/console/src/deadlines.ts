import type { FastifyInstance } from 'fastify';
import { filingFacts } from '@oa-archive/catalog';
import { filingTimeliness, type DepartmentTimeliness, type OverdueDocument } from '@oa-archive/classify';
import type { ConsoleDeps } from './deps.ts';
import { html, type Html } from './html.ts';
import { issuesOf, timelinessQuery, withoutEmpty } from './params.ts';
import type { View } from './view.ts';

/**
 * Filing deadlines (归档时间节点) on the console: the documents past their deadline and not filed, per
 * department and one by one, judged now against the retention schedule's `filing` section. The
 * same list is the API's /api/timeliness/overdue and the metric oa_archive_filing_overdue.
 *
 * Notifying the OA of an overdue document is left to the receipt callbacks (packages/pipeline/src/
 * callbacks): a callback consumer reads /api/timeliness/overdue, or a scheduled job turns each newly
 * overdue ingest into a notice there. Nothing here sends anything.
 */

/** Every ingest that can be overdue now (not filed, not settled otherwise), judged at `now`. */
export async function overdueNow(deps: Pick<ConsoleDeps, 'catalog' | 'schedule'>, now = new Date()): Promise<{ byDepartment: DepartmentTimeliness[]; overdue: OverdueDocument[] }> {
  return filingTimeliness(deps.schedule.filing, await filingFacts(deps.catalog.pool, { open: true }), now);
}

/** On time, late, overdue and pending per department, for documents finalized in the window. */
export async function deadlinesIn(deps: Pick<ConsoleDeps, 'catalog' | 'schedule'>, window: { from?: Date; to?: Date }, now = new Date()) {
  return filingTimeliness(deps.schedule.filing, await filingFacts(deps.catalog.pool, window), now);
}

const seconds = (ms: number) => ms / 1000;

/** The section of the timeliness page: deadlines per department in the window, and every overdue document. */
export async function deadlineSection(deps: ConsoleDeps, v: View, window: { from?: Date; to?: Date }): Promise<Html> {
  const { t } = v;
  if (!deps.schedule.filing) return html`<h2>${t('timeliness.deadlines')}</h2><p class="muted">${t('timeliness.noDeadlines')}</p>`;
  const now = new Date();
  const [inWindow, open] = await Promise.all([deadlinesIn(deps, window, now), overdueNow(deps, now)]);
  return html`<h2>${t('timeliness.deadlines')}</h2>
    <p class="muted">${t('timeliness.deadlinesIntro')}</p>
    <table id="deadlines"><tr><th>${t('col.department')}</th><th>${t('timeliness.onTime')}</th><th>${t('timeliness.late')}</th><th>${t('timeliness.overdue')}</th><th>${t('timeliness.pending')}</th></tr>
      ${inWindow.byDepartment.map(
        (r) => html`<tr data-department="${r.department}"><td>${v.department(r.department)}</td><td>${r.filedOnTime}</td><td>${r.filedLate}</td><td class="${r.overdue > 0 ? 'fail' : ''}">${r.overdue}</td><td>${r.pending}</td></tr>`,
      )}
    </table>
    <h2>${t('timeliness.overdueList', { count: open.overdue.length })}</h2>
    ${open.overdue.length === 0
      ? html`<p class="muted">${t('timeliness.noOverdue')}</p>`
      : html`<table id="overdue"><tr><th>${t('col.department')}</th><th>${t('col.document')}</th><th>${t('col.title')}</th><th>${t('col.status')}</th><th>${t('timeliness.finalized')}</th><th>${t('timeliness.dueBy')}</th><th>${t('timeliness.overdueBy')}</th><th>${t('timeliness.rule')}</th></tr>
          ${open.overdue.slice(0, 500).map(
            (d) => html`<tr data-ingest="${d.ingestId}"><td>${v.department(d.departmentCode)}</td><td><a href="/ingests/${d.ingestId}">${d.documentId}</a></td><td>${d.title}</td>
              <td class="${d.status}">${v.label('status', d.status)}</td><td>${v.time(d.finalizedAt)}</td><td>${v.time(d.dueBy)}</td><td>${v.duration(seconds(d.overdueMs))}</td><td class="muted"><code>${d.rule}</code></td></tr>`,
          )}</table>`}
    <p class="muted">${v.withCode('timeliness.hook', { api: '/api/timeliness/overdue', metrics: '/metrics', metric: 'oa_archive_filing_overdue' })}</p>`;
}

export function registerDeadlineApi(app: FastifyInstance, deps: ConsoleDeps): void {
  // What a notifier (a callback consumer, a scheduled job) reads: every overdue document now, most overdue first.
  app.get('/api/timeliness/overdue', { config: { role: 'viewer' } }, async () => {
    const { byDepartment, overdue } = await overdueNow(deps);
    return {
      schedule: deps.schedule.version,
      deadlines: deps.schedule.filing ? true : false,
      byDepartment: byDepartment.map(({ department, overdue: count }) => ({ department, overdue: count })).filter((d) => d.overdue > 0),
      overdue: overdue.map((d) => ({ ...d, finalizedAt: d.finalizedAt.toISOString(), dueBy: d.dueBy.toISOString(), completedAt: d.completedAt?.toISOString() ?? null })),
    };
  });

  app.get('/api/timeliness/deadlines', { config: { role: 'viewer' } }, async (request, reply) => {
    const query = timelinessQuery.safeParse(withoutEmpty(request.query as Record<string, unknown>));
    if (!query.success) return reply.code(400).send({ error: 'invalid request', issues: issuesOf(query.error) });
    return { byDepartment: (await deadlinesIn(deps, query.data)).byDepartment };
  });
}
