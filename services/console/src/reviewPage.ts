import type { FastifyInstance } from 'fastify';
import { accessRestrictionRecordOf, characterizationsOf, classificationOf, preservationCopiesOf, reviewQueue, validationReportOf, type PredictedReferenceCode, type ReviewItem } from '@oa-archive/catalog';
import { isMessageCode, renderFinding, renderStored } from '@oa-archive/messages';
import { predictFiling, suggestionOf, type RuleSuggestion } from '@oa-archive/pipeline';
import { accessViewOf } from './contentAccess.ts';
import type { ConsoleDeps } from './deps.ts';
import { html, Html, page } from './html.ts';
import { PREVIEW_SCRIPT, previewPlayer, previewSourceOf, unsafeFindingOf } from './preview.ts';
import { viewOf, type View } from './view.ts';

interface CheckItem {
  code: string;
  name: string;
  result: string;
  detail: string;
  blocking?: boolean;
}

/** One waiting document with what a person needs to decide: why it waits, what the rule says, its files and their previews. */
async function waitingDocument(deps: ConsoleDeps, item: ReviewItem, role: Parameters<typeof accessViewOf>[1]) {
  const pool = deps.catalog.pool;
  const [classification, validation, characterizations, components, copies, restriction] = await Promise.all([
    classificationOf(pool, item.ingestId),
    item.waitsAt === 'validate' ? validationReportOf(pool, item.ingestId) : Promise.resolve(undefined),
    characterizationsOf(pool, item.ingestId),
    deps.catalog.listComponents(item.ingestId),
    preservationCopiesOf(pool, item.ingestId),
    accessRestrictionRecordOf(pool, item.ingestId),
  ]);
  const suggestion = suggestionOf(classification, deps.schedule);
  const failedChecks = ((validation?.report.items ?? []) as CheckItem[]).filter((c) => c.result === 'fail' && c.blocking !== false);
  const findings = characterizations.flatMap((c) => ((c.findings ?? []) as { code: string; severity: string; message: string; params?: Record<string, string | number> }[]).filter((f) => f.severity !== 'info').map((f) => ({ ordinal: c.ordinal, ...f })));
  // 限制利用 holds for previews as for downloads: a role below the restriction sees no player.
  const mayOpen = accessViewOf(restriction, role).contentAvailable;
  const previews = components.map((c) => {
    const characterization = characterizations.find((x) => x.ordinal === c.ordinal);
    return { ordinal: c.ordinal, source: mayOpen ? previewSourceOf(c, characterization, copies.find((x) => x.ordinal === c.ordinal), deps.config.S3_STAGING_BUCKET) : undefined, unsafe: unsafeFindingOf(characterization) };
  });
  // The 档号 filing as suggested would take now (provisional; the page refreshes it when the choice changes).
  const predicted: PredictedReferenceCode | { error: string } | undefined = suggestion
    ? await predictFiling(deps, item.ingestId, { action: 'file', category: suggestion.category, retention: suggestion.retention }).catch((error: Error) => ({ error: error.message }))
    : undefined;
  return { item, suggestion, predicted, failedChecks, findings, components, previews };
}
type WaitingDocument = Awaited<ReturnType<typeof waitingDocument>>;

