export { archiveComponentKeyOf, archivePrefixOf, filedPrefixOf, safeSegment, stagingKeyOf } from './archiveLayout.ts';
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
  UnknownIngestError,
} from './errors.ts';
export { intakeStateKey, jobIdOf, jobOptionsOf, queueNameOf, StageQueues } from './queues.ts';
export type { RetryPolicy, StageJobData } from './queues.ts';
export { createStageWorker, runStage } from './runner.ts';
export { PipelineMetrics } from './metrics.ts';
export { objectLockFor } from './stages/deposit.ts';
export { stageHandlers } from './stages/index.ts';
export { OperationError, replayBulk, replayIngest, settleReview } from './operations.ts';
export type { BulkReplayFilter, ReplayRequest, ReviewDecision } from './operations.ts';
