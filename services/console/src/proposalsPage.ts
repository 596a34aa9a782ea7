import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { proposalDocuments, ruleProposalOf, ruleProposals, type RuleProposalRecord } from '@oa-archive/catalog';
import type { DryRunChange, DryRunResult, Verdict } from '@oa-archive/classify';
import {
  acceptRuleProposal,
  DRY_RUN_DAYS,
  dryRunProposal,
  dryRunProposals,
  effectiveSchedule,
  OperationError,
  rejectRuleProposal,
} from '@oa-archive/pipeline';
import { toCsv } from './csv.ts';
import type { ConsoleDeps } from './deps.ts';
import { html, page, type Html } from './html.ts';
import { localeOf } from './locale.ts';
import { viewOf, type View } from './view.ts';

/**
 * /review/proposals: the rules the review queue proposes (pipeline/scheduleLearning.ts), each with
 * its conditions, outcome, the documents it would have decided and a dry run over the last year;
 * admins accept one into a new schedule version or reject it with a reason, viewers see. Reading
 * changes nothing: the proposals are brought up to date when a review is settled (reviewApi.ts) and
 * when one is accepted.
 */

/** Changes shown on the page per proposal; the CSV has them all. */
const SHOWN_CHANGES = 50;

const decisionBody = z.object({ reason: z.string().trim().max(1000).optional() }).strict();
const rejectBody = z.object({ reason: z.string().trim().min(1, 'say why the rule is rejected').max(1000) }).strict();

function conditions(v: View, p: RuleProposalRecord): Html {
  const b = p.basis as { documentType?: string; issuerRelation?: string; titleTerm?: string; department?: string };
  const parts = [
    b.documentType ? v.t('proposals.cond.documentType', { value: b.documentType }) : '',
    b.issuerRelation ? v.t('proposals.cond.issuerRelation', { value: b.issuerRelation }) : '',
    b.titleTerm ? v.t('proposals.cond.titleMatches', { value: b.titleTerm }) : '',
    b.department ? v.t('proposals.cond.department', { value: v.department(b.department) }) : '',
  ].filter(Boolean);
  return html`<ul class="conditions">${parts.map((c) => html`<li>${c}</li>`)}</ul><code>when: ${JSON.stringify(p.rule.when)}</code>`;
}

function outcome(v: View, p: RuleProposalRecord): string {
  const s = p.settlement as { outcome: 'FILE' | 'EXCLUDE'; category?: string; retention?: string };
  return s.outcome === 'FILE' ? v.t('proposals.outcome.FILE', { category: v.category(s.category), retention: v.retention(s.retention ?? '') }) : v.t('proposals.outcome.EXCLUDE');
}

const verdictText = (v: View, x: Verdict) => [v.label('outcome', x.outcome), v.category(x.category), x.retention ? v.retention(x.retention) : ''].filter(Boolean).join(' · ');

function changesTable(v: View, changes: readonly DryRunChange[]): Html {
  const shown = changes.slice(0, SHOWN_CHANGES);
  return html`<table class="dry-run"><tr><th>${v.t('col.document')}</th><th>${v.t('col.title')}</th><th>${v.t('proposals.from')}</th><th>${v.t('proposals.to')}</th></tr>
    ${shown.map((c) => html`<tr data-ingest="${c.ingestId}"><td><a href="/ingests/${c.ingestId}">${c.documentId}</a></td><td>${c.title}</td><td>${verdictText(v, c.from)} <span class="muted code">${c.from.ruleIds.join(', ')}</span></td><td>${verdictText(v, c.to)} <span class="muted code">${c.to.ruleIds.join(', ')}</span></td></tr>`)}</table>
    ${changes.length > shown.length ? html`<p class="muted">${v.t('proposals.moreRows', { count: changes.length - shown.length })}</p>` : ''}`;
}

