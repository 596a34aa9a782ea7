import type { IngestStatus, Stage } from './stages.ts';

export const INGEST_RECEIPT_TYPE = 'archive.ingest.receipt';
export const INGEST_RECEIPT_SCHEMA = 'urn:oa-archive:schema:ingest-receipt:1.0';

export interface DepositedObject {
  role: string;
  fileName: string;
  bucket: string;
  key: string;
  size: number;
  sha256: string;
}

/** What the archive answers to the OA system about one document. */
export interface IngestReceiptData {
  ingestId: string;
  documentId: string;
  version: number;
  outcome: IngestStatus;
  /** Human-readable reason, always present for anything but FILED. */
  reason?: string;
  failedStage?: Stage;
  /** 档号, for a filed document. */
  referenceCode?: string;
  /** Why the archive decided as it did: rule ids, schedule version, one readable line. */
  classification?: { outcome: string; ruleIds: string[]; scheduleVersion: string; explanation: string };
  /**
   * 限制利用: filed with its use restricted (DA/T 46 权限管理 · 控制标识 控制), e.g. a 内部 document;
   * only `minimumRole` and above may use its content. Absent for an unrestricted document.
   */
  access?: { controlMark: '控制'; securityLevel: string; minimumRole: string; basis: string };
  objects: DepositedObject[];
  decidedAt: string;
}

export function ingestReceiptEvent(args: { id: string; source: string; time: string; data: IngestReceiptData }) {
  return {
    specversion: '1.0' as const,
    id: args.id,
    source: args.source,
    type: INGEST_RECEIPT_TYPE,
    time: args.time,
    subject: args.data.documentId,
    datacontenttype: 'application/json',
    dataschema: INGEST_RECEIPT_SCHEMA,
    data: args.data,
  };
}
