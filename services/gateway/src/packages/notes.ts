import type { PackageProblem, PackageRejection } from '@oa-archive/catalog';
import type { DocumentIssue } from '../document.ts';
import type { PackageNotes } from './drop.ts';
import { REASON_JSON_FILE, REASON_TEXT_FILE, RECEIPT_FILE } from './layout.ts';

/**
 * What the gateway writes beside a package it moved: receipt.json in done/ (the ingest it became),
 * reason.json and reason.txt in rejected/ (every problem, for a program and for a person). Pure.
 * `decision` identifies this decision, so a half-finished move is recognised and finished.
 */

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

export function rejectionOf(summary: string, problems: PackageProblem[]): PackageRejection {
  return { summary, problems };
}

/** A refusal of the mapped document (contract, limits, identity) as problems of the metadata file. */
export function documentProblems(code: string, metadataPath: string, issues: DocumentIssue[]): PackageProblem[] {
  return issues.map((i) => ({ code, file: metadataPath, message: `${i.path}${i.sourceField ? ` (${i.sourceField})` : ''}: ${i.message}` }));
}

export function rejectionNotes(args: { source: string; package: string; decision: string; rejection: PackageRejection }): PackageNotes {
  const { source, rejection } = args;
  const text = [
    `Package ${args.package} from ${source} was rejected: ${rejection.summary}`,
    '',
    ...rejection.problems.map((p) => `- [${p.code}]${p.file ? ` ${p.file}:` : ''} ${p.message}`),
    '',
    'Fix the package and drop it into incoming/ again (under any name); nothing of it was archived.',
    '',
  ].join('\n');
  return {
    marker: REASON_JSON_FILE,
    decision: args.decision,
    files: {
      [REASON_JSON_FILE]: json({ source, package: args.package, decision: args.decision, outcome: 'rejected', ...rejection }),
      [REASON_TEXT_FILE]: Buffer.from(text),
    },
  };
}

export function receiptNotes(args: { source: string; package: string; decision: string; ingestId: string; documentId: string; version: number; eventId?: string; duplicate?: boolean; unreferenced?: string[] }): PackageNotes {
  const { source, ingestId, documentId, version } = args;
  const statusUrl = `/v1/documents/${encodeURIComponent(source)}/${encodeURIComponent(documentId)}/versions/${version}`;
  return {
    marker: RECEIPT_FILE,
    decision: args.decision,
    files: {
      [RECEIPT_FILE]: json({
        source,
        package: args.package,
        decision: args.decision,
        outcome: args.duplicate ? 'duplicate' : 'accepted',
        ingestId,
        documentId,
        version,
        ...(args.eventId ? { eventId: args.eventId } : {}),
        statusUrl,
        // Files in the package the metadata did not name: kept here, not archived.
        unreferenced: args.unreferenced ?? [],
      }),
    },
  };
}
