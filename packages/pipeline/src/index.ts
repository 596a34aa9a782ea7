export { archiveComponentKeyOf, archivePrefixOf, filedPrefixOf, filedVersionPrefixOf, idSegment, safeSegment, stagingKeyOf } from './archiveLayout.ts';
export { anchorAuditChain, readAuditAnchors, startAuditAnchoring, verifyAuditAnchors } from './auditAnchoring.ts';
export type { AnchorResult, AnchorTarget } from './auditAnchoring.ts';
export {
  auditAip,
  compareCopy,
  CustodyMetrics,
  enrolFiledAips,
  expectDigest,
  firstAuditAt,
  fixityPremisXml,
  NotUnderCustodyError,
  isManifestPath,
  paceDelayMs,
  planRepairs,
  RateLimiter,
  replicateAip,
  replicationRetryDelayMs,
  runFixityAudits,
  runReplication,
  SourceDigestMismatchError,
  startCustodyTasks,
} from './custody/index.ts';
export type { AipAuditReport, CopyManifests, CustodyDeps, ObjectReading, RepairPlan, ReplicationReport } from './custody/index.ts';
export { BackpressureGate } from './backpressure.ts';
export { assessFourProperties } from './fourProperties.ts';
export { checkForViruses, scannerVersionOf, VIRUS_CHECK_EVENT } from './virusCheck.ts';
export type { CheckItem, FourPropertiesInput, FourPropertiesReport, Property } from './fourProperties.ts';
export type { PipelineDeps, PipelineSettings, StageContext, StageHandler, StageResult } from './context.ts';
export {
  ComponentTooLargeError,
  describeError,
  FetchHttpError,
  FetchRefusedError,
  FetchTimeoutError,
  isRetryable,
  StagedObjectMissingError,
  StageDeferredError,
  StageError,
  StageTimeoutError,
  UnknownIngestError,
} from './errors.ts';
export { intakeStateKey, JobActiveError, jobIdOf, jobOptionsOf, queueNameOf, receiptJobKeyOf, StageQueues } from './queues.ts';
export type { JobState, RetryPolicy, StageJobData } from './queues.ts';
export { createStageWorker, DEFAULT_LOCK_DURATION_MS, DEFAULT_MAX_STALLED_COUNT, DEFAULT_STALLED_INTERVAL_MS, runStage } from './runner.ts';
export type { StageWorkerOptions } from './runner.ts';
export { PeriodicTask } from './periodic.ts';
export { publishPendingReceipts, RECEIPT_ID_HEADER } from './receiptRelay.ts';
export { callbackRetryDelayMs } from './callbacks/backoff.ts';
export type { CallbackBackoff } from './callbacks/backoff.ts';
export { callbackTargetsOf, deliverCallbacks } from './callbacks/deliverer.ts';
export type { CallbackDeps, CallbackPass, CallbackSettings } from './callbacks/deliverer.ts';
export { CALLBACK_CONTENT_TYPE, CALLBACK_HEADERS, callbackHeaders, signCallback, verifyCallbackSignature } from './callbacks/signing.ts';
export type { SignatureCheck } from './callbacks/signing.ts';
export type { ReceiptRelayDeps } from './receiptRelay.ts';
export { decideRecovery, OVERDUE_MARGIN_MS, STALLED_REASON } from './recovery/decide.ts';
export type { RecoveryDecision, RecoveryFacts } from './recovery/decide.ts';
export { reconcileIngest, reconcileJobs } from './recovery/reconciler.ts';
export type { ReconcileReport, RecoveryAction, RecoveryDeps } from './recovery/reconciler.ts';
export { DEFAULT_RECOVERY, DEFAULT_STAGE_DEADLINES_MS, parseDuration, parseStageDeadlines, RecoverySettingsError } from './recovery/settings.ts';
export type { RecoverySettings } from './recovery/settings.ts';
export { PipelineMetrics } from './metrics.ts';
export { currentStage, instrumentCosts, runInStage } from './instrumentation.ts';
export { cleanScratch, processScratchDir } from './scratch.ts';
export { LocalCache } from './localCache.ts';
export { CachedCopyMismatchError, localCopy, openStaged } from './stagedCopies.ts';
export type { StagedObject } from './stagedCopies.ts';
export { objectLockFor } from './stages/deposit.ts';
export { stageHandlers } from './stages/index.ts';
export { OperationError, predictFiling, replayBulk, replayIngest, settleReview } from './operations.ts';
export type { BulkReplayFilter, ReplayRequest, ReviewBasis, ReviewDecision } from './operations.ts';
export { basisOf, departsFromRule, refusalOf, suggestionOf } from './reviewPolicy.ts';
export type { RuleSuggestion } from './reviewPolicy.ts';
export { CATALOG_RECORD_PATH, CatalogRecordError, catalogRecordOf, parseCatalogRecord } from './catalogRecord.ts';
export type { CatalogRecord } from './catalogRecord.ts';
export { CatalogNotEmptyError, rebuildCatalog } from './rebuild/rebuildCatalog.ts';
export type { RebuildProgress, RebuildSource, RebuildSummary } from './rebuild/rebuildCatalog.ts';
export {
  acceptRuleProposal,
  DRY_RUN_DAYS,
  dryRunProposal,
  dryRunProposals,
  effectiveSchedule,
  readScheduleSource,
  refreshRuleProposals,
  rejectRuleProposal,
  SCHEDULE_REFRESH_MS,
  startScheduleRefresh,
} from './scheduleLearning.ts';
export type { EffectiveSchedule, ScheduleSource } from './scheduleLearning.ts';
export { destroyItem, DestructionRefusedError, registerCsv, registerHtml, registerPdf } from './disposition/index.ts';
export type { DestructionDeps, DestructionResult, LockedObject, RegisterOptions } from './disposition/index.ts';
