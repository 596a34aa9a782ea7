import { z } from 'zod';
import { databaseEnv, int, kafkaEnv, loadConfig, logEnv, oaSourcesEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MANDATORY_ELEMENTS } from '@oa-archive/characterize';
import { isStage, STAGES, type Stage } from '@oa-archive/contracts';
import { parseStageDeadlines, type RecoverySettings } from '@oa-archive/pipeline';

/** `stage=duration,…` over the default deadlines (see DEFAULT_STAGE_DEADLINES_MS). */
export const stageDeadlines = z
  .string()
  .default('')
  .transform((text, ctx) => {
    try {
      return parseStageDeadlines(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const workerEnv = z.object({
  ...logEnv.shape,
  ...kafkaEnv.shape,
  ...redisEnv.shape,
  ...databaseEnv.shape,
  ...s3Env.shape,
  ...oaSourcesEnv.shape,
  ...pipelineEnv.shape,
  /** Which stages this process runs: `all`, a comma list such as `fetch,deposit`, or `none` (only the reconciler and the receipt relay). */
  WORKER_STAGES: z
    .string()
    .default('all')
    .transform((text, ctx): Stage[] => {
      if (text.trim() === 'all') return [...STAGES];
      // A process that only reconciles and relays receipts.
      if (text.trim() === 'none') return [];
      const names = text.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !isStage(n));
      if (unknown.length > 0 || names.length === 0) {
        ctx.addIssue({ code: 'custom', message: `unknown stage(s) ${unknown.join(', ') || '(none given)'}; stages are ${STAGES.join(', ')}` });
        return z.NEVER;
      }
      return names as Stage[];
    }),
  /** Jobs of one stage a process works on at once. */
  WORKER_CONCURRENCY: int(4, 1),
  FETCH_MAX_BYTES: int(4 * 1024 ** 3, 1),
  FETCH_TIMEOUT_MS: int(10 * 60_000, 100),
  /** The agency's retention schedule (YAML); the shipped default derives from 8号令. */
  RETENTION_SCHEDULE: z.string().min(1).optional(),
  /** DA/T 46 elements whose absence sends a document to review, comma-separated. */
  METADATA_MANDATORY: z
    .string()
    .default(DEFAULT_MANDATORY_ELEMENTS.join(','))
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  SCRATCH_DIR: z.string().min(1).default(path.join(tmpdir(), 'oa-archive-scratch')),
  /**
   * Multipart uploads in the staging and archive buckets started longer ago than this are aborted
   * when a worker starts (a killed worker leaves their parts stored). Longer than any upload takes.
   */
  MULTIPART_ABANDONED_AFTER_MS: int(24 * 3_600_000, 0),
  EXIFTOOL_PROCS: int(2, 1),
  /** Archives are inspected, never unpacked: beyond these bounds they are unsafe. */
  ARCHIVE_MAX_ENTRIES: int(10_000, 1),
  ARCHIVE_MAX_TOTAL_BYTES: int(8 * 1024 ** 3, 1),
  ARCHIVE_MAX_NESTING: int(1, 0),
  /** The conversion policy registry (YAML); the shipped default converts to PDF/A-2b, PNG, WAV, MP4. */
  CONVERSION_POLICY: z.string().min(1).optional(),
  /** Warm headless LibreOffice instances per worker process (each holds a few hundred MB). */
  LIBREOFFICE_INSTANCES: int(2, 1),
  /** Debian's python3, which has the uno module (python3-uno). */
  LIBREOFFICE_PYTHON: z.string().min(1).default('/usr/bin/python3'),
  CONVERSION_TIMEOUT_MS: int(120_000, 1000),
  /** How often the audit chain's head is anchored, write-once, in the archive bucket (one replica per round); 0 turns it off. */
  AUDIT_ANCHOR_INTERVAL_MS: int(15 * 60_000, 0),
  /**
   * A job's lock, renewed while it runs: how soon a killed worker's job is taken over (about lock +
   * stalled interval). The stage deadline, not the lock, bounds how long an attempt runs.
   */
  JOB_LOCK_MS: int(30_000, 1000),
  /** How often each worker looks for jobs whose lock lapsed. */
  JOB_STALLED_INTERVAL_MS: int(15_000, 1000),
  /** Takeovers from dead workers a job may have before it fails (and is put back by the reconciler, up to RECONCILE_MAX_RECOVERIES). */
  JOB_MAX_STALLED: int(2, 0),
  /** Per-stage deadlines, e.g. `convert=45m,fetch=1h`; unnamed stages keep theirs (fetch, convert, deposit 30m; classify 2m …). */
  STAGE_DEADLINES: stageDeadlines,
  /** How often this process runs a reconciler pass (one process at a time does); 0 turns it off here. */
  RECONCILE_INTERVAL_MS: int(15_000, 0),
  /** An ingest whose status changed less than this long ago is not checked (its next job may be on its way). */
  RECONCILE_GRACE_MS: int(20_000, 0),
  /** Recoveries at one stage before the ingest is FAILED with the reason. */
  RECONCILE_MAX_RECOVERIES: int(5, 0),
  /** How often this process publishes receipts waiting in the outbox (after a Kafka outage, say); 0 turns it off here. */
  RECEIPT_RELAY_INTERVAL_MS: int(2_000, 0),
  /** /metrics, /healthz and /readyz; 0 picks a free port, -1 turns them off (several workers on one host). */
  WORKER_OPS_HOST: z.string().default('127.0.0.1'),
  WORKER_OPS_PORT: z.coerce.number().int().min(-1).max(65535).default(9464),
});

export type WorkerConfig = z.infer<typeof workerEnv>;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return loadConfig(workerEnv, env);
}

/**
 * PostgreSQL connections one worker process holds at most: two per concurrent job of a stage, and two
 * for the recovery tasks. A deployment's connection budget is this times its maximum replica count.
 */
export function catalogPoolSize(config: Pick<WorkerConfig, 'WORKER_CONCURRENCY'>): number {
  return config.WORKER_CONCURRENCY * 2 + 2;
}

/** What the runner, the `failed` handler and the reconciler need to know about recovery. */
export function recoverySettingsOf(config: Pick<WorkerConfig, 'STAGE_DEADLINES' | 'RECONCILE_GRACE_MS' | 'RECONCILE_MAX_RECOVERIES'>): RecoverySettings {
  return { deadlines: config.STAGE_DEADLINES, graceMs: config.RECONCILE_GRACE_MS, maxRecoveries: config.RECONCILE_MAX_RECOVERIES, batchSize: 500 };
}
