import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  decideDisposition,
  destructionRegister,
  DISPOSITION_DECISIONS,
  DispositionRefusedError,
  dispositionItems,
  type DispositionItem,
  type DispositionState,
} from '@oa-archive/catalog';
import { formatDate, isMessageCode, type MessageCode } from '@oa-archive/messages';
import { registerCsv, registerPdf } from '@oa-archive/pipeline';
import { toCsv } from './csv.ts';
import type { ConsoleDeps } from './deps.ts';
import { html, page, type Html } from './html.ts';
import { localeOf } from './locale.ts';
import { issuesOf, withoutEmpty } from './params.ts';
import { departmentNamesOf, viewOf, type View } from './view.ts';

/**
 * 到期鉴定 on the console: the items whose retention has run out, as of a day (today by default), each
 * with the decision in force and the holds on it; an admin decides each with a reason. Destruction
 * itself (which removes objects from the store) is `pnpm archive disposition destroy`; the register
 * of what was destroyed is here as CSV and PDF.
 */

const STATES = ['not-due', 'due', 'retained', 'permanent', 'transfer', 'destroy-approved', 'destroyed'] as const satisfies readonly DispositionState[];
/** What the page shows unless asked: what needs a person, and what is decided but not carried out. */
const OPEN_STATES: DispositionState[] = ['due', 'destroy-approved', 'transfer'];

const listQuery = z.object({
  asOf: z.iso.date().optional(),
  state: z.enum([...STATES, 'all', 'open']).default('open'),
});

const decideBody = z.object({
  item: z.string().min(1).max(200),
  decision: z.enum(DISPOSITION_DECISIONS),
  reason: z.string().max(2000),
  extendYears: z.coerce.number().int().optional(),
});

const registerQuery = z.object({ since: z.iso.date().optional(), until: z.iso.date().optional() });

const today = (deps: ConsoleDeps) => formatDate(new Date(), deps.config.AGENCY_TIME_ZONE);

async function itemsFor(deps: ConsoleDeps, query: z.infer<typeof listQuery>) {
  const asOf = query.asOf ?? today(deps);
  const states = query.state === 'all' ? undefined : query.state === 'open' ? OPEN_STATES : [query.state];
  return { asOf, items: await dispositionItems(deps.catalog.pool, { asOf, ...(states ? { states } : {}) }) };
}

const stateLabel = (v: View, state: string) => (isMessageCode(`disposition.state.${state}`) ? v.t(`disposition.state.${state}` as MessageCode) : state);
const decisionLabel = (v: View, decision: string) => (isMessageCode(`disposition.decision.${decision}`) ? v.t(`disposition.decision.${decision}` as MessageCode) : decision);

/** The admin's form for one item: a decision, a reason, the years for a retain. */
function decideForm(v: View, item: DispositionItem): Html {
  const id = `decide-${item.ingestId}`;
  return html`<form class="inline decide" id="${id}" data-item="${item.ingestId}" onsubmit="event.preventDefault();const f=event.target;act('/api/disposition/decide',{item:f.dataset.item,decision:f.decision.value,reason:f.reason.value,...(f.decision.value==='retain'?{extendYears:f.years.value}:{})})">
    <select name="decision">${DISPOSITION_DECISIONS.map((d) => html`<option value="${d}">${decisionLabel(v, d)}</option>`)}</select>
    <input name="years" type="number" min="1" max="100" placeholder="${v.t('disposition.extendYears')}" style="width:7rem" />
    <input name="reason" placeholder="${v.t('disposition.reason')}" required />
    <button>${v.t('disposition.decide')}</button></form>`;
}

