import { z } from 'zod';
import { custodyEnv, databaseEnv, int, kafkaEnv, loadConfig, logEnv, oaSourcesEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';
import { existsSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MANDATORY_ELEMENTS } from '@oa-archive/characterize';
import { isStage, isTimeZone, STAGES, type Stage } from '@oa-archive/contracts';
import { parseStageDeadlines, type RecoverySettings } from '@oa-archive/pipeline';
import { stageConcurrency } from './concurrency.ts';

/** Where infra/local/validators.sh keeps veraPDF's jars and the compiled PdfaServer. */
const VALIDATORS_HOME = path.join(process.env.OA_ARCHIVE_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'oa-archive'), 'validators');

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

const concurrencyMap = z.partialRecord(z.enum(STAGES), z.number().int().min(1)).refine((m) => Object.keys(m).length > 0);

/** WORKER_CONCURRENCY_FETCH … WORKER_CONCURRENCY_NOTIFY. */
const stageConcurrencyEnv = Object.fromEntries(STAGES.map((stage) => [concurrencyVariableOf(stage), z.coerce.number().int().min(1).optional()])) as Record<
  `WORKER_CONCURRENCY_${Uppercase<Stage>}`,
  z.ZodOptional<z.ZodCoercedNumber>
>;

function concurrencyVariableOf(stage: Stage): `WORKER_CONCURRENCY_${Uppercase<Stage>}` {
  return `WORKER_CONCURRENCY_${stage.toUpperCase() as Uppercase<Stage>}`;
}

export const workerEnv = z.object({
  ...logEnv.shape,
  ...kafkaEnv.shape,
  ...redisEnv.shape,
  ...databaseEnv.shape,
  ...s3Env.shape,
  ...oaSourcesEnv.shape,
  ...pipelineEnv.shape,
  ...custodyEnv.shape,
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
  /**
   * Jobs of a stage a process works on at once: a number for every stage, or a JSON map such as
   * `{"convert": 2, "fetch": 8}`; WORKER_CONCURRENCY_<STAGE> overrides either. Unset, each stage's
   * comes from the cores and the tool pools (see concurrency.ts).
   */
  WORKER_CONCURRENCY: z
    .string()
    .optional()
    .transform((text, ctx): number | Partial<Record<Stage, number>> | undefined => {
      if (text === undefined || text.trim() === '') return undefined;
      if (/^\d+$/.test(text.trim()) && Number(text) >= 1) return Number(text);
      const parsed = concurrencyMap.safeParse((() => {
        try {
          return JSON.parse(text);
        } catch {
          return undefined;
        }
      })());
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: `WORKER_CONCURRENCY must be a whole number ≥ 1 or a JSON map of stages (${STAGES.join(', ')}) to such numbers, not ${JSON.stringify(text)}` });
      return z.NEVER;
    }),
  ...stageConcurrencyEnv,
  FETCH_MAX_BYTES: int(4 * 1024 ** 3, 1),
  FETCH_TIMEOUT_MS: int(10 * 60_000, 100),
  /** The agency's retention schedule (YAML); the shipped default derives from 8号令. */
  RETENTION_SCHEDULE: z.string().min(1).optional(),
  /** DA/T 46 elements whose absence sends a document to review, comma-separated; photos' and recordings' DA/T 54 / 63 elements as 照片属性.拍摄时间, 音视频属性.时长 … */
  /**
   * The agency's IANA time zone: bag-info's Bagging-Date is its calendar day, and the DA/T 46 record's
   * 日期 and 行为时间 its local date and time (with the offset). Checked here, once, at start-up.
   */
  AGENCY_TIME_ZONE: z.string().default('Asia/Shanghai').refine(isTimeZone, 'not an IANA time zone, e.g. Asia/Shanghai'),
  METADATA_MANDATORY: z
    .string()
    .default(DEFAULT_MANDATORY_ELEMENTS.join(','))
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  SCRATCH_DIR: z.string().min(1).default(path.join(tmpdir(), 'oa-archive-scratch')),
  /**
   * Room for this host's copies of staged bytes under SCRATCH_DIR/cache, shared by the worker processes
   * on the host: a stage reads what an earlier stage here had from disk, not from staging. 0 turns it
   * off; objects over an eighth of it are not kept.
   */
  SCRATCH_CACHE_MAX_BYTES: int(2 * 1024 ** 3, 0),
  /**
   * Multipart uploads in the staging and archive buckets started longer ago than this are aborted
   * when a worker starts (a killed worker leaves their parts stored). Longer than any upload takes.
   */
  MULTIPART_ABANDONED_AFTER_MS: int(24 * 3_600_000, 0),
  EXIFTOOL_PROCS: int(2, 1),
  /**
   * Virus check (DA/T 70 GD-4-2), on by default: `clamd` scans every component over CLAMAV_SOCKET,
   * and while clamd does not answer the document waits (deferred with backoff, shown as waiting for
   * the scanner), never passes unscanned. `off` files documents UNSCANNED; the four-properties report
   * marks GD-4-1 and GD-4-2 not checked. Production points CLAMAV_SOCKET at the agency's own clamd.
   */
  CLAMAV_MODE: z.enum(['off', 'clamd']).default('clamd'),
  /** A unix socket path or tcp://host:port; the default is where infra/local/clamav.sh starts one. */
  CLAMAV_SOCKET: z.string().min(1).default(path.join(process.env.OA_ARCHIVE_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'oa-archive'), 'run', 'clamd.sock')),
  CLAMAV_TIMEOUT_MS: int(120_000, 1000),
  /** GD-4-1 fails for a scan whose official signature database was older than this many days (0: unchecked). */
  CLAMAV_MAX_SIGNATURE_AGE_DAYS: int(7, 0),
  /**
   * PDF/A validation (DA/T 70 GD-3-3): `on` checks every PDF/A copy with veraPDF in the validate stage
   * (a JVM kept warm per worker process); a copy that does not validate holds the document with
   * veraPDF's rule ids, and veraPDF not answering makes it wait. The default is `on` where the
   * classpath's compiled PdfaServer exists (infra/local/validators.sh builds it), else `off`.
   */
  VERAPDF_MODE: z.enum(['off', 'on']).default(existsSync(path.join(VALIDATORS_HOME, 'classes', 'PdfaServer.class')) ? 'on' : 'off'),
  /** veraPDF's jars and the compiled PdfaServer class (`infra/local/validators.sh classpath`). */
  VERAPDF_CLASSPATH: z.string().min(1).default(`${path.join(VALIDATORS_HOME, 'libs', '*')}${path.delimiter}${path.join(VALIDATORS_HOME, 'classes')}`),
  VERAPDF_JAVA: z.string().min(1).default('java'),
  /** JVMs kept warm per worker process; each validates one file at a time. */
  VERAPDF_INSTANCES: int(1, 1),
  /** One file's validation; a JVM past it is killed and replaced, and the document retried. */
  VERAPDF_TIMEOUT_MS: int(60_000, 1000),
  /**
   * The SM2 key pair (hex: 64-digit private key, 04-prefixed uncompressed public key) that signs the
   * DA/T 48 EEP of a schedule with `output: { eep: true }`, and the 签名人 written with it. Unset: the
   * EEP is written unsigned and says so. Give the private key from a secret store, never a file in git.
   */
  EEP_SM2_PRIVATE_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, 'an SM2 private key as 64 hex digits').optional(),
  EEP_SM2_PUBLIC_KEY: z.string().regex(/^04[0-9a-fA-F]{128}$/, 'an uncompressed SM2 public key: 04 and 128 hex digits').optional(),
  EEP_SIGNER: z.string().min(1).optional(),
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
  /** How often this process delivers receipts to the OA sources that have a `callback` in OA_SOURCES; 0 turns it off here. */
  CALLBACK_INTERVAL_MS: int(1_000, 0),
  /**
   * Attempts per callback before it is dead-lettered. With the default backoff, 15 attempts span about
   * 3 to 6½ hours: an OA down for a maintenance evening still gets every receipt.
   */
  CALLBACK_ATTEMPTS: int(15, 1),
  /** The wait after a callback's first failed attempt, doubled after each one up to CALLBACK_BACKOFF_MAX_MS; each wait is between half and all of that. */
  CALLBACK_BACKOFF_MS: int(10_000, 0),
  CALLBACK_BACKOFF_MAX_MS: int(3_600_000, 0),
  /** One callback POST (connect, send, answer) may take this long. */
  CALLBACK_TIMEOUT_MS: int(10_000, 100),
  /** Callbacks POSTed at once by one process. */
  CALLBACK_BATCH: int(16, 1),
  /** /metrics, /healthz and /readyz; 0 picks a free port, -1 turns them off (several workers on one host). */
  WORKER_OPS_HOST: z.string().default('127.0.0.1'),
  WORKER_OPS_PORT: z.coerce.number().int().min(-1).max(65535).default(9464),
}).refine((env) => Boolean(env.EEP_SM2_PRIVATE_KEY) === Boolean(env.EEP_SM2_PUBLIC_KEY), {
  path: ['EEP_SM2_PRIVATE_KEY'],
  message: 'EEP_SM2_PRIVATE_KEY and EEP_SM2_PUBLIC_KEY are a pair: set both to sign EEPs, or neither to write them unsigned',
});

