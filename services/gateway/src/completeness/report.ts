import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gatewayPackagesOf, ingestsFinalizedIn, receivedDocuments, type Queryable } from '@oa-archive/catalog';
import { redactUrl } from '@oa-archive/observability';
import { openMiddleTable } from '../gateway.ts';
import { parseSources, type FinalizedListSettings, type MiddleTableSettings } from '../sources.ts';
import { compareCompleteness, type CompletenessReport, type ListedDocument } from './compare.ts';
import { CompletenessError, fetchFinalizedList } from './oaList.ts';

/**
 * The completeness check of one source over a period: the OA's list (its list endpoint, or its middle
 * table's rows) against the catalog. Used by `archive reconcile` and the console's completeness page.
 */

/** What the check needs of a source: where to ask. Read from the gateway's sources file. */
export interface CompletenessTarget {
  id: string;
  finalizedList?: FinalizedListSettings;
  middleTable?: Pick<MiddleTableSettings, 'driver' | 'url' | 'table'>;
}

/**
 * A source's list settings from the sources file, resolving only the secrets they need (the CLI and
 * the console need not hold every source's push secret).
 */
export async function completenessTargetOf(file: string, sourceId: string, env: Record<string, string | undefined> = process.env): Promise<CompletenessTarget> {
  const parsed = parseSources(await readFile(file, 'utf8'), path.basename(file));
  const source = Object.hasOwn(parsed.sources, sourceId) ? parsed.sources[sourceId] : undefined;
  if (!source) throw new CompletenessError(`no source ${sourceId} in ${file}; known: ${Object.keys(parsed.sources).join(', ')}`);
  const secret = (value: string | undefined, name: string | undefined, what: string) => {
    const resolved = value ?? (name ? env[name] : undefined);
    if (!resolved) throw new CompletenessError(`source ${sourceId} ${what}: environment variable ${name} is not set`);
    return resolved;
  };
  const list = source.finalizedList;
  const table = source.middleTable;
  return {
    id: sourceId,
    ...(list ? { finalizedList: { url: list.url, token: secret(list.token, list.tokenEnv, 'finalizedList'), timeoutMs: list.timeoutMs } } : {}),
    ...(table ? { middleTable: { driver: table.driver, url: secret(table.url, table.urlEnv, 'middleTable'), table: table.table } } : {}),
  };
}

/** The sources of a sources file that can be checked (they have a list endpoint or a middle table). */
export async function checkableSources(file: string): Promise<string[]> {
  const parsed = parseSources(await readFile(file, 'utf8'), path.basename(file));
  return Object.entries(parsed.sources)
    .filter(([, s]) => s.finalizedList || s.middleTable)
    .map(([id]) => id);
}

async function listOf(target: CompletenessTarget, period: { since: Date; until: Date }): Promise<{ listed: ListedDocument[]; listedBy: string; refusals: Map<string, string> }> {
  const refusals = new Map<string, string>();
  if (target.finalizedList) {
    return { listed: await fetchFinalizedList(target.finalizedList, period), listedBy: `list ${redactUrl(target.finalizedList.url)}`, refusals };
  }
  if (target.middleTable) {
    const table = openMiddleTable(target.middleTable);
    try {
      const rows = await table.listWritten(period.since, period.until);
      for (const row of rows) if (row.status === 'rejected' && row.result) refusals.set(`${row.docId}\u0000${row.docVersion}`, `middle-table row rejected: ${row.result}`);
      // For a middle table the period is when the OA wrote the row, which is when it finalized the document.
      return { listed: rows.map((r) => ({ documentId: r.docId, version: r.docVersion, finalizedAt: r.createdAt.toISOString() })), listedBy: table.description, refusals };
    } finally {
      await table.close();
    }
  }
  throw new CompletenessError(`source ${target.id} has neither a finalizedList nor a middleTable in the gateway's sources file: the archive cannot ask it what it finalized`);
}

export async function completenessReport(args: {
  db: Queryable;
  target: CompletenessTarget;
  since: Date;
  until: Date;
  /** The filing deadline of a missing document (from the retention schedule), to say which are overdue. */
  deadlineOf?: (document: ListedDocument) => Date | undefined;
  now?: Date;
}): Promise<CompletenessReport> {
  const { db, target, since, until } = args;
  if (!(since < until)) throw new CompletenessError('since must be before until');
  const { listed, listedBy, refusals } = await listOf(target, { since, until });
  // A package the gateway rejected names the document it carried, when its metadata could be read.
  for (const p of await gatewayPackagesOf(db, target.id, { limit: 10_000 })) {
    if (p.state !== 'rejected' || !p.documentId) continue;
    const key = p.version ? `${p.documentId}\u0000${p.version}` : p.documentId;
    if (!refusals.has(key)) refusals.set(key, `package ${p.package} rejected: ${p.reason?.summary ?? 'see rejected/'}`);
  }
  const [received, archived] = await Promise.all([receivedDocuments(db, target.id, listed), ingestsFinalizedIn(db, target.id, { since, until })]);
  return compareCompleteness({ source: target.id, since, until, listedBy, listed, received, archived, refusals, ...(args.deadlineOf ? { deadlineOf: args.deadlineOf } : {}), ...(args.now ? { now: args.now } : {}) });
}
