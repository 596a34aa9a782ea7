import type { Producer } from 'kafkajs';
import type { EepSigner } from '@oa-archive/aip';
import type { Catalog, IngestRecord, StageOutcome } from '@oa-archive/catalog';
import type { MetadataReader, RiskLimits, VirusScanner } from '@oa-archive/characterize';
import type { RetentionSchedule } from '@oa-archive/classify';
import type { ConversionPolicy, Converter, VeraPdf } from '@oa-archive/convert';
import type { OaSource } from '@oa-archive/config';
import type { Stage } from '@oa-archive/contracts';
import type { Logger } from '@oa-archive/observability';
import type { ObjectStore } from '@oa-archive/storage';
import type { LocalCache } from './localCache.ts';
import type { PipelineMetrics } from './metrics.ts';
import type { StageQueues } from './queues.ts';
import type { RecoverySettings } from './recovery/settings.ts';

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
  /** AGENCY_TIME_ZONE (IANA): bag-info's Bagging-Date and the DA/T 46 record's dates and times are the agency's local ones. */
  agencyTimeZone: string;
  /** Attempts a conversion gets before the conversion policy's onFailure applies. */
  convertAttempts: number;
  /** S3 Object Lock on archive objects: only for buckets created with Object Lock enabled. */
  objectLock: 'off' | 'governance' | 'compliance';
  receiptsTopic: string;
  sources: Record<string, OaSource>;
  fetch: { maxBytes: number; timeoutMs: number };
  /** Stage deadlines and how often a lost or stalled job is put back before the ingest is FAILED. */
  recovery: RecoverySettings;
  /** CLAMAV_MODE: with `clamd` a component without a virus check holds the document (GD-4-2); `off` reports that none was made. */
  virusScanning?: 'off' | 'clamd';
  /** CLAMAV_MAX_SIGNATURE_AGE_DAYS: GD-4-1 fails for a scan whose official database was older; 0 or absent: unchecked. */
  virusSignatureMaxAgeDays?: number;
  /** VERAPDF_MODE: with `on` validate checks every PDF/A copy with veraPDF (GD-3-3) and waits while veraPDF cannot answer; `off` reports that none was checked. */
  pdfaValidation?: 'off' | 'on';
  /** EEP_SM2_*: the SM2 key that signs a DA/T 48 EEP (schedule output.eep); without it the EEP's 电子签名块 is empty and says so. */
  eepSigner?: EepSigner;
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
  /** clamd (CLAMAV_MODE=clamd); absent when virus scanning is off, which the four-properties report says (GD-4-1). */
  virusScanner?: VirusScanner;
  /** veraPDF kept warm (VERAPDF_MODE=on), in processes that run the validate stage. */
  pdfaValidator?: VeraPdf;
  /** This host's copies of staged bytes (SCRATCH_CACHE_MAX_BYTES): read instead of staging when present. Only a cache. */
  cache?: LocalCache;
  settings: PipelineSettings;
}

export interface StageContext {
  ingest: IngestRecord;
  attempt: number;
  log: Logger;
  deps: PipelineDeps;
  /** Aborted when the stage passes its deadline: long work should stop (the attempt has failed). The runner always gives one. */
  signal?: AbortSignal;
}

export interface StageResult {
  /** Recorded with the stage run and in its audit event. */
  detail: Record<string, unknown>;
  /** Where the document goes next; default the following stage, `null` to stop here. */
  next?: Stage | null;
  /**
   * The outcome this stage reached (FILED, EXCLUDED, QUARANTINED, or REVIEW: waiting for a person
   * here). Recorded with the stage run in one transaction, with its receipt; `next` is then ignored.
   */
  outcome?: StageOutcome;
}

/** A stage's work for one ingest. Must be safe to run twice. */
export type StageHandler = (context: StageContext) => Promise<StageResult>;
