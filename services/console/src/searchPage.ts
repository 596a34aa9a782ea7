import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { searchDocuments, searchWordsOf, type DocumentSearchHit } from '@oa-archive/catalog';
import { INGEST_STATUSES } from '@oa-archive/contracts';
import { CATALOGUE, type MessageCode } from '@oa-archive/messages';
import { toCsv } from './csv.ts';
import type { ConsoleDeps } from './deps.ts';
import { escape, Html, html, page } from './html.ts';
import { localeOf } from './locale.ts';
import { issuesOf, searchQuery, withoutEmpty } from './params.ts';
import { departmentNamesOf, viewOf, type View } from './view.ts';

/** The category codes the message catalogue names (门类 of DA/T 22 and the agency's own). */
const CATEGORIES = Object.keys(CATALOGUE).filter((k) => k.startsWith('category.')).map((k) => k.slice('category.'.length));
const RETENTIONS = ['Y', 'D30', 'D10'] as const;
/** Rows a search shows when the reader asks for no limit; the CSV takes up to the schema's maximum. */
const PAGE_LIMIT = 200;
const CSV_LIMIT = 1000;

/** The export's columns: codes beside names, so a spreadsheet can sort by either. */
const CSV_COLUMNS = [
  'documentId', 'title', 'documentNumber', 'issuer', 'departmentName', 'department', 'status', 'referenceCode', 'categoryName', 'category', 'retentionName', 'retention', 'year', 'finalizedAt', 'matchedIn', 'snippet', 'ingestId',
] as const;

/**
 * Text with every occurrence of the search words marked (<mark>), everything else escaped: the
 * reader sees why the row matched.
 */
export function highlighted(text: string | null | undefined, words: readonly string[]): Html {
  const value = text ?? '';
  if (!value || words.length === 0) return new Html(escape(value));
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu');
  let out = '';
  let at = 0;
  for (const match of value.matchAll(pattern)) {
    out += `${escape(value.slice(at, match.index))}<mark>${escape(match[0])}</mark>`;
    at = match.index + match[0].length;
  }
  return new Html(out + escape(value.slice(at)));
}

/** What became of the document's text, in the reader's language: extracted, not yet, or why not. */
function textState(hit: DocumentSearchHit, v: View): string {
  if (!hit.extraction) return v.t('search.text.pending');
  const chars = hit.extraction.reduce((n, e) => n + e.chars, 0);
  const why = hit.extraction
    .filter((e) => e.outcome !== 'extracted')
    .map((e) => v.t(`search.text.outcome.${e.outcome}` as MessageCode, { ordinal: e.ordinal, reason: e.reason ?? '' }));
  const head = chars ? `${v.t('search.text.extracted', { chars })}${hit.extraction.some((e) => e.truncated) ? v.t('search.text.truncated') : ''}` : v.t('search.text.none');
  return [head, ...why].join('；');
}

/**
 * The records officer's search (docs/search.md): one box for words of title, 文号, issuer and the text
 * of the preservation copies, filters, matches marked, a snippet of the text, and the result as CSV.
 * The page and GET /api/ingests (JSON, or CSV with format=csv) take the same query.
 */