function itemsTable(v: View, items: DispositionItem[], admin: boolean): Html {
  if (items.length === 0) return html`<p class="muted">${v.t('disposition.none')}</p>`;
  const decidable = new Set<DispositionState>(['due', 'destroy-approved', 'transfer']);
  return html`<table id="disposition"><tr><th>${v.t('disposition.col.referenceCode')}</th><th>${v.t('disposition.col.title')}</th><th>${v.t('disposition.col.category')}</th><th>${v.t('col.department')}</th><th>${v.t('disposition.col.retention')}</th>
      <th>${v.t('disposition.col.dueOn')}</th><th>${v.t('disposition.col.state')}</th><th>${v.t('disposition.col.decision')}</th><th>${v.t('disposition.col.holds')}</th>${admin ? html`<th>${v.t('disposition.col.action')}</th>` : ''}</tr>
    ${items.map(
      (i) => html`<tr data-item="${i.ingestId}" data-code="${i.referenceCode}" data-state="${i.state}">
        <td><a href="/ingests/${i.ingestId}">${i.referenceCode}</a></td><td>${i.title}</td><td>${v.category(i.category)}</td><td>${v.department(i.departmentCode)}</td><td>${v.retention(i.retention)}</td><td>${i.dueOn ?? ''}</td>
        <td class="state">${stateLabel(v, i.state)}</td>
        <td>${i.decision ? html`${decisionLabel(v, i.decision.decision)}${i.decision.reviewOn ? html` → ${i.decision.reviewOn}` : ''}<div class="muted">${i.decision.reason} · ${i.decision.decidedBy} · ${v.date(i.decision.decidedAt)}</div>` : ''}</td>
        <td class="holds ${i.holds.length ? 'fail' : ''}">${i.holds.join(', ')}</td>
        ${admin ? html`<td>${decidable.has(i.state) ? decideForm(v, i) : ''}</td>` : ''}</tr>`,
    )}</table>`;
}