async function openSection(v: View, deps: ConsoleDeps, p: RuleProposalRecord, dryRun: DryRunResult, admin: boolean): Promise<Html> {
  const documents = await proposalDocuments(deps.catalog.pool, p.ingestIds);
  return html`<section class="proposal" data-proposal="${p.id}" data-rule="${p.rule.id}">
    <h2>${v.t('proposals.rule', { id: p.rule.id, priority: String(p.rule.priority) })}</h2>
    <p class="muted">${String(p.rule.explain ?? '')}</p>
    <table><tr><th>${v.t('proposals.conditions')}</th><td>${conditions(v, p)}</td></tr><tr><th>${v.t('proposals.outcome')}</th><td class="outcome">${outcome(v, p)}</td></tr></table>
    <h3>${v.t('proposals.decided', { count: documents.length })}</h3>
    <ul class="decided">${documents.map((d) => html`<li data-ingest="${d.ingestId}"><a href="/ingests/${d.ingestId}">${d.documentId}</a> ${d.title} <span class="muted">${v.department(d.departmentCode)} · ${v.time(d.finalizedAt)}</span></li>`)}</ul>
    <h3 class="dry-run-summary" data-changed="${dryRun.changes.length}">${v.t('proposals.dryRun', { days: DRY_RUN_DAYS, documents: dryRun.documents, changed: dryRun.changes.length })}
      · <a href="/review/proposals/${p.id}/dry-run.csv">${v.t('proposals.dryRunCsv')}</a></h3>
    ${changesTable(v, dryRun.changes)}
    ${admin
      ? html`<div class="actions">
          <button class="accept" onclick="${`const r=prompt(${JSON.stringify(v.t('proposals.acceptPrompt'))}); if(r!==null) act('/api/review/proposals/${p.id}/accept', r.trim()?{reason:r.trim()}:{})`}">${v.t('proposals.accept')}</button>
          <button class="reject" onclick="${`const r=prompt(${JSON.stringify(v.t('proposals.rejectPrompt'))}); if(r&&r.trim()) act('/api/review/proposals/${p.id}/reject',{reason:r.trim()})`}">${v.t('proposals.reject')}</button></div>`
      : ''}
  </section>`;
}

function historyTable(v: View, decided: readonly RuleProposalRecord[]): Html {
  if (decided.length === 0) return html``;
  return html`<h2>${v.t('proposals.history')}</h2><table id="decided-proposals"><tr><th>#</th><th>${v.t('proposals.conditions')}</th><th>${v.t('proposals.outcome')}</th><th>${v.t('col.status')}</th><th>${v.t('col.why')}</th></tr>
    ${decided.map(
      (p) => html`<tr data-proposal="${p.id}" class="${p.status}"><td>${p.id}</td><td>${conditions(v, p)}</td><td>${outcome(v, p)}</td>
        <td>${v.t('proposals.decidedBy', { who: p.decidedBy ?? '', when: v.time(p.decidedAt), status: v.t(`proposals.status.${p.status}`) })}${p.acceptedVersion ? html`<br />${v.t('proposals.newVersion', { version: p.acceptedVersion })}` : ''}</td>
        <td>${p.reason ?? ''}</td></tr>`,
    )}</table>`;
}

const dryRunCsv = (v: View, changes: readonly DryRunChange[]) =>
  toCsv(
    changes.map((c) => ({
      ingestId: c.ingestId,
      documentId: c.documentId,
      title: c.title,
      fromOutcome: c.from.outcome,
      fromCategoryName: v.categoryName(c.from.category),
      fromCategory: c.from.category,
      fromRetention: c.from.retention,
      fromRules: c.from.ruleIds.join(' '),
      toOutcome: c.to.outcome,
      toCategoryName: v.categoryName(c.to.category),
      toCategory: c.to.category,
      toRetention: c.to.retention,
      toRules: c.to.ruleIds.join(' '),
    })),
    ['ingestId', 'documentId', 'title', 'fromOutcome', 'fromCategoryName', 'fromCategory', 'fromRetention', 'fromRules', 'toOutcome', 'toCategoryName', 'toCategory', 'toRetention', 'toRules'],
  );