export function registerSearch(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get<{ Querystring: Record<string, string | undefined> }>('/ingests', { config: { role: 'viewer' } }, async (request, reply) => {
    const q = request.query;
    const parsed = searchQuery.safeParse(withoutEmpty(q));
    if (!parsed.success) reply.code(400);
    const limit = parsed.success ? (parsed.data.limit ?? PAGE_LIMIT) : PAGE_LIMIT;
    const hits = parsed.success ? await searchDocuments(deps.catalog.pool, { ...parsed.data, limit }) : [];
    const words = searchWordsOf(parsed.success ? parsed.data.q : undefined);
    const v = viewOf(request, deps);
    const { t } = v;
    const selected = (field: string, value: string) => (q[field] === value ? 'selected' : '');
    const exportQuery = new URLSearchParams(Object.entries(withoutEmpty(q)).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'format' && e[0] !== 'limit'));
    exportQuery.set('format', 'csv');
    const body = html`${parsed.success ? '' : html`<p class="fail" role="alert">${t('ingests.searchNotRun', { issues: issuesOf(parsed.error).join('; ') })}</p>`}
      <form method="get" class="inline" id="search" role="search">
        <label>${t('search.words')} <input type="search" name="q" value="${q.q ?? ''}" placeholder="${t('ingests.searchPlaceholder')}" title="${t('search.wordsHint')}" size="40" /></label>
        <label>${t('col.status')} <select name="status"><option value="">${t('ingests.anyStatus')}</option>${INGEST_STATUSES.map((s) => html`<option value="${s}" ${selected('status', s)}>${v.label('status', s)}</option>`)}</select></label>
        <label>${t('col.department')} <select name="department"><option value="">${t('search.anyDepartment')}</option>${Object.keys(departmentNamesOf(deps)).map((code) => html`<option value="${code}" ${selected('department', code)}>${v.department(code)}</option>`)}</select></label>
        <label>${t('search.category')} <select name="category"><option value="">${t('search.anyCategory')}</option>${CATEGORIES.map((code) => html`<option value="${code}" ${selected('category', code)}>${v.category(code)}</option>`)}</select></label>
        <label>${t('search.retention')} <select name="retention"><option value="">${t('search.anyRetention')}</option>${RETENTIONS.map((code) => html`<option value="${code}" ${selected('retention', code)}>${v.retention(code)}</option>`)}</select></label>
        <label>${t('search.year')} <input type="number" name="year" value="${q.year ?? ''}" min="1900" max="2999" style="width:5.5rem" /></label>
        <label>${t('ingests.finalizedFrom')} <input type="date" name="from" value="${q.from ?? ''}" /></label><label>${t('ingests.to')} <input type="date" name="to" value="${q.to ?? ''}" /></label>
        <button type="submit">${t('ingests.search')}</button>
        <a id="search-export" href="/api/ingests?${exportQuery.toString()}">${t('search.export')}</a>
      </form>
      <p class="muted" id="search-count">${t('search.found', { count: hits.length })}${hits.length >= limit ? html` · <span class="fail">${t('search.limited', { limit })}</span>` : ''}</p>
      ${hits.length === 0 && parsed.success
        ? html`<p class="muted">${t('search.nothing')}</p>`
        : html`<table id="ingests"><tr><th scope="col">${t('col.document')}</th><th scope="col">${t('col.title')}</th><th scope="col">${t('search.field.documentNumber')}</th><th scope="col">${t('search.field.issuer')}</th><th scope="col">${t('col.department')}</th><th scope="col">${t('col.status')}</th><th scope="col">${t('col.referenceCode')}</th><th scope="col">${t('col.finalized')}</th><th scope="col">${t('search.snippet')}</th><th scope="col">${t('col.why')}</th></tr>
          ${hits.map(
            (r) => html`<tr data-status="${r.status}" data-ingest="${r.ingestId}"><td><a href="/ingests/${r.ingestId}">${r.documentId}</a></td><td>${highlighted(r.title, words)}</td><td>${highlighted(r.documentNumber, words)}</td><td>${highlighted(r.issuer, words)}</td>
              <td>${v.department(r.departmentCode)}</td><td class="${r.status}">${v.label('status', r.status)}</td><td>${r.referenceCode ?? ''}${r.category ? html`<div class="muted">${v.category(r.category)} · ${v.retention(r.retention ?? '')}</div>` : ''}</td><td>${v.time(r.finalizedAt)}</td>
              <td class="snippet">${r.snippet ? html`…${highlighted(r.snippet, words)}…` : ''}${words.length ? html`<div class="muted">${t('search.matchedIn')}：${r.matchedIn.map((m) => t(`search.field.${m}`)).join('、')}</div>` : ''}<div class="muted">${t('search.text')}：${textState(r, v)}</div></td>
              <td class="muted">${r.status === 'FAILED' ? html`${v.label('stage', r.failedStage)}：${v.failure(r.failureReason)}` : r.status === 'FILED' ? '' : (r.explanation ?? '')}</td></tr>`,
          )}</table>`}`;
    return reply.type('text/html; charset=utf-8').send(page(t('ingests.title'), request.principal, body, { locale: localeOf(request), path: request.url }));
  });

  app.get('/api/ingests', { config: { role: 'viewer' } }, async (request, reply) => {
    const query = searchQuery.safeParse(withoutEmpty(request.query as Record<string, unknown>));
    if (!query.success) return reply.code(400).send({ error: 'invalid request', issues: issuesOf(query.error) });
    const { format, ...search } = query.data;
    if (format === 'json') return { ingests: await searchDocuments(deps.catalog.pool, search) };
    return csvOf(reply, request, deps, await searchDocuments(deps.catalog.pool, { ...search, limit: search.limit ?? CSV_LIMIT }));
  });
}

function csvOf(reply: FastifyReply, request: FastifyRequest, deps: ConsoleDeps, hits: DocumentSearchHit[]) {
  const v = viewOf(request, deps);
  const rows = hits.map((h) => ({
    ...h,
    department: h.departmentCode,
    departmentName: v.departmentName(h.departmentCode),
    categoryName: v.categoryName(h.category),
    retentionName: v.label('retention', h.retention),
    finalizedAt: v.time(h.finalizedAt),
    matchedIn: h.matchedIn.map((m) => v.t(`search.field.${m}`)).join('、'),
  }));
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="ingests.csv"')
    .send(toCsv(rows, CSV_COLUMNS));
}
