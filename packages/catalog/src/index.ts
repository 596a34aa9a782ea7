export { Catalog } from './catalog.ts';
export type { ComponentRecord, IngestRecord, IngestSummary, StageRunRecord } from './catalog.ts';
export { appendAuditEvent, auditEventsOf, verifyAuditChain } from './audit.ts';
export type { ChainVerification, NewAuditEvent } from './audit.ts';
export { auditHash, GENESIS_HASH, verifyChainSegment } from './auditChain.ts';
export type { AuditEvent, ChainBreak, ChainedAuditEvent } from './auditChain.ts';
export { canonicalJson } from './canonicalJson.ts';
export { createPool, inTransaction } from './db.ts';
export type { Queryable } from './db.ts';
export { migrate, MigrationError } from './migrate.ts';
export {
  characterizationsOf,
  classificationOf,
  filedDuplicatesOf,
  metadataRecordOf,
  recordCharacterization,
  recordClassification,
  recordMetadataRecord,
} from './decisions.ts';
export type { CharacterizationRecord, ClassificationRecord, ItemClass } from './decisions.ts';
export {
  aipOf,
  preservationCopiesOf,
  preservationEventsOf,
  recordAip,
  recordPreservationArchiveKey,
  recordPreservationCopy,
  recordPreservationEvent,
  recordValidationReport,
  validationReportOf,
} from './preservation.ts';
export type { AipFile, PreservationCopyRecord, PreservationEventRecord } from './preservation.ts';
export {
  authenticateToken,
  createApiToken,
  failureGroups,
  outcomesPerHour,
  revokeApiToken,
  ROLES,
  searchIngests,
  stageStatistics,
  timelinessByDepartment,
} from './operations.ts';
export type { ApiPrincipal, IngestSearch, Role } from './operations.ts';
