import { z } from 'zod';
import { databaseEnv, int, kafkaEnv, loadConfig, logEnv, oaSourcesEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MANDATORY_ELEMENTS } from '@oa-archive/characterize';
import { isStage, STAGES, type Stage } from '@oa-archive/contracts';

export const workerEnv = z.object({
  ...logEnv.shape,
  ...kafkaEnv.shape,
  ...redisEnv.shape,
  ...databaseEnv.shape,
  ...s3Env.shape,
  ...oaSourcesEnv.shape,
  ...pipelineEnv.shape,
  /** Which stages this process runs: `all`, or a comma list such as `fetch,deposit`. */
  WORKER_STAGES: z
    .string()
    .default('all')
    .transform((text, ctx): Stage[] => {
      if (text.trim() === 'all') return [...STAGES];
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
  /** /metrics, /healthz and /readyz; 0 picks a free port, -1 turns them off (several workers on one host). */
  WORKER_OPS_HOST: z.string().default('127.0.0.1'),
  WORKER_OPS_PORT: z.coerce.number().int().min(-1).max(65535).default(9464),
});

export type WorkerConfig = z.infer<typeof workerEnv>;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return loadConfig(workerEnv, env);
}