function whyItWaits(v: View, d: WaitingDocument): Html {
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

const predictionText = (v: View, p: WaitingDocument['predicted']) =>
  !p ? v.t('review.prediction.none') : 'error' in p ? v.t('review.prediction.failed', { reason: p.error }) : v.t(`review.prediction.${p.how}`, { referenceCode: p.referenceCode });

/**
 * The file form starts from the rule's suggestion (nothing chosen when there is none) and names the 档号
 * the filing would take; every filing is confirmed, and one that departs from the rule needs a reason.
 */
function decisionCell(v: View, d: WaitingDocument, categories: string[]): Html {
  const { item, suggestion, predicted } = d;
  const suggested = suggestion ? `${v.category(suggestion.category)} · ${v.retention(suggestion.retention)}` : '—';
  return html`<form class="review-file" data-ingest="${item.ingestId}" data-suggested-category="${suggestion?.category ?? ''}" data-suggested-retention="${suggestion?.retention ?? ''}"
        data-need-choice="${v.t('review.needChoice')}" data-need-reason="${v.t('review.needReason', { chosen: '%CHOSEN%', suggested })}" data-need-reason-no-rule="${v.t('review.needReasonNoRule')}"
        data-confirm="${v.t('review.confirmFile', { chosen: '%CHOSEN%' })}" data-confirm-differs="${v.t('review.confirmDiffers', { chosen: '%CHOSEN%', suggested, reason: '%REASON%' })}"
        data-predict-none="${v.t('review.prediction.none')}" data-predict-failed="${v.t('review.prediction.failed', { reason: '%REASON%' })}" data-filed="${v.t('review.filedAs', { referenceCode: '%CODE%' })}"
        onsubmit="event.preventDefault(); reviewFile(this)">
      <select name="category" aria-label="${v.t('review.category')}" onchange="predict(this.form)"><option value="">${v.t('review.chooseCategory')}</option>${categories.map((c) => html`<option value="${c}" data-label="${v.category(c)}"${c === suggestion?.category ? html` selected` : ''}>${v.category(c)}</option>`)}</select>
      <select name="retention" aria-label="${v.t('review.retention')}" onchange="predict(this.form)"><option value="">${v.t('review.chooseRetention')}</option>${(['Y', 'D30', 'D10'] as const).map((r) => html`<option value="${r}" data-label="${v.retention(r)}"${r === suggestion?.retention ? html` selected` : ''}>${v.retention(r)}</option>`)}</select>
      <input name="note" aria-label="${v.t('review.reason')}" placeholder="${v.t('review.reason')}" size="22" maxlength="500" />
      <button class="file" type="submit">${v.t('review.file')}</button>
      <output class="prediction muted" aria-live="polite"${predicted && !('error' in predicted) ? html` data-reference-code="${predicted.referenceCode}"` : ''}>${predictionText(v, predicted)}</output></form>
    <div class="actions">
    ${item.waitsAt !== 'classify' && item.classification === 'FILE' ? html`<button class="retry" onclick="${`const n=prompt(${JSON.stringify(v.t('review.retryPrompt', { stage: v.label('stage', item.waitsAt) }))}); if(n!==null) act('/api/review/${item.ingestId}',{action:'retry',note:n})`}">${v.t('review.retry', { stage: v.label('stage', item.waitsAt) })}</button>` : ''}
    <button class="exclude" onclick="${`const n=prompt(${JSON.stringify(v.t('review.excludePrompt'))}); if(n) act('/api/review/${item.ingestId}',{action:'exclude',note:n})`}">${v.t('review.exclude')}</button>
    <button class="quarantine" onclick="${`const n=prompt(${JSON.stringify(v.t('review.quarantinePrompt'))}); if(n) act('/api/review/${item.ingestId}',{action:'quarantine',note:n})`}">${v.t('review.quarantine')}</button></div>`;
}

/** One decision for the checked rows: an action, a required reason, a confirmation naming the count. */
function bulkBar(v: View): Html {
  return html`<form id="bulk" class="inline" onsubmit="event.preventDefault(); bulkDecide(this)"
      data-none-selected="${v.t('review.bulk.noneSelected')}" data-need-reason="${v.t('review.bulk.needReason')}"
      data-confirm="${v.t('review.bulk.confirm', { count: '%COUNT%', action: '%ACTION%', reason: '%REASON%' })}" data-without="${v.t('review.bulk.withoutSuggestion', { count: '%COUNT%' })}"
      data-settled="${v.t('review.bulk.itemSettled')}" data-refused="${v.t('review.bulk.itemRefused')}">
      <fieldset><legend>${v.t('review.bulk.title')}</legend>
      <select name="action" aria-label="${v.t('review.bulk.action')}"><option value="file-as-suggested">${v.t('review.bulk.fileAsSuggested')}</option><option value="exclude">${v.t('review.exclude')}</option><option value="quarantine">${v.t('review.quarantine')}</option></select>
      <input name="reason" aria-label="${v.t('review.bulk.reason')}" placeholder="${v.t('review.bulk.reason')}" size="30" maxlength="500" required />
      <button type="submit" id="bulk-apply">${v.t('review.bulk.apply')}（<span id="picked">0</span>）</button></fieldset></form>
    <ul id="bulk-result" aria-live="polite"></ul>`;
}

// Client side of the forms: the server enforces the same (reviewApi.ts, the pipeline's reviewPolicy.ts); this asks first and shows the 档号.
const REVIEW_SCRIPT = `<script>
const jsonHeaders={'content-type':'application/json','x-requested-with':'oa-console'};
function say(text){ const box=document.getElementById('msg'); box.hidden=false; box.textContent=text; }
function markSettled(id,text){
  const tr=document.querySelector('#review tr[data-ingest="'+CSS.escape(id)+'"]'); if(!tr) return;
  tr.dataset.settled='true'; tr.querySelectorAll('input,select,button').forEach((e)=>{e.disabled=true;});
  const note=document.createElement('div'); note.className='settled-note pass'; note.textContent=text; tr.lastElementChild.appendChild(note);
}
function chosenLabel(form){ return form.category.selectedOptions[0].dataset.label+' · '+form.retention.selectedOptions[0].dataset.label; }
async function predict(form){
  const d=form.dataset, out=form.querySelector('.prediction'), category=form.category.value, retention=form.retention.value;
  delete out.dataset.referenceCode;
  if(!category||!retention){ out.textContent=d.predictNone; return null; }
  const r=await fetch('/api/review/'+encodeURIComponent(d.ingest)+'/reference-code?'+new URLSearchParams({category,retention}),{headers:{'x-requested-with':'oa-console'}});
  const data=await r.json().catch(()=>({}));
  if(!r.ok){ out.textContent=d.predictFailed.replace('%REASON%',data.error||r.status); return null; }
  out.textContent=data.text; out.dataset.referenceCode=data.referenceCode; return data;
}
async function reviewFile(form){
  const d=form.dataset, category=form.category.value, retention=form.retention.value, note=form.note.value.trim();
  if(!category||!retention){ alert(d.needChoice); return; }
  const differs=!d.suggestedCategory||category!==d.suggestedCategory||retention!==d.suggestedRetention;
  const chosen=chosenLabel(form);
  if(differs&&!note){ alert(d.suggestedCategory?d.needReason.replace('%CHOSEN%',chosen):d.needReasonNoRule); form.note.focus(); return; }
  // Asked afresh: another filing may have taken the number shown when the page was drawn.
  const predicted=await predict(form);
  if(!predicted){ alert(form.querySelector('.prediction').textContent); return; }
  const ask=(differs?d.confirmDiffers.replace('%CHOSEN%',chosen).replace('%REASON%',note):d.confirm.replace('%CHOSEN%',chosen))+'\\n'+predicted.text;
  if(!confirm(ask)) return;
  const r=await fetch('/api/review/'+encodeURIComponent(d.ingest),{method:'POST',headers:jsonHeaders,body:JSON.stringify({action:'file',category,retention,...(note?{note}:{}),confirmed:true})});
  const data=await r.json().catch(()=>({}));
  if(!r.ok){ say(data.error||String(r.status)); return; }
  const text=d.filed.replace('%CODE%',data.referenceCode||'—');
  say(text); markSettled(d.ingest,text);
  form.dataset.settledReferenceCode=data.referenceCode||'';
  // The class's next number moved on: refresh what the other forms of the same class predict.
  document.querySelectorAll('form.review-file').forEach((f)=>{ if(f!==form&&!f.closest('tr').dataset.settled&&f.category.value===category&&f.retention.value===retention) predict(f); });
}
function picked(){ return [...document.querySelectorAll('#review input.pick:checked:not(:disabled)')]; }
function countPicked(){ const n=document.getElementById('picked'); if(n) n.textContent=picked().length; }
function pickAll(box){ document.querySelectorAll('#review input.pick:not(:disabled)').forEach((p)=>{p.checked=box.checked;}); countPicked(); }
async function bulkDecide(form){
  const d=form.dataset, rows=picked(), reason=form.reason.value.trim(), action=form.action.value;
  if(!rows.length){ alert(d.noneSelected); return; }
  if(!reason){ alert(d.needReason); form.reason.focus(); return; }
  let ask=d.confirm.replace('%COUNT%',rows.length).replace('%ACTION%',form.action.selectedOptions[0].textContent).replace('%REASON%',reason);
  const without=rows.filter((p)=>!p.dataset.suggested).length;
  if(action==='file-as-suggested'&&without) ask+='\\n'+d.without.replace('%COUNT%',without);
  if(!confirm(ask)) return;
  const r=await fetch('/api/review/bulk',{method:'POST',headers:jsonHeaders,body:JSON.stringify({action,note:reason,ingestIds:rows.map((p)=>p.value)})});
  const data=await r.json().catch(()=>({}));
  if(!r.ok){ say(data.error||String(r.status)); return; }
  say(data.summary);
  const list=document.getElementById('bulk-result'); list.textContent='';
  for(const item of data.results){
    const li=document.createElement('li'); li.dataset.ingest=item.ingestId; li.dataset.status=item.status;
    const text=item.status==='settled'?d.settled+(item.referenceCode?' '+item.referenceCode:''):d.refused+'：'+item.error;
    li.textContent=item.ingestId+'：'+text; li.className=item.status==='settled'?'pass':'fail'; list.appendChild(li);
    if(item.status==='settled') markSettled(item.ingestId,text);
  }
  countPicked();
}
</script>`;

export function registerReviewPage(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get('/review', { config: { role: 'viewer' } }, async (request, reply) => {
    const v = viewOf(request, deps);
    const role = request.principal!.role;
    const rows = await Promise.all((await reviewQueue(deps.catalog.pool, 200)).map((item) => waitingDocument(deps, item, role)));
    const admin = role === 'admin';
    const categories = [...new Set([deps.schedule.categories.default, ...Object.values(deps.schedule.categories.byMediaKind)])];
    const body = html`<p class="muted">${v.t('review.intro')}</p>
      ${rows.length === 0 ? html`<p class="muted">${v.t('review.empty')}</p>` : ''}
      ${admin && rows.length ? bulkBar(v) : ''}
      <table id="review"><tr>${admin ? html`<th><input type="checkbox" id="pick-all" aria-label="${v.t('review.pickAll')}" onchange="pickAll(this)" /></th>` : ''}<th>${v.t('col.document')} / ${v.t('col.title')}</th><th>${v.t('col.department')}</th><th>${v.t('col.referenceCode')}</th><th>${v.t('review.whyWaits')}</th><th>${v.t('review.suggestion')}</th><th>${v.t('detail.components')}</th>${admin ? html`<th>${v.t('review.decision')}</th>` : ''}</tr>
      ${rows.map(
        (d) => html`<tr data-ingest="${d.item.ingestId}" data-waits="${d.item.waitsAt}">${admin ? html`<td><input type="checkbox" class="pick" value="${d.item.ingestId}" data-suggested="${d.suggestion?.category ?? ''}" aria-label="${v.t('review.pick', { document: d.item.documentId })}" onchange="countPicked()" /></td>` : ''}
          <td><a href="/ingests/${d.item.ingestId}">${d.item.documentId}</a><br />${d.item.title}<div class="muted">${v.t('col.finalized')} ${v.time(d.item.finalizedAt)}</div></td>
          <td>${v.department(d.item.departmentCode)}</td><td>${d.item.referenceCode ?? '—'}</td><td class="waits">${whyItWaits(v, d)}</td><td>${suggestionCell(v, d.suggestion)}</td>
          <td><ol class="components">${d.components.map((c) => html`<li><a href="/ingests/${d.item.ingestId}#component-${c.ordinal}">${c.fileName}</a> <span class="muted">${c.role}</span>
            ${previewPlayer(v, d.item.ingestId, c.ordinal, d.previews.find((p) => p.ordinal === c.ordinal)?.source, d.previews.find((p) => p.ordinal === c.ordinal)?.unsafe)}</li>`)}</ol></td>
          ${admin ? html`<td>${decisionCell(v, d, categories)}</td>` : ''}</tr>`,
      )}</table>${new Html(REVIEW_SCRIPT)}${new Html(PREVIEW_SCRIPT)}`;
    return reply.type('text/html; charset=utf-8').send(page(v.t('review.title', { count: rows.length }), request.principal, body, { locale: v.locale, path: request.url }));
  });
}