export type WorkerConfig = z.infer<typeof workerEnv>;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return loadConfig(workerEnv, env);
}

/** Each stage's concurrency in this process, from the configuration, the machine's cores and the tool pools. */
export function concurrencyOf(config: WorkerConfig, cores: number = availableParallelism()): Record<Stage, number> {
  return stageConcurrency(
    { all: config.WORKER_CONCURRENCY, byStage: Object.fromEntries(STAGES.map((stage) => [stage, config[concurrencyVariableOf(stage)]])) },
    { cores, libreOfficeInstances: config.LIBREOFFICE_INSTANCES, exiftoolProcs: config.EXIFTOOL_PROCS },
  );
}

/**
 * PostgreSQL connections one worker process holds at most: two per job of its busiest stage, and two
 * for the recovery tasks (the stages' jobs share the pool, waiting for a connection when it is used
 * up). A deployment's connection budget is this times its maximum replica count.
 */
export function catalogPoolSize(config: WorkerConfig, cores?: number): number {
  const concurrency = concurrencyOf(config, cores);
  return Math.max(...config.WORKER_STAGES.map((stage) => concurrency[stage]), 1) * 2 + 2;
}

/** What the runner, the `failed` handler and the reconciler need to know about recovery. */
export function recoverySettingsOf(config: Pick<WorkerConfig, 'STAGE_DEADLINES' | 'RECONCILE_GRACE_MS' | 'RECONCILE_MAX_RECOVERIES'>): RecoverySettings {
  return { deadlines: config.STAGE_DEADLINES, graceMs: config.RECONCILE_GRACE_MS, maxRecoveries: config.RECONCILE_MAX_RECOVERIES, batchSize: 500 };
}
