import type { ReceivedDocument } from '@oa-archive/catalog';
import { FINAL_STATUSES, type IngestStatus } from '@oa-archive/contracts';

/**
 * The completeness check (应归尽归), pure: what the OA says it finalized in a period against what the
 * archive holds. Missing: finalized, never received (with the gateway's reason when it refused it).
 * Not final: received and still on its way, or waiting for a person. Unlisted: received, finalized in
 * the period by the archive's record, yet not on the OA's list (a list that is itself incomplete).
 */

export interface ListedDocument {
  documentId: string;
  version: number;
  /** When the OA finalized it, if its list says (ISO 8601). */
  finalizedAt?: string;
  departmentCode?: string;
  title?: string;
}

export interface ArchivedDocument {
  documentId: string;
  version: number;
  status: IngestStatus;
  ingestId: string;
  finalizedAt: Date;
}

export interface MissingDocument extends ListedDocument {
  /** Why the archive has nothing: the gateway's refusal, when it refused it (a middle-table row, a package). */
  refused?: string;
  /** The filing deadline (归档时间节点), when the schedule sets one, and whether it has passed. */
  dueBy?: string;
  overdue?: boolean;
}

export interface NotFinalDocument {
  documentId: string;
  version: number;
  /** ACCEPTED: the gateway published it, intake has not recorded it yet. */
  status: 'ACCEPTED' | IngestStatus;
  ingestId: string | null;
}

export interface CompletenessReport {
  source: string;
  since: string;
  until: string;
  /** Where the OA's list came from: its list endpoint, or its middle table. */
  listedBy: string;
  counts: { listed: number; received: number; final: number; missing: number; notFinal: number; failed: number; unlisted: number };
  missing: MissingDocument[];
  notFinal: NotFinalDocument[];
  /** Received and final, but FAILED: the archive owes these a replay. */
  failed: NotFinalDocument[];
  unlisted: ArchivedDocument[];
}

const keyOf = (d: { documentId: string; version: number }) => `${d.documentId}\u0000${d.version}`;

export function compareCompleteness(input: {
  source: string;
  since: Date;
  until: Date;
  listedBy: string;
  listed: ListedDocument[];
  received: ReceivedDocument[];
  archived: ArchivedDocument[];
  /** Refusals by (document, version) key or by document id alone, e.g. a rejected middle-table row or package. */
  refusals?: Map<string, string>;
  deadlineOf?: (document: ListedDocument) => Date | undefined;
  now?: Date;
}): CompletenessReport {
  const listed = [...new Map(input.listed.map((d) => [keyOf(d), d])).values()];
  const received = new Map(input.received.map((r) => [keyOf(r), r]));
  const now = input.now ?? new Date();
  const missing: MissingDocument[] = [];
  const notFinal: NotFinalDocument[] = [];
  const failed: NotFinalDocument[] = [];
  let final = 0;
  for (const document of listed) {
    const record = received.get(keyOf(document));
    if (!record) {
      const refused = input.refusals?.get(keyOf(document)) ?? input.refusals?.get(document.documentId);
      const due = input.deadlineOf?.(document);
      missing.push({ ...document, ...(refused ? { refused } : {}), ...(due ? { dueBy: due.toISOString(), overdue: now.getTime() > due.getTime() } : {}) });
    } else if (record.status === null) {
      notFinal.push({ documentId: document.documentId, version: document.version, status: 'ACCEPTED', ingestId: record.ingestId });
    } else if (!FINAL_STATUSES.includes(record.status)) {
      notFinal.push({ documentId: document.documentId, version: document.version, status: record.status, ingestId: record.ingestId });
    } else {
      final++;
      if (record.status === 'FAILED') failed.push({ documentId: document.documentId, version: document.version, status: record.status, ingestId: record.ingestId });
    }
  }
  const listedKeys = new Set(listed.map(keyOf));
  const unlisted = input.archived.filter((a) => !listedKeys.has(keyOf(a)));
  return {
    source: input.source,
    since: input.since.toISOString(),
    until: input.until.toISOString(),
    listedBy: input.listedBy,
    counts: { listed: listed.length, received: listed.length - missing.length, final, missing: missing.length, notFinal: notFinal.length, failed: failed.length, unlisted: unlisted.length },
    missing,
    notFinal,
    failed,
    unlisted,
  };
}
