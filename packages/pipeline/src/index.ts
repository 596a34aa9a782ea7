export { archiveComponentKeyOf, archivePrefixOf, filedPrefixOf, idSegment, safeSegment, stagingKeyOf } from './archiveLayout.ts';
export { anchorAuditChain, readAuditAnchors, startAuditAnchoring, verifyAuditAnchors } from './auditAnchoring.ts';
export type { AnchorResult, AnchorTarget } from './auditAnchoring.ts';
export { BackpressureGate } from './backpressure.ts';
export { assessFourProperties } from './fourProperties.ts';
export type { CheckItem, FourPropertiesInput, FourPropertiesReport, Property } from './fourProperties.ts';
export type { PipelineDeps, PipelineSettings, StageContext, StageHandler, StageResult } from './context.ts';
export {
  ComponentTooLargeError,
  describeError,
  FetchHttpError,
  FetchRefusedError,
  FetchTimeoutError,
  isRetryable,
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
export type { ReceiptRelayDeps } from './receiptRelay.ts';
export { decideRecovery, OVERDUE_MARGIN_MS, STALLED_REASON } from './recovery/decide.ts';
export type { RecoveryDecision, RecoveryFacts } from './recovery/decide.ts';
export { reconcileIngest, reconcileJobs } from './recovery/reconciler.ts';
export type { ReconcileReport, RecoveryAction, RecoveryDeps } from './recovery/reconciler.ts';
export { DEFAULT_RECOVERY, DEFAULT_STAGE_DEADLINES_MS, parseDuration, parseStageDeadlines, RecoverySettingsError } from './recovery/settings.ts';
export type { RecoverySettings } from './recovery/settings.ts';
export { PipelineMetrics } from './metrics.ts';
export { cleanScratch, processScratchDir } from './scratch.ts';
export { objectLockFor } from './stages/deposit.ts';
export { stageHandlers } from './stages/index.ts';
export { OperationError, replayBulk, replayIngest, settleReview } from './operations.ts';
export type { BulkReplayFilter, ReplayRequest, ReviewDecision } from './operations.ts';