export async function registerProposals(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const root = deps.scheduleFile;
  const learning = { catalog: deps.catalog, root };
  const send = (reply: FastifyReply, request: FastifyRequest, title: string, body: Html) =>
    reply.type('text/html; charset=utf-8').send(page(title, request.principal, body, { locale: localeOf(request), path: request.url }));
  const idOf = (raw: string) => (/^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

  app.get('/review/proposals', { config: { role: 'viewer' } }, async (request, reply) => {
    const v = viewOf(request, deps);
    const open = await ruleProposals(deps.catalog.pool, { status: 'proposed' });
    const [inForce, dryRuns, all] = await Promise.all([effectiveSchedule(deps.catalog.pool, root), dryRunProposals(learning, open), ruleProposals(deps.catalog.pool)]);
    const admin = request.principal?.role === 'admin';
    const sections = await Promise.all(open.map((p, i) => openSection(v, deps, p, dryRuns[i]!, admin)));
    const body = html`<p class="muted">${v.t('proposals.intro')}</p>
      <p id="schedule-in-force" data-version="${inForce.schedule.version}">${v.t('proposals.scheduleInForce', { version: inForce.schedule.version })}</p>
      ${open.length === 0 ? html`<p class="muted">${v.t('proposals.none')}</p>` : sections}
      ${historyTable(v, all.filter((p) => p.status !== 'proposed'))}`;
    return send(reply, request, v.t('proposals.title', { count: open.length }), body);
  });

  app.get<{ Params: { id: string } }>('/review/proposals/:id/dry-run.csv', { config: { role: 'viewer' } }, async (request, reply) => {
    const id = idOf(request.params.id);
    const proposal = id === undefined ? undefined : await ruleProposalOf(deps.catalog.pool, id);
    if (!proposal) return reply.code(404).send({ error: viewOf(request, deps).t('proposals.notFound', { id: request.params.id }) });
    const result = await dryRunProposal(learning, proposal);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="rule-proposal-${proposal.id}-dry-run.csv"`)
      .send(`\uFEFF${dryRunCsv(viewOf(request, deps), result.changes)}`);
  });

  app.get('/api/review/proposals', { config: { role: 'viewer' } }, async () => {
    const all = await ruleProposals(deps.catalog.pool);
    const open = all.filter((p) => p.status === 'proposed');
    const decided = all.filter((p) => p.status !== 'proposed');
    return { scheduleVersion: (await effectiveSchedule(deps.catalog.pool, root)).schedule.version, open, decided };
  });

  app.get<{ Params: { id: string } }>('/api/review/proposals/:id', { config: { role: 'viewer' } }, async (request, reply) => {
    const id = idOf(request.params.id);
    const proposal = id === undefined ? undefined : await ruleProposalOf(deps.catalog.pool, id);
    if (!proposal) return reply.code(404).send({ error: `no rule proposal ${request.params.id}` });
    return { proposal, dryRun: proposal.status === 'proposed' ? await dryRunProposal(learning, proposal) : null };
  });

  app.post<{ Params: { id: string } }>('/api/review/proposals/:id/accept', { config: { role: 'admin' } }, async (request, reply) => {
    const body = decisionBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send({ error: body.error.issues.map((i) => i.message).join('; ') });
    const id = idOf(request.params.id);
    if (id === undefined) return reply.code(404).send({ error: `no rule proposal ${request.params.id}` });
    try {
      const { proposal, version } = await acceptRuleProposal(learning, id, request.principal!.name, body.data.reason || undefined);
      return { proposal, version: { version: version.version, baseVersion: version.baseVersion, createdBy: version.createdBy, createdAt: version.createdAt } };
    } catch (error) {
      if (error instanceof OperationError) return reply.code(/^no rule proposal/.test(error.message) ? 404 : 409).send({ error: error.message });
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>('/api/review/proposals/:id/reject', { config: { role: 'admin' } }, async (request, reply) => {
    const body = rejectBody.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send({ error: body.error.issues.map((i) => i.message).join('; ') });
    const id = idOf(request.params.id);
    if (id === undefined) return reply.code(404).send({ error: `no rule proposal ${request.params.id}` });
    try {
      return { proposal: await rejectRuleProposal(learning, id, request.principal!.name, body.data.reason) };
    } catch (error) {
      if (error instanceof OperationError) return reply.code(/^no rule proposal/.test(error.message) ? 404 : 409).send({ error: error.message });
      throw error;
    }
  });
}
