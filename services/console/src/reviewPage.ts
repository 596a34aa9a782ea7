import type { FastifyInstance } from 'fastify';
import { characterizationsOf, classificationOf, reviewQueue, validationReportOf, type ReviewItem } from '@oa-archive/catalog';
import { isMessageCode, renderFinding, renderStored } from '@oa-archive/messages';
import type { ConsoleDeps } from './deps.ts';
import { html, Html, page } from './html.ts';
import { suggestionOf, type RuleSuggestion } from './reviewPolicy.ts';
import { viewOf, type View } from './view.ts';

interface CheckItem {
  code: string;
  name: string;
  result: string;
  detail: string;
  blocking?: boolean;
}

/** One waiting document with what a person needs to decide: why it waits, what the rule says, its files. */
async function waitingDocument(deps: ConsoleDeps, item: ReviewItem) {
  const pool = deps.catalog.pool;
  const [classification, validation, characterizations, components] = await Promise.all([
    classificationOf(pool, item.ingestId),
    item.waitsAt === 'validate' ? validationReportOf(pool, item.ingestId) : Promise.resolve(undefined),
    characterizationsOf(pool, item.ingestId),
    deps.catalog.listComponents(item.ingestId),
  ]);
  const failedChecks = ((validation?.report.items ?? []) as CheckItem[]).filter((c) => c.result === 'fail' && c.blocking !== false);
  const findings = characterizations.flatMap((c) => ((c.findings ?? []) as { code: string; severity: string; message: string; params?: Record<string, string | number> }[]).filter((f) => f.severity !== 'info').map((f) => ({ ordinal: c.ordinal, ...f })));
  return { item, suggestion: suggestionOf(classification, deps.schedule), failedChecks, findings, components };
}

function whyItWaits(v: View, d: Awaited<ReturnType<typeof waitingDocument>>): Html {
  const key = `review.waitReason.${d.item.waitsAt}`;
  const reason = isMessageCode(key) ? v.t(key) : '';
  return html`<b>${v.label('stage', d.item.waitsAt)}</b>${reason ? `：${reason}` : ''}
    ${d.item.why ? html`<div class="why">${renderStored(d.item.whyMessage ?? {}, d.item.why, v.locale)}</div>` : ''}
    ${d.failedChecks.length ? html`<div class="checks">${v.t('review.failedChecks')}${d.failedChecks.map((c) => html`<span class="fail" data-check="${c.code}">${c.code} ${c.name}</span>${c.detail ? html`<span class="muted">（${c.detail}）</span>` : ''} `)}</div>` : ''}
    ${d.findings.length ? html`<ul class="findings">${d.findings.map((f) => html`<li data-finding="${f.code}">${v.t('component.file')} ${f.ordinal}：${renderFinding(f, v.locale)} <span class="muted code">${f.code}</span></li>`)}</ul>` : ''}`;
}

function suggestionCell(v: View, s: RuleSuggestion | undefined): Html {
  return s
    ? html`<span class="suggestion" data-category="${s.category}" data-retention="${s.retention}" data-rule="${s.ruleId}">${v.t('review.suggested', { category: s.category, retention: v.retention(s.retention), rule: s.ruleId })}</span>`
    : html`<span class="muted">${v.t('review.noSuggestion')}</span>`;
}

