import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createHold, HoldError, holdSelectorsFromText, holdsOf, liftHold, selectorText, type Hold } from '@oa-archive/catalog';
import { isMessageCode, type MessageCode } from '@oa-archive/messages';
import { toCsv } from './csv.ts';
import type { ConsoleDeps } from './deps.ts';
import { html, page, type Html } from './html.ts';
import { localeOf } from './locale.ts';
import { issuesOf } from './params.ts';
import { viewOf, type View } from './view.ts';

/**
 * Holds (冻结) on the console: who placed which hold on what and why, which are lifted; an admin
 * places a hold (naming ingests, 档号 or classes) and lifts one, with a reason. While a hold is on,
 * the items it covers are neither transferred nor destroyed (see the disposition page).
 */

const createBody = z.object({ name: z.string().max(200), reason: z.string().max(2000), items: z.string().max(100_000) });
const liftBody = z.object({ name: z.string().max(200), reason: z.string().max(2000) });

function holdsTable(v: View, holds: Hold[], opts: { id: string; admin: boolean; lifted: boolean }): Html {
  if (holds.length === 0) return html`<p class="muted">${v.t('holds.none')}</p>`;
  const liftForm = (h: Hold) =>
    html`<form class="inline lift" data-name="${h.name}" onsubmit="event.preventDefault();act('/api/holds/lift',{name:event.target.dataset.name,reason:event.target.reason.value})">
      <input name="reason" placeholder="${v.t('holds.liftReason')}" required /><button>${v.t('holds.lift')}</button></form>`;
  return html`<table id="${opts.id}"><tr><th>${v.t('holds.col.name')}</th><th>${v.t('holds.col.reason')}</th><th>${v.t('holds.col.items')}</th><th>${v.t('holds.col.covers')}</th>
      <th>${v.t('holds.col.createdBy')}</th><th>${v.t('holds.col.createdAt')}</th><th>${v.t('holds.col.lifted')}</th></tr>
    ${holds.map(
      (h) => html`<tr data-hold="${h.name}"><td>${h.name}</td><td>${h.reason}</td><td>${h.selectors.map(selectorText).join(', ')}</td><td class="covers">${h.items}</td>
        <td><code>${h.createdBy}</code></td><td>${v.time(h.createdAt)}</td>
        <td>${opts.lifted ? html`${v.time(h.liftedAt)} · <code>${h.liftedBy}</code><div class="muted">${h.liftReason ?? ''}</div>` : opts.admin ? liftForm(h) : ''}</td></tr>`,
    )}</table>`;
}

function refusal(v: View, error: HoldError): string {
  const code = `holds.refused.${error.code}`;
  return v.t('holds.error', { message: isMessageCode(code) ? v.t(code as MessageCode, error.params) : error.message });
}

export function registerHolds(app: FastifyInstance, deps: ConsoleDeps): void {
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Html) =>
    reply.type('text/html; charset=utf-8').send(page(title, request.principal, body, { locale: localeOf(request), path: request.url }));

  app.get('/holds', { config: { role: 'viewer' } }, async (request, reply) => {
    const v = viewOf(request, deps);
    const { t } = v;
    const admin = request.principal?.role === 'admin';
    const all = await holdsOf(deps.catalog.pool);
    const active = all.filter((h) => !h.liftedAt);
    const lifted = all.filter((h) => h.liftedAt);
    return send(
      reply,
      request,
      t('holds.title'),
      html`<p class="muted">${t('holds.intro')}</p>
        <p><a id="holds-csv" href="/holds.csv">${t('holds.csv')}</a></p>
        ${admin
          ? html`<h2>${t('holds.create')}</h2>
            <form id="create-hold" onsubmit="event.preventDefault();const f=event.target;act('/api/holds',{name:f.name.value,reason:f.reason.value,items:f.items.value})">
              <p><label>${t('holds.col.name')} <input name="name" required /></label> <label>${t('holds.col.reason')} <input name="reason" required size="40" /></label></p>
              <p><label>${t('holds.col.items')}<br /><textarea name="items" rows="3" cols="60" placeholder="${t('holds.itemsHint')}" required></textarea></label></p>
              <button>${t('holds.create')}</button></form>`
          : ''}
        <h2>${t('holds.active', { count: active.length })}</h2>
        ${holdsTable(v, active, { id: 'active-holds', admin, lifted: false })}
        <h2>${t('holds.lifted', { count: lifted.length })}</h2>
        ${holdsTable(v, lifted, { id: 'lifted-holds', admin, lifted: true })}`,
    );
  });

  app.get('/holds.csv', { config: { role: 'viewer' } }, async (request, reply) => {
    const v = viewOf(request, deps);
    const rows = (await holdsOf(deps.catalog.pool)).map((h) => ({
      name: h.name,
      reason: h.reason,
      items: h.selectors.map(selectorText).join('; '),
      covers: h.items,
      createdBy: h.createdBy,
      createdAt: v.time(h.createdAt),
      liftedBy: h.liftedBy ?? '',
      liftedAt: h.liftedAt ? v.time(h.liftedAt) : '',
      liftReason: h.liftReason ?? '',
    }));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="holds.csv"')
      .send(toCsv(rows, ['name', 'reason', 'items', 'covers', 'createdBy', 'createdAt', 'liftedBy', 'liftedAt', 'liftReason']));
  });

  app.post('/api/holds', { config: { role: 'admin' } }, async (request, reply) => {
    const parsed = createBody.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: issuesOf(parsed.error).join('; ') });
    try {
      const selectors = await holdSelectorsFromText(deps.catalog.pool, parsed.data.items);
      const hold = await createHold(deps.catalog.pool, { name: parsed.data.name, reason: parsed.data.reason, selectors, actor: `console:${request.principal!.name}` });
      return { name: hold.name, items: hold.items };
    } catch (error) {
      if (!(error instanceof HoldError)) throw error;
      return reply.code(409).send({ error: refusal(viewOf(request, deps), error), code: error.code });
    }
  });

  app.post('/api/holds/lift', { config: { role: 'admin' } }, async (request, reply) => {
    const parsed = liftBody.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: issuesOf(parsed.error).join('; ') });
    try {
      const hold = await liftHold(deps.catalog.pool, { ...parsed.data, actor: `console:${request.principal!.name}` });
      return { name: hold.name, liftedAt: hold.liftedAt };
    } catch (error) {
      if (!(error instanceof HoldError)) throw error;
      return reply.code(409).send({ error: refusal(viewOf(request, deps), error), code: error.code });
    }
  });
}
