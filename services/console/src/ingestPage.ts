import type { FastifyInstance } from 'fastify';
import { isMessageCode, renderFinding } from '@oa-archive/messages';
import type { ReviewBasis } from '@oa-archive/pipeline';
import type { ConsoleDeps } from './deps.ts';
import { html, Html, page } from './html.ts';
import { accessViewOf, withheldContent } from './contentAccess.ts';
import { PREVIEW_SCRIPT, previewPlayer, previewSourceOf, unsafeFindingOf } from './preview.ts';
import { ingestDetail } from './queries.ts';
import { viewOf, type View } from './view.ts';

interface CheckItem {
  code: string;
  property: string;
  name: string;
  result: string;
  detail: string;
  blocking?: boolean;
}

interface SettlementPayload {
  event?: string;
  decision?: string;
  note?: string;
  basis?: ReviewBasis | null;
  referenceCode?: string | null;
}

/** Every review settlement of this ingest, from its audit trail: who decided what, on which basis (rule id or note). */
function reviewDecisions(v: View, audit: { seq: number; at: Date | string; type: string; actor: string; payload: unknown }[]): Html {
  const settled = audit.filter((e) => {
    const p = e.payload as SettlementPayload | null;
    return (p?.event === 'settle' || p?.event === 'settle-exclude') && typeof p.decision === 'string';
  });
  if (settled.length === 0) return html``;
  const basisText = (p: SettlementPayload) => {
    const basis = p.basis ?? (p.note ? { kind: 'note' as const, note: p.note } : null);
    if (!basis) return v.t('review.basis.none');
    return basis.kind === 'rule' ? v.t('review.basis.rule', { rule: basis.ruleId }) : v.t('review.basis.note', { note: basis.note });
  };
  return html`<h2>${v.t('detail.reviewDecisions')}</h2>
    <table id="review-decisions"><tr><th>${v.t('col.time')}</th><th>${v.t('detail.reviewBy')}</th><th>${v.t('review.decision')}</th><th>${v.t('col.referenceCode')}</th><th>${v.t('review.basis')}</th></tr>
    ${settled.map((e) => {
      const p = e.payload as SettlementPayload;
      const decision = `review.decision.${p.decision}`;
      return html`<tr data-seq="${e.seq}"><td>${v.time(e.at)}</td><td>${e.actor}</td><td>${isMessageCode(decision) ? v.t(decision) : p.decision}</td><td>${p.referenceCode ?? '—'}</td>
        <td class="basis" data-basis="${p.basis?.kind ?? (p.note ? 'note' : 'none')}"${p.basis?.kind === 'rule' ? html` data-rule="${p.basis.ruleId}"` : ''}>${basisText(p)}</td></tr>`;
    })}</table>`;
}