/** The file form starts empty: a person chooses; a choice that departs from the rule needs a reason and a confirmation. */
function decisionCell(v: View, d: Awaited<ReturnType<typeof waitingDocument>>, categories: string[]): Html {
  const { item, suggestion } = d;
  const confirmText = v.t('review.confirmDiffers', { chosen: '%CHOSEN%', suggested: suggestion ? v.label('retention', suggestion.retention) : '—', reason: '%REASON%' });
  const needReason = v.t('review.needReason', { chosen: '%CHOSEN%', suggested: suggestion ? v.label('retention', suggestion.retention) : '—' });
  return html`<form class="review-file" data-ingest="${item.ingestId}" data-suggested="${suggestion?.retention ?? ''}" data-need-choice="${v.t('review.needChoice')}"
        data-need-reason="${needReason}" data-confirm="${confirmText}" onsubmit="event.preventDefault(); reviewFile(this)">
      <select name="category"><option value="">${v.t('review.chooseCategory')}</option>${categories.map((c) => html`<option value="${c}">${c}</option>`)}</select>
      <select name="retention"><option value="">${v.t('review.chooseRetention')}</option>${(['Y', 'D30', 'D10'] as const).map((r) => html`<option value="${r}" data-label="${v.label('retention', r)}">${v.retention(r)}</option>`)}</select>
      <input name="note" placeholder="${v.t('review.reason')}" size="22" maxlength="500" />
      <button class="file" type="submit">${v.t('review.file')}</button></form>
    <div class="actions">
    ${item.waitsAt !== 'classify' && item.classification === 'FILE' ? html`<button class="retry" onclick="${`const n=prompt(${JSON.stringify(v.t('review.retryPrompt', { stage: v.label('stage', item.waitsAt) }))}); if(n!==null) act('/api/review/${item.ingestId}',{action:'retry',note:n})`}">${v.t('review.retry', { stage: v.label('stage', item.waitsAt) })}</button>` : ''}
    <button class="exclude" onclick="${`const n=prompt(${JSON.stringify(v.t('review.excludePrompt'))}); if(n) act('/api/review/${item.ingestId}',{action:'exclude',note:n})`}">${v.t('review.exclude')}</button>
    <button class="quarantine" onclick="${`const n=prompt(${JSON.stringify(v.t('review.quarantinePrompt'))}); if(n) act('/api/review/${item.ingestId}',{action:'quarantine',note:n})`}">${v.t('review.quarantine')}</button></div>`;
}

// Client side of the file form: the server enforces the same (api.ts, reviewPolicy.ts); this only asks first.
const REVIEW_SCRIPT = `<script>
function reviewFile(form){
  const d=form.dataset, category=form.category.value, retention=form.retention.value, note=form.note.value.trim();
  if(!category||!retention){ alert(d.needChoice); return; }
  const differs = d.suggested ? retention!==d.suggested : retention==='Y';
  const chosen = form.retention.selectedOptions[0].dataset.label;
  if(differs){
    if(!note){ alert(d.needReason.replace('%CHOSEN%',chosen)); form.note.focus(); return; }
    if(!confirm(d.confirm.replace('%CHOSEN%',chosen).replace('%REASON%',note))) return;
  }
  act('/api/review/'+d.ingest,{action:'file',category,retention,...(note?{note}:{}),...(differs?{confirmed:true}:{})});
}
</script>`;

export function registerReviewPage(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get('/review', { config: { role: 'viewer' } }, async (request, reply) => {
    const v = viewOf(request, deps);
    const rows = await Promise.all((await reviewQueue(deps.catalog.pool, 200)).map((item) => waitingDocument(deps, item)));
    const admin = request.principal?.role === 'admin';
    const categories = [...new Set([deps.schedule.categories.default, ...Object.values(deps.schedule.categories.byMediaKind)])];
    const body = html`<p class="muted">${v.t('review.intro')}</p>
      ${rows.length === 0 ? html`<p class="muted">${v.t('review.empty')}</p>` : ''}
      <table id="review"><tr><th>${v.t('col.document')} / ${v.t('col.title')}</th><th>${v.t('col.department')}</th><th>${v.t('col.referenceCode')}</th><th>${v.t('review.whyWaits')}</th><th>${v.t('review.suggestion')}</th><th>${v.t('detail.components')}</th>${admin ? html`<th>${v.t('review.decision')}</th>` : ''}</tr>
      ${rows.map(
        (d) => html`<tr data-ingest="${d.item.ingestId}" data-waits="${d.item.waitsAt}"><td><a href="/ingests/${d.item.ingestId}">${d.item.documentId}</a><br />${d.item.title}<div class="muted">${v.t('col.finalized')} ${v.time(d.item.finalizedAt)}</div></td>
          <td>${v.department(d.item.departmentCode)}</td><td>${d.item.referenceCode ?? '—'}</td><td class="waits">${whyItWaits(v, d)}</td><td>${suggestionCell(v, d.suggestion)}</td>
          <td><ol class="components">${d.components.map((c) => html`<li><a href="/ingests/${d.item.ingestId}#component-${c.ordinal}">${c.fileName}</a> <span class="muted">${c.role}</span></li>`)}</ol></td>
          ${admin ? html`<td>${decisionCell(v, d, categories)}</td>` : ''}</tr>`,
      )}</table>${new Html(REVIEW_SCRIPT)}`;
    return reply.type('text/html; charset=utf-8').send(page(v.t('review.title', { count: rows.length }), request.principal, body, { locale: v.locale, path: request.url }));
  });
}
