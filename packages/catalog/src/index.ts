export { Catalog } from './catalog.ts';
export type { ComponentRecord, IngestRecord, IngestSummary, StageOutcome, StageRunEffect, StageRunRecord } from './catalog.ts';
export {
  ACTIVE_STATUSES,
  applyTransition,
  auditTypeOf,
  canTransition,
  IllegalTransitionError,
  INGEST_EVENTS,
  isActive,
  lockIngest,
  nextStatus,
  OPERATOR_EVENTS,
  RECEIPTED_STATUSES,
  StaleTransitionError,
  stageOf,
  TRANSITIONS,
  UnknownIngestRecordError,
} from './ingestState.ts';
export type { Failure, IngestEvent, TransitionRequest, TransitionResult } from './ingestState.ts';
export { claimPendingReceipts, markReceiptsFailed, markReceiptsSent, receiptBacklog, receiptIdOf, receiptsOf } from './receipts.ts';
export type { IngestReceipt, PendingReceipt } from './receipts.ts';
export {
  CALLBACK_STATES,
  callbackDeliveryOf,
  callbackSummary,
  claimCallbackDeliveries,
  listCallbackDeliveries,
  planCallbackDeliveries,
  recordCallbackAttempt,
  redriveCallbackDeliveries,
} from './callbacks.ts';
export type { CallbackAttemptResult, CallbackDelivery, CallbackFilter, CallbackState, CallbackSummaryRow, ClaimedCallback, RedriveSelection } from './callbacks.ts';
export { documentVersionsOf, supersedeWaitingVersion } from './versions.ts';
export type { DocumentVersion } from './versions.ts';
export { appendAuditEvent, appendAuditEvents, auditEventsOf, verifyAuditChain } from './audit.ts';
export type { ChainVerification, NewAuditEvent } from './audit.ts';
export { auditHash, GENESIS_HASH, verifyChainSegment } from './auditChain.ts';
export {
  ANCHOR_SEGMENT_MAX_EVENTS,
  anchorBody,
  anchoredBefore,
  anchoringStateOf,
  anchorKeyOf,
  AUDIT_ANCHOR_PREFIX,
  AuditAnchorError,
  auditHeadOf,
  auditSegmentOf,
  carriesSegment,
  checkAuditAnchors,
  parseAnchor,
  recordAnchor,
  withAnchorLock,
} from './auditAnchor.ts';
export type { AnchorMismatch, AuditAnchor, AuditSegmentAnchor, StoredAuditAnchor } from './auditAnchor.ts';
export type { AuditEvent, ChainBreak, ChainedAuditEvent } from './auditChain.ts';
export { canonicalJson } from './canonicalJson.ts';
export { createPool, inTransaction, observeQueries } from './db.ts';
export type { Queryable } from './db.ts';
export { migrate, MigrationError } from './migrate.ts';
export {
  characterizationsOf,
  classificationOf,
  filedDuplicatesOf,
  itemNumbersOfClass,
  metadataRecordOf,
  predictReferenceCode,
  recordCharacterization,
  recordCharacterizationRun,
  recordClassification,
  recordClassificationIn,
  recordMetadataRecord,
  voidedReferenceCodesOf,
} from './decisions.ts';
export type { CharacterizationRecord, ClassificationDecisionInput, ClassificationRecord, ItemClass, PredictedReferenceCode, VoidedReferenceCode } from './decisions.ts';
export {
  aipOf,
  preservationCopiesOf,
  preservationEventsOf,
  recordAip,
  recordArchiveKeys,
  recordPreservationArchiveKeys,
  recordPreservationCopy,
  recordPreservationCopies,
  recordPreservationEvent,
  recordPreservationEvents,
  recordValidation,
  recordValidationReport,
  validationReportOf,
} from './preservation.ts';
export type { AipFile, PreservationCopyRecord, PreservationEventRecord } from './preservation.ts';
export {
  authenticateToken,
  createApiToken,
  failureGroups,
  outcomesPerHour,
  recentRecoveries,
  reviewQueue,
  revokeApiToken,
  ROLES,
  stageStatistics,
  timelinessByDepartment,
} from './operations.ts';
export type { ApiPrincipal, RecoveryRecord, ReviewItem, Role } from './operations.ts';
export {
  aipsAwaitingCustody,
  claimAipForAudit,
  claimAipForReplication,
  custodyOf,
  custodySummary,
  enrolInCustody,
  extendAuditLease,
  FIXITY_OVERDUE_AFTER_MS,
  fixityAuditsOf,
  recordFixityAudit,
  recordReplication,
} from './custody.ts';
export type { AuditSelection, CopyAudit, CustodyRecord, FixityFinding, FixityRepair } from './custody.ts';
export { gatewaySubmissionOf, latestGatewayVersionOf, pruneNonces, rememberNonce, submitOnce } from './gatewaySubmissions.ts';
export type { GatewaySubmission, NewGatewaySubmission } from './gatewaySubmissions.ts';
export { claimPackage, decidePackage, gatewayPackageOf, gatewayPackagesOf, packageMoved, releasePackage } from './gatewayPackages.ts';
export type { GatewayPackage, PackageClaim, PackageKey, PackageProblem, PackageRejection, PackageState } from './gatewayPackages.ts';
export { ingestsFinalizedIn, receivedDocuments } from './completeness.ts';
export type { ReceivedDocument } from './completeness.ts';
export { filingFacts, OPEN_FILING_STATUSES } from './filingFacts.ts';
export type { FilingFact } from './filingFacts.ts';
export {
  aipsOfItem,
  decideDisposition,
  destructionRegister,
  DISPOSITION_LOCK,
  dispositionItemOf,
  dispositionItems,
  DispositionRefusedError,
  recordDestruction,
  refusalError,
} from './disposition.ts';
export type { DestroyedObject, DestructionRecord, DispositionItem, DispositionQuery } from './disposition.ts';
export {
  addYears,
  checkDecision,
  checkDestruction,
  DISPOSITION_DECISIONS,
  dispositionStateOf,
  lockRefusalOf,
  parseCalendarDate,
  RETENTION_YEARS,
  retentionEndsOn,
} from './dispositionRules.ts';
export type { DecisionRequest, DispositionDecisionKind, DispositionFacts, DispositionRefusal, DispositionState, LockRefusal, StoredLock } from './dispositionRules.ts';
export { createHold, HoldError, holdSelectorsFromText, holdsOf, liftHold, parseClassSelector, selectorText } from './holds.ts';
export type { Hold, HoldSelector } from './holds.ts';
export { accessRestrictionRecordOf, clearWaiting, markWaiting, recordAccessRestriction, waitingOf } from './access.ts';
export type { AccessRestrictionRecord, WaitingRecord } from './access.ts';
export {
  decideRuleProposal,
  documentsFinalizedSince,
  dropOpenProposalsExcept,
  insertScheduleVersion,
  lockScheduleVersions,
  newestScheduleVersion,
  PROPOSAL_STATUSES,
  proposalDocuments,
  ruleProposalOf,
  ruleProposals,
  scheduleVersions,
  settledReviews,
  upsertRuleProposal,
} from './ruleProposals.ts';
export type { ComponentFactRow, DocumentForDryRun, NewRuleProposal, ProposalStatus, RuleProposalRecord, ScheduleVersionRecord, SettledReviewRow } from './ruleProposals.ts';
export { extractedTextOf, MAX_SEARCH_WORDS, recordExtractedText, searchDocuments, searchWordsOf } from './search.ts';
export type { ComponentTextExtraction, DocumentSearch, DocumentSearchHit } from './search.ts';
