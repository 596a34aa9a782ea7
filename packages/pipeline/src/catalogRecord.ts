import { ROLES, type AccessRestrictionRecord, type CharacterizationRecord, type ChainedAuditEvent, type ComponentRecord, type IngestRecord, type PreservationCopyRecord, type PreservationEventRecord, type Role, type StageRunRecord } from '@oa-archive/catalog';

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
  /**
   * 限制利用 as the catalog held it (a 内部 document: content for `minimumRole` and above). Absent when
   * the document is unrestricted, and in bags made before it was recorded here (da46.json's 权限管理
   * then says the same).
   */
  access?: Omit<AccessRestrictionRecord, 'recordedAt'>;
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
  access: AccessRestrictionRecord | null;
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
    ...(args.access ? { access: { securityLevel: args.access.securityLevel, controlMark: args.access.controlMark, minimumRole: args.access.minimumRole, scheduleVersion: args.access.scheduleVersion, basis: args.access.basis } } : {}),
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

type RestoredAccess = Omit<AccessRestrictionRecord, 'recordedAt'>;

/**
 * The access restriction a rebuilt catalog gives a filed document: its catalog record's, or for a bag
 * made before the record carried it, da46.json's 权限管理 (控制标识 控制, 授权对象 the least role,
 * 授权行为 ending in the basis), with the 密级 from the OA event and the decision's schedule version.
 * Undefined for an unrestricted document. A role no console knows is refused, never widened. Pure.
 */
export function accessRestrictionOfBag(
  record: Pick<CatalogRecord, 'access'>,
  da46: Record<string, unknown>,
  context: { securityLevel: string; scheduleVersion: string; where: string },
): RestoredAccess | undefined {
  const known = (role: unknown): role is Role => ROLES.includes(role as Role);
  if (record.access) {
    if (!known(record.access.minimumRole)) throw new CatalogRecordError(`${context.where}: access.minimumRole "${String(record.access.minimumRole)}" is not one of ${ROLES.join(', ')}`);
    return record.access;
  }
  const declared = da46['权限管理'] as { 控制标识?: unknown; 授权对象?: unknown; 授权行为?: unknown } | undefined;
  if (!declared || declared.控制标识 !== '控制') return undefined;
  if (!known(declared.授权对象)) throw new CatalogRecordError(`${context.where}: 权限管理.授权对象 "${String(declared.授权对象)}" is not one of ${ROLES.join(', ')}`);
  const action = typeof declared.授权行为 === 'string' ? declared.授权行为 : '';
  const basis = action.includes('；') ? action.slice(action.indexOf('；') + 1) : action;
  return { securityLevel: context.securityLevel, controlMark: '控制', minimumRole: declared.授权对象, scheduleVersion: context.scheduleVersion, basis };
}