export function registerDisposition(app: FastifyInstance, deps: ConsoleDeps): void {
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Html) =>
    reply.type('text/html; charset=utf-8').send(page(title, request.principal, body, { locale: localeOf(request), path: request.url }));

  app.get<{ Querystring: Record<string, string | undefined> }>('/disposition', { config: { role: 'viewer' } }, async (request, reply) => {
    const v = viewOf(request, deps);
    const { t } = v;
    const parsed = listQuery.safeParse(withoutEmpty(request.query));
    if (!parsed.success) {
      reply.code(400);
      return send(reply, request, t('disposition.title'), html`<p class="fail">${issuesOf(parsed.error).join('; ')}</p>`);
    }
    const { asOf, items } = await itemsFor(deps, parsed.data);
    // The summary counts over every item that has come up, whatever the filter shows.
    const all = parsed.data.state === 'all' ? items : (await itemsFor(deps, { ...parsed.data, state: 'all' })).items;
    const count = (s: DispositionState) => all.filter((i) => i.state === s).length;
    const query = new URLSearchParams({ asOf, state: parsed.data.state }).toString();
    return send(
      reply,
      request,
      t('disposition.title'),
      html`<p class="muted">${t('disposition.intro')}</p>
        <form method="get" class="inline">
          <label>${t('disposition.asOf')} <input type="date" name="asOf" value="${asOf}" /></label>
          <label>${t('disposition.filter')} <select name="state">
            <option value="open" ${parsed.data.state === 'open' ? 'selected' : ''}>${OPEN_STATES.map((s) => stateLabel(v, s)).join(' / ')}</option>
            ${STATES.map((s) => html`<option value="${s}" ${parsed.data.state === s ? 'selected' : ''}>${stateLabel(v, s)}</option>`)}
            <option value="all" ${parsed.data.state === 'all' ? 'selected' : ''}>${t('disposition.filterAll')}</option></select></label>
          <button>${t('disposition.show')}</button>
          <a id="disposition-csv" href="/disposition.csv?${query}">${t('disposition.csv')}</a></form>
        <p id="summary">${t('disposition.summary', { asOf, due: count('due'), approved: count('destroy-approved'), destroyed: count('destroyed'), held: all.filter((i) => i.holds.length > 0 && i.state !== 'destroyed').length })}</p>
        ${itemsTable(v, items, request.principal?.role === 'admin')}
        <h2>${t('disposition.register')}</h2>
        <p><a id="register-csv" href="/disposition/register.csv">${t('disposition.registerCsv')}</a> · <a id="register-pdf" href="/disposition/register.pdf">${t('disposition.registerPdf')}</a></p>
        <p class="muted">${t('disposition.destroyHint')} <code>pnpm archive disposition destroy</code></p>`,
    );
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/disposition.csv', { config: { role: 'viewer' } }, async (request, reply) => {
    const parsed = listQuery.safeParse(withoutEmpty(request.query));
    if (!parsed.success) return reply.code(400).send({ error: 'invalid request', issues: issuesOf(parsed.error) });
    const v = viewOf(request, deps);
    const { asOf, items } = await itemsFor(deps, parsed.data);
    const rows = items.map((i) => ({
      referenceCode: i.referenceCode,
      title: i.title,
      year: i.year,
      categoryName: v.categoryName(i.category),
      category: i.category,
      departmentName: v.departmentName(i.departmentCode),
      department: i.departmentCode,
      retention: i.retention,
      dueOn: i.dueOn ?? '',
      state: stateLabel(v, i.state),
      decision: i.decision ? decisionLabel(v, i.decision.decision) : '',
      reviewOn: i.decision?.reviewOn ?? '',
      reason: i.decision?.reason ?? '',
      decidedBy: i.decision?.decidedBy ?? '',
      decidedAt: i.decision ? v.time(i.decision.decidedAt) : '',
      holds: i.holds.join('; '),
      ingestId: i.ingestId,
      versions: i.versions.join(' '),
    }));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="disposition-${asOf}.csv"`)
      .send(toCsv(rows, ['referenceCode', 'title', 'year', 'categoryName', 'category', 'departmentName', 'department', 'retention', 'dueOn', 'state', 'decision', 'reviewOn', 'reason', 'decidedBy', 'decidedAt', 'holds', 'ingestId', 'versions']));
  });

  const register = async (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply: FastifyReply, format: 'csv' | 'pdf') => {
    const parsed = registerQuery.safeParse(withoutEmpty(request.query));
    if (!parsed.success) return reply.code(400).send({ error: 'invalid request', issues: issuesOf(parsed.error) });
    const since = parsed.data.since ? new Date(parsed.data.since) : undefined;
    const until = parsed.data.until ? new Date(parsed.data.until) : undefined;
    const records = await destructionRegister(deps.catalog.pool, { ...(since ? { since } : {}), ...(until ? { until } : {}) });
    const options = { locale: localeOf(request), timeZone: deps.config.AGENCY_TIME_ZONE, departmentNames: departmentNamesOf(deps), since, until };
    if (format === 'csv') {
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="destruction-register.csv"').send(registerCsv(records, options));
    }
    return reply.header('content-type', 'application/pdf').header('content-disposition', 'attachment; filename="destruction-register.pdf"').send(await registerPdf(records, options));
  };
  app.get<{ Querystring: Record<string, string | undefined> }>('/disposition/register.csv', { config: { role: 'viewer' } }, (request, reply) => register(request, reply, 'csv'));
  app.get<{ Querystring: Record<string, string | undefined> }>('/disposition/register.pdf', { config: { role: 'viewer' } }, (request, reply) => register(request, reply, 'pdf'));

  app.post('/api/disposition/decide', { config: { role: 'admin' } }, async (request, reply) => {
    const parsed = decideBody.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: issuesOf(parsed.error).join('; ') });
    const { item, decision, reason, extendYears } = parsed.data;
    try {
      // The console decides for today only: a decision on a later day is the CLI's --as-of, for planning and tests.
      const decided = await decideDisposition(deps.catalog.pool, { item, request: { decision, reason, extendYears }, actor: `console:${request.principal!.name}`, asOf: today(deps) });
      return { item: decided.referenceCode, state: decided.state, dueOn: decided.dueOn };
    } catch (error) {
      if (!(error instanceof DispositionRefusedError)) throw error;
      const v = viewOf(request, deps);
      return reply.code(409).send({ error: v.t(`disposition.refused.${error.code}` as MessageCode, error.params), code: error.code });
    }
  });
}
