import type { IngestStatus } from '@oa-archive/contracts';
import type { Queryable } from './db.ts';
import { INGEST_SUMMARY_COLUMNS, ingestSummaryFromRow, type IngestSummary } from './catalog.ts';

/*
 * Search over titles, 文号, issuers and the text of the preservation copies (docs/search.md). Every
 * word of the query must occur as a substring (case-insensitive) in one of them: ILIKE on the
 * search_documents.searchable column, answered by its pg_trgm GIN index for words of three or more
 * characters (shorter ones are checked row by row, which the measurement showed is still fast at an
 * agency's scale). PostgreSQL's word-based full-text search was measured and not chosen: without a
 * Chinese parser it sees a whole run of Chinese characters as one word.
 */

/** What became of one component's text. */
export interface ComponentTextExtraction {
  ordinal: number;
  /** extracted: text kept; empty: a text-bearing file with no text (a scan); failed: the tool failed; not-text: no text format. */
  outcome: 'extracted' | 'empty' | 'failed' | 'not-text';
  /** Which file the text came from: the preservation copy, or the original kept as its own copy. */
  source: 'preservation' | 'original' | null;
  chars: number;
  truncated: boolean;
  /** Why nothing was extracted (empty, failed, not-text). */
  reason?: string;
}

/** Words a query may hold: more would only make a slower statement, never a better answer. */
export const MAX_SEARCH_WORDS = 8;

export interface DocumentSearch {
  /** Words, separated by spaces; each must occur. An exact document id, ingest id or 档号 also finds its document. */
  q?: string;
  status?: IngestStatus;
  department?: string;
  category?: string;
  retention?: string;
  /** The filing year (年度) of the classification. */
  year?: number;
  /** Finalization date range, from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
  limit?: number;
}

export interface DocumentSearchHit extends IngestSummary {
  referenceCode: string | null;
  explanation: string | null;
  category: string | null;
  retention: string | null;
  year: number | null;
  documentNumber: string | null;
  issuer: string | null;
  /** Where the first word occurs: a hit in the metadata is named before one in the text. */
  matchedIn: ('title' | 'documentNumber' | 'issuer' | 'body' | 'identifier')[];
  /** Some text around the first word's first occurrence in the body, when it occurs there. */
  snippet: string | null;
  /** NULL until convert ran; then what became of each component's text. */
  extraction: ComponentTextExtraction[] | null;
}

/** The words of a query: split on white space (ASCII or full-width), at most MAX_SEARCH_WORDS. */
export function searchWordsOf(q: string | undefined): string[] {
  return (q ?? '').split(/[\s\u3000]+/).filter(Boolean).slice(0, MAX_SEARCH_WORDS);
}

/** A LIKE pattern that finds `word` literally: %, _ and \ in it are not wildcards. */
const containing = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Characters of body text shown on each side of a match. */
const SNIPPET_CONTEXT = 40;