/** One ingest: status, decision, versions, four-properties items, components, callbacks and its audit trail. */
export function registerIngestPage(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get<{ Params: { id: string } }>('/ingests/:id', { config: { role: 'viewer' } }, async (request, reply) => {
    const v = viewOf(request, deps);
    const { t } = v;
    const chrome = { locale: v.locale, path: request.url };
    const d = await ingestDetail(deps, request.params.id);
    if (!d) return reply.code(404).type('text/html; charset=utf-8').send(page(t('page.notFound'), request.principal, html`<p>${t('page.noIngest', { id: request.params.id })}</p>`, chrome));
    const i = d.ingest;
    const canReplay = i.status === 'FAILED' && request.principal && request.principal.role !== 'viewer';
    // 限制利用: metadata for everyone; the content's whereabouts and download only for the role named and above.
    const access = accessViewOf(d.restriction, request.principal!.role);
    const shown = access.contentAvailable ? d : withheldContent(d);
    const failedStage = v.label('stage', i.failedStage);
    const body = html`<div class="cards"><div class="card">${t('detail.status')}<b class="${i.status}" id="status" data-status="${i.status}">${v.label('status', i.status)}</b><span class="muted code">${i.status}</span></div>
          <div class="card">${t('col.referenceCode')}<b>${d.classification?.referenceCode ?? '—'}</b></div><div class="card">${t('detail.documentType')}<b>${i.documentType}</b></div>
          <div class="card">${t('col.department')}<b>${v.department(i.departmentCode)}</b></div><div class="card">${t('col.finalized')}<b>${v.time(i.finalizedAt)}</b></div></div>
        ${access.restricted
          ? html`<p class="fail" id="access" data-access="restricted" data-content="${access.contentAvailable ? 'available' : 'withheld'}"><b>${t('access.restricted')}</b> ${t('access.restrictedNote', { level: access.securityLevel ?? '', role: access.minimumRole ?? '' })}${access.contentAvailable ? '' : html` ${t('access.contentWithheld')}`}</p>`
          : ''}
        ${d.waiting ? html`<p class="muted" id="waiting" data-waiting="${d.waiting.for}">${t('waiting.virusScanner', { since: v.time(d.waiting.since), reason: d.waiting.reason })}</p>` : ''}
        ${i.status === 'FAILED'
          ? html`<p class="fail">${t('detail.failedAt', { stage: failedStage })}${v.failure(i.failureReason)} ${i.failureRetryable ? t('detail.retryMayHelp') : t('detail.retryWontHelp')}</p>
              ${canReplay ? html`<button id="replay-failed" onclick="act('/api/ingests/${i.ingestId}/replay',{from:'failed'})">${t('detail.replayFailed', { stage: failedStage })}</button> <button onclick="act('/api/ingests/${i.ingestId}/replay',{from:'start'})">${t('detail.replayStart')}</button>` : ''}`
          : ''}
        <h2>${t('detail.decision')}</h2>
        ${d.classification
          ? html`<p>${v.label('outcome', d.classification.outcome)} ${v.category(d.classification.category)} ${d.classification.retention ? v.retention(d.classification.retention) : ''} — ${d.classification.explanation}</p>
              <p class="muted">${t('detail.rules', { rules: d.classification.ruleIds.join(', '), version: d.classification.scheduleVersion })}</p>`
          : html`<p class="muted">${t('detail.notClassified')}</p>`}
        ${reviewDecisions(v, d.audit)}
        ${shown.aip ? html`<p>${t('detail.aip')}<code>s3://${shown.aip.bucket}/${shown.aip.prefix}/</code> ${t('detail.aipFiles', { files: shown.aip.files })}</p>` : ''}
        ${d.versions.length > 1
          ? html`<h2>${t('detail.versions')}</h2>
              <table id="versions"><tr><th>#</th><th>${t('col.status')}</th><th>${t('col.referenceCode')}</th><th></th><th>AIP</th><th>${t('detail.decision')}</th></tr>${d.versions.map(
                (x) => html`<tr data-version="${x.version}"${x.ingestId === i.ingestId ? html` class="current"` : ''}><td>${x.ingestId === i.ingestId ? html`<b>v${x.version}</b>` : html`<a href="/ingests/${x.ingestId}">v${x.version}</a>`}</td>
                  <td class="${x.status}">${v.label('status', x.status)}</td><td>${x.classification?.referenceCode ?? '—'}</td>
                  <td>${x.classification?.versionOf ? `v${d.versions.find((y) => y.ingestId === x.classification!.versionOf)?.version ?? '?'}` : ''}</td>
                  <td>${x.aipPrefix ? html`<code>${x.aipPrefix}/</code>` : ''}</td><td class="muted">${x.classification?.explanation ?? ''}</td></tr>`,
              )}</table>`
          : ''}
        <h2>${t('detail.fourProperties')}</h2>
        ${d.validation
          ? html`<table id="checks"><tr><th>${t('check.code')}</th><th>${t('check.property')}</th><th>${t('check.name')}</th><th>${t('check.result')}</th><th>${t('check.detail')}</th></tr>${(d.validation.report.items as CheckItem[]).map(
              (c) => html`<tr data-check="${c.code}"><td>${c.code}</td><td>${c.property}</td><td>${c.name}</td><td class="${c.result === 'fail' || c.result === 'not-checked' ? 'fail' : 'pass'}" data-result="${c.result}">${c.result === 'fail' ? t('check.fail') : c.result === 'pass' ? t('check.pass') : c.result === 'not-applicable' ? t('check.na') : c.result === 'not-checked' ? t('check.notChecked') : c.result}${c.result === 'fail' && c.blocking === false ? t('detail.notBlocking') : ''}</td><td>${c.detail}</td></tr>`,
            )}</table>`
          : html`<p class="muted">${t('detail.notValidated')}</p>`}
        <h2 id="components">${t('detail.components')}</h2>
        <table><tr><th>${t('component.ordinal')}</th><th>${t('component.role')}</th><th>${t('component.file')}</th><th>${t('component.format')}</th><th>${t('component.size')}</th><th>SHA-256 / SM3</th><th>${t('component.preservation')}</th><th>${t('component.findings')}</th></tr>
          ${d.components.map(
            (c) => html`<tr id="component-${c.ordinal}"><td>${c.ordinal}</td><td>${c.role}</td><td>${c.fileName}${access.contentAvailable && c.archiveKey ? html` <a class="download" href="/api/ingests/${i.ingestId}/components/${c.ordinal}/content">${t('access.download')}</a>` : ''}
              ${access.contentAvailable ? previewPlayer(v, i.ingestId, c.ordinal, previewSourceOf(c, c.characterization ?? undefined, c.preservation ?? undefined, deps.config.S3_STAGING_BUCKET), i.status === 'QUARANTINED' ? 'quarantine' : unsafeFindingOf(c.characterization ?? undefined)) : ''}</td><td>${c.characterization?.formatName ?? ''} ${c.characterization?.puid ?? ''}</td><td>${c.size ?? ''}</td>
              <td><code>${c.sha256 ?? ''}</code><br /><code>${c.sm3 ?? ''}</code></td><td>${c.preservation ? `${c.preservation.action} → ${c.preservation.formatName}` : ''}</td>
              <td>${((c.characterization?.findings ?? []) as { code: string; message: string; params?: Record<string, string | number> }[]).map((f) => html`<div data-finding="${f.code}">${renderFinding(f, v.locale)} <span class="muted code">${f.code}</span></div>`)}</td></tr>`,
          )}</table>
        ${d.callbacks.length
          ? html`<h2>${t('detail.callbacks')}</h2><table id="callbacks"><tr><th>${t('detail.cb.receipt')}</th><th>${t('detail.cb.outcome')}</th><th>${t('detail.cb.state')}</th><th>${t('detail.cb.attempts')}</th><th>${t('detail.cb.lastAnswer')}</th><th>URL</th></tr>${d.callbacks.map(
              (c) => html`<tr><td><code>${c.receiptId}</code></td><td class="${c.outcome}">${v.label('status', c.outcome)}</td><td class="${c.state === 'dead' ? 'fail' : c.state === 'delivered' ? 'pass' : ''}" data-state="${c.state}">${isMessageCode(`callbacks.state.${c.state}`) ? t(`callbacks.state.${c.state}` as 'callbacks.state.dead') : c.state}</td><td>${c.attempts}</td>
                <td class="muted">${c.lastError ?? (c.lastStatus ? `HTTP ${c.lastStatus}` : '')}</td><td><code>${c.url}</code></td></tr>`,
            )}</table>`
          : ''}
        <h2>${t('detail.timeline')}</h2>
        <table><tr><th>#</th><th>${t('col.time')}</th><th>${t('col.event')}</th><th>${t('col.actor')}</th><th>${t('col.detail')}</th></tr>
          ${d.audit.map((e) => html`<tr><td>${e.seq}</td><td>${v.time(e.at)}</td><td><code>${e.type}</code></td><td><code>${e.actor}</code></td><td class="muted"><code>${JSON.stringify(e.payload).slice(0, 300)}</code></td></tr>`)}</table>${new Html(PREVIEW_SCRIPT)}`;
    return reply.type('text/html; charset=utf-8').send(page(`${i.documentId} · ${i.title}`, request.principal, body, chrome));
  });
}
