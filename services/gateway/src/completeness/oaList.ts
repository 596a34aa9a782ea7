import { z } from 'zod';
import { redactUrl } from '@oa-archive/observability';
import type { FinalizedListSettings } from '../sources.ts';
import type { ListedDocument } from './compare.ts';

/**
 * Asks an OA what it finalized in a period: GET <url>?since=<ISO>&until=<ISO> with the source's bearer
 * token, answered {"documents":[{"documentId","version","finalizedAt"?,"departmentCode"?,"title"?}],
 * "next"?}. A `next` URL on the same origin is followed for the next page. Redirects are refused, as
 * the fetch stage refuses them: the token goes only where the configuration says.
 */

export class CompletenessError extends Error {
  override readonly name = 'CompletenessError';
}

const pageSchema = z.object({
  documents: z.array(
    z.object({
      documentId: z.string().min(1).max(200),
      version: z.number().int().min(1).max(2_147_483_647).default(1),
      finalizedAt: z.string().optional(),
      departmentCode: z.string().optional(),
      title: z.string().optional(),
    }),
  ),
  next: z.string().optional(),
});

const MAX_PAGES = 10_000;

export async function fetchFinalizedList(settings: FinalizedListSettings, period: { since: Date; until: Date }): Promise<ListedDocument[]> {
  const first = new URL(settings.url);
  first.searchParams.set('since', period.since.toISOString());
  first.searchParams.set('until', period.until.toISOString());
  const documents: ListedDocument[] = [];
  let url: URL | undefined = first;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const shown = redactUrl(url.href);
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${settings.token}`, accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(settings.timeoutMs) });
    } catch (error) {
      throw new CompletenessError(`the OA's list ${shown} did not answer: ${(error as Error).message}`, { cause: error });
    }
    if (response.status >= 300 && response.status < 400) throw new CompletenessError(`the OA's list ${shown} redirected (HTTP ${response.status}); redirects are not followed`);
    if (!response.ok) throw new CompletenessError(`the OA's list ${shown} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const parsed = pageSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new CompletenessError(`the OA's list ${shown} is not {"documents":[{"documentId","version",…}]}: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    for (const d of parsed.data.documents) documents.push({ documentId: d.documentId, version: d.version, ...(d.finalizedAt ? { finalizedAt: d.finalizedAt } : {}), ...(d.departmentCode ? { departmentCode: d.departmentCode } : {}), ...(d.title ? { title: d.title } : {}) });
    const next: URL | undefined = parsed.data.next ? new URL(parsed.data.next, url) : undefined;
    if (next && next.origin !== first.origin) throw new CompletenessError(`the OA's list ${shown} points its next page at ${next.origin}, another origin; not followed`);
    url = next;
  }
  return documents;
}
