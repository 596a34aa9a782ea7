/** The pipeline's stages, in order. Each has its own BullMQ queue. */
export const STAGES = [
  'fetch',
  'characterize',
  'classify',
  'convert',
  'validate',
  'package',
  'deposit',
  'notify',
] as const;
export type Stage = (typeof STAGES)[number];

export function nextStage(stage: Stage): Stage | undefined {
  return STAGES[STAGES.indexOf(stage) + 1];
}

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

/**
 * Where an ingest stands. RECEIVED and IN_PROGRESS are transient; the rest are outcomes answered to
 * the OA with a receipt. REVIEW waits for a person and is not final.
 */
export const INGEST_STATUSES = [
  'RECEIVED',
  'IN_PROGRESS',
  'FILED',
  'EXCLUDED',
  'QUARANTINED',
  'REVIEW',
  'FAILED',
] as const;
export type IngestStatus = (typeof INGEST_STATUSES)[number];

export const FINAL_STATUSES: readonly IngestStatus[] = ['FILED', 'EXCLUDED', 'QUARANTINED', 'FAILED'];