export async function searchDocuments(db: Queryable, search: DocumentSearch): Promise<DocumentSearchHit[]> {
  const words = searchWordsOf(search.q);
  const params: unknown[] = [search.status ?? null, search.department ?? null, search.category ?? null, search.retention ?? null, search.year ?? null, search.from ?? null, search.to ?? null, search.limit ?? 200];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const first = words[0] ?? null;
  const firstParam = param(first);
  // Each word a literal ILIKE against the indexed column, so the planner can use the trigram index;
  // a single word may also be an identifier, looked up exactly.
  const wordConditions = words.map((w) => `s.searchable ILIKE ${param(containing(w))}`);
  const textCondition = words.length === 0 ? 'true' : `((${wordConditions.join(' AND ')})${words.length === 1 ? ` OR i.document_id = ${firstParam} OR i.ingest_id = ${firstParam} OR c.reference_code = ${firstParam}` : ''})`;
  const columns = INGEST_SUMMARY_COLUMNS.split(',').map((c) => `i.${c.trim()}`).join(', ');
  const { rows } = await db.query(
    `SELECT ${columns}, c.reference_code, c.explanation, c.category, c.retention, c.year, s.document_number, s.issuer, s.extraction,
            ${firstParam}::text IS NOT NULL AND strpos(lower(s.title), lower(${firstParam})) > 0 AS in_title,
            ${firstParam}::text IS NOT NULL AND strpos(lower(coalesce(s.document_number, '')), lower(${firstParam})) > 0 AS in_number,
            ${firstParam}::text IS NOT NULL AND strpos(lower(coalesce(s.issuer, '')), lower(${firstParam})) > 0 AS in_issuer,
            ${firstParam}::text IS NOT NULL AND ${firstParam} IN (i.document_id, i.ingest_id, coalesce(c.reference_code, '')) AS is_identifier,
            CASE WHEN ${firstParam}::text IS NULL THEN NULL ELSE (
              SELECT substr(s.body, greatest(p.at - ${SNIPPET_CONTEXT}, 1), least(p.at - 1, ${SNIPPET_CONTEXT}) + length(${firstParam}) + ${SNIPPET_CONTEXT})
                FROM (SELECT strpos(lower(s.body), lower(${firstParam})) AS at) p WHERE p.at > 0
            ) END AS snippet
       FROM search_documents s
       JOIN ingests i USING (ingest_id)
       LEFT JOIN classifications c USING (ingest_id)
      WHERE ${textCondition}
        AND ($1::text IS NULL OR i.status = $1)
        AND ($2::text IS NULL OR i.department_code = $2)
        AND ($3::text IS NULL OR c.category = $3)
        AND ($4::text IS NULL OR c.retention = $4)
        AND ($5::int IS NULL OR c.year = $5)
        AND ($6::timestamptz IS NULL OR i.finalized_at >= $6)
        AND ($7::timestamptz IS NULL OR i.finalized_at < $7)
      ORDER BY i.received_at DESC, i.ingest_id
      LIMIT $8`,
    params,
  );
  return rows.map((r) => {
    const matchedIn: DocumentSearchHit['matchedIn'] = [];
    if (r.is_identifier) matchedIn.push('identifier');
    if (r.in_title) matchedIn.push('title');
    if (r.in_number) matchedIn.push('documentNumber');
    if (r.in_issuer) matchedIn.push('issuer');
    if (r.snippet !== null) matchedIn.push('body');
    return {
      ...ingestSummaryFromRow(r),
      referenceCode: r.reference_code as string | null,
      explanation: r.explanation as string | null,
      category: r.category as string | null,
      retention: r.retention as string | null,
      year: r.year as number | null,
      documentNumber: r.document_number as string | null,
      issuer: r.issuer as string | null,
      matchedIn,
      snippet: r.snippet as string | null,
      extraction: r.extraction as ComponentTextExtraction[] | null,
    };
  });
}

/** The extracted text of one document with what became of each component: convert writes it once. */
export async function recordExtractedText(db: Queryable, ingestId: string, texts: readonly { ordinal: number; text: string }[], extraction: readonly ComponentTextExtraction[]): Promise<void> {
  const body = [...texts].sort((a, b) => a.ordinal - b.ordinal).map((t) => t.text).filter(Boolean).join('\n');
  const { rowCount } = await db.query('UPDATE search_documents SET body = $2, extraction = $3, extracted_at = now() WHERE ingest_id = $1', [ingestId, body, JSON.stringify(extraction)]);
  if (rowCount === 0) throw new Error(`no search row for ingest ${ingestId}: it is recorded before any stage runs (migration 018's trigger)`);
}

/** The extracted text and what became of each component, for the detail page and tests. */
export async function extractedTextOf(db: Queryable, ingestId: string): Promise<{ body: string; extraction: ComponentTextExtraction[] | null; extractedAt: Date | null } | undefined> {
  const { rows } = await db.query<{ body: string; extraction: ComponentTextExtraction[] | null; extracted_at: Date | null }>('SELECT body, extraction, extracted_at FROM search_documents WHERE ingest_id = $1', [ingestId]);
  const r = rows[0];
  return r ? { body: r.body, extraction: r.extraction, extractedAt: r.extracted_at } : undefined;
}
