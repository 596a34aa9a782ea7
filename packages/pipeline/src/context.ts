import type { Producer } from 'kafkajs';
import type { Catalog, IngestRecord } from '@oa-archive/catalog';
import type { OaSource } from '@oa-archive/config';
import type { Stage } from '@oa-archive/contracts';
import type { Logger } from '@oa-archive/observability';
import type { ObjectStore } from '@oa-archive/storage';
import type { StageQueues } from './queues.ts';

export interface PipelineSettings {
  stagingBucket: string;
  archiveBucket: string;
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
}

/** A stage's work for one ingest. Must be safe to run twice. */
export type StageHandler = (context: StageContext) => Promise<StageResult>;
