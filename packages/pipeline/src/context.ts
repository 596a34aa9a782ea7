import type { Producer } from 'kafkajs';
import type { Catalog, IngestRecord } from '@oa-archive/catalog';
import type { MetadataReader, RiskLimits } from '@oa-archive/characterize';
import type { RetentionSchedule } from '@oa-archive/classify';
import type { ConversionPolicy, Converter } from '@oa-archive/convert';
import type { OaSource } from '@oa-archive/config';
import type { Stage } from '@oa-archive/contracts';
import type { Logger } from '@oa-archive/observability';
import type { ObjectStore } from '@oa-archive/storage';
import type { PipelineMetrics } from './metrics.ts';
import type { StageQueues } from './queues.ts';

export interface PipelineSettings {
  stagingBucket: string;
  archiveBucket: string;
  /** Where 涉密 and unsafe documents are kept, outside the open archive. */
  quarantineBucket: string;
  /** Local cache for files being characterized; emptied after each document. */
  scratchDir: string;
  riskLimits: RiskLimits;
  /** DA/T 46 elements whose absence is an integrity finding. */
  mandatoryMetadata: readonly string[];
  /** Attempts a conversion gets before the conversion policy's onFailure applies. */
  convertAttempts: number;
  /** S3 Object Lock on archive objects: only for buckets created with Object Lock enabled. */
  objectLock: 'off' | 'governance' | 'compliance';
  receiptsTopic: string;
  sources: Record<string, OaSource>;
  fetch: { maxBytes: number; timeoutMs: number };
}

/** What stages share: the catalog and object storage (and the receipts topic), nothing else. */
export interface PipelineDeps {
  catalog: Catalog;
  store: ObjectStore;
  queues: StageQueues;
  producer: Producer;
  logger: Logger;
  schedule: RetentionSchedule;
  metadataReader: MetadataReader;
  metrics?: PipelineMetrics;
  /** Read by convert and by validate (which formats are accepted for preservation), in every process. */
  conversionPolicy: ConversionPolicy;
  /** Present in processes that run the convert stage (it holds warm LibreOffice instances). */
  converter?: Converter;
  settings: PipelineSettings;
}

export interface StageContext {
  ingest: IngestRecord;
  attempt: number;
  log: Logger;
  deps: PipelineDeps;
}

export interface StageResult {
  /** Recorded with the stage run and in its audit event. */
  detail: Record<string, unknown>;
  /** Where the document goes next; default the following stage, `null` to stop here. */
  next?: Stage | null;
  /**
   * Distinguishes a later job of the same stage for the same ingest (e.g. a receipt for REVIEW now
   * and one for FILED after review), since job ids are otherwise one per ingest and stage.
   */
  nextJobKey?: string;
}

/** A stage's work for one ingest. Must be safe to run twice. */
export type StageHandler = (context: StageContext) => Promise<StageResult>;
