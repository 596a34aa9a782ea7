import type { CharacterizationRecord, ChainedAuditEvent, ComponentRecord, IngestRecord, PreservationCopyRecord, PreservationEventRecord, StageRunRecord } from '@oa-archive/catalog';

/** The bag's tag file with the catalog's rows of the document, as they stood when the bag was made. */
export const CATALOG_RECORD_PATH = 'metadata/catalog.json';
const KIND = 'oa-archive.catalog-record';

/**
 * What a catalog rebuilt from the store needs beyond the bag's other tag files (DA/T 46, PREMIS,
 * classification, four-properties report, OA event): the components as fetched, their
 * characterizations and preservation copies, the preservation events, the stage runs up to package,
 * and the document's audit events up to then (an excerpt of the chain, each event with its hashes).
 */
export interface CatalogRecord {
  kind: typeof KIND;
  ingest: { ingestId: string; receivedAt: string; enqueuedAt: string | null };
  components: Omit<ComponentRecord, 'ingestId' | 'archiveBucket' | 'archiveKey'>[];
  characterizations: CharacterizationRecord[];
  preservationCopies: Omit<PreservationCopyRecord, 'archiveKey'>[];
  preservationEvents: PreservationEventRecord[];
  /** The DA/T 46 record as the catalog holds it (da46.json adds the 档号 and what package derives). */
  metadata: { record: Record<string, unknown>; missing: string[] };
  validation: { passed: boolean };
  stageRuns: (Omit<StageRunRecord, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string })[];
  audit: ChainedAuditEvent[];
}

export class CatalogRecordError extends Error {
  override readonly name = 'CatalogRecordError';
}

export function catalogRecordOf(args: {
  ingest: IngestRecord;
  components: ComponentRecord[];
  characterizations: CharacterizationRecord[];
  copies: PreservationCopyRecord[];
  events: PreservationEventRecord[];
  metadata: { record: Record<string, unknown>; missing: string[] };
  validation: { passed: boolean };
  runs: StageRunRecord[];
  audit: ChainedAuditEvent[];
}): CatalogRecord {
  return {
    kind: KIND,
    ingest: { ingestId: args.ingest.ingestId, receivedAt: args.ingest.receivedAt.toISOString(), enqueuedAt: args.ingest.enqueuedAt?.toISOString() ?? null },
    components: args.components.map(({ ingestId: _i, archiveBucket: _b, archiveKey: _k, ...c }) => c),
    characterizations: args.characterizations,
    preservationCopies: args.copies.map(({ archiveKey: _k, ...c }) => c),
    // The row ids are the catalog's own; a rebuilt catalog numbers its rows anew.
    preservationEvents: args.events.map(({ id: _id, ...e }: PreservationEventRecord & { id?: number }) => e),
    metadata: { record: args.metadata.record, missing: args.metadata.missing },
    validation: { passed: args.validation.passed },
    stageRuns: args.runs.map((r) => ({ ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() })),
    audit: args.audit,
  };
}

/** Reads a bag's catalog record; `where` names the object in the error. */
export function parseCatalogRecord(text: string, where: string): CatalogRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CatalogRecordError(`${where} is not JSON`);
  }
  const v = value as Partial<CatalogRecord>;
  const arrays = ['components', 'characterizations', 'preservationCopies', 'preservationEvents', 'stageRuns', 'audit'] as const;
  if (
    v.kind !== KIND ||
    typeof v.ingest?.ingestId !== 'string' ||
    typeof v.ingest.receivedAt !== 'string' ||
    typeof v.metadata?.record !== 'object' ||
    !Array.isArray(v.metadata.missing) ||
    arrays.some((a) => !Array.isArray(v[a]))
  ) {
    throw new CatalogRecordError(`${where} is not a catalog record (kind ${KIND}, ingest, metadata, ${arrays.join(', ')})`);
  }
  return v as CatalogRecord;
}
