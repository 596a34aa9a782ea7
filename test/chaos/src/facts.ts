/** What the suite reads back from the archive after a run; the checks are pure functions of it. */

/** Final for this suite: an outcome the pipeline reached without a person (REVIEW waits for one). */
export const SETTLED_STATUSES = ['FILED', 'EXCLUDED', 'QUARANTINED', 'REVIEW', 'FAILED'] as const;
export const isSettled = (status: string) => (SETTLED_STATUSES as readonly string[]).includes(status);

export interface Published {
  documentId: string;
  publishedAt: number;
}

export interface IngestFact {
  ingestId: string;
  documentId: string;
  status: string;
  currentStage: string | null;
  failedStage: string | null;
  failureReason: string | null;
  enqueuedAt: number | null;
  updatedAt: number;
  /** When the catalog recorded its settled status (epoch ms), if it has one. */
  settledAt: number | null;
  lastRun: { stage: string; status: string; attempt: number; finishedAt: number; reason: string | null } | null;
  /** Its BullMQ jobs still in Redis, with their state; empty when Redis has none. */
  jobs: { stage: string; jobId: string; state: string }[];
}

export interface ReceiptFact {
  id: string;
  ingestId: string;
  documentId: string;
  outcome: string;
  /** Kafka timestamp of the record (epoch ms). */
  at: number;
}

export interface DeadLetterFact {
  reason: string;
  documentId: string | null;
}

/** One bag found in the archive bucket, by its prefix (fonds/year/category/retention/档号). */
export interface StoredBag {
  prefix: string;
  objects: number;
  /** The ingest the catalog says owns this prefix, or the ingest-id metadata of its objects. */
  ingestId: string | null;
}

export interface NumberClass {
  /** The class inside which item numbers run without gaps, e.g. A182-WS·2025-D30-BGS. */
  itemClass: string;
  lastItem: number;
  items: { itemNumber: number; ingestId: string; referenceCode: string; status: string }[];
  /** Numbers the catalog records as voided (never reused, never filled). */
  voided: number[];
}

export interface Facts {
  published: Published[];
  ingests: IngestFact[];
  receipts: ReceiptFact[];
  deadLetters: DeadLetterFact[];
  /** The AIP prefix the catalog recorded for each ingest with one. */
  aips: { ingestId: string; prefix: string }[];
  bags: StoredBag[];
  /** Objects in the archive bucket outside any bag (audit anchors). */
  otherArchiveKeys: number;
  numbering: NumberClass[];
  /** Where voided numbers were read from, or why none could be. */
  voidedSource: string;
  auditVerify: { exitCode: number; lines: string[] };
}
