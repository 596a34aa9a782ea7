import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { int, kafkaEnv, loadConfig, logEnv, s3Env } from '@oa-archive/config';

export const simulatorEnv = z.object({
  ...logEnv.shape,
  ...kafkaEnv.shape,
  SIMULATOR_HOST: z.string().default('127.0.0.1'),
  SIMULATOR_PORT: int(8088, 0),
  /** Must match the token configured for this source in the archive's OA_SOURCES. */
  SIMULATOR_TOKEN: z.string().min(8).default('local-simulator-token'),
  SIMULATOR_SOURCE: z.string().min(1).default('oa-simulator'),
  /** The base URL put into events, when the archive reaches the simulator by another name than it listens on. */
  SIMULATOR_PUBLIC_URL: z.url().optional(),
  /** The archive gateway the `push` command sends to. */
  SIMULATOR_GATEWAY_URL: z.url().default('http://127.0.0.1:8090'),
  /** Overrides the source, app id and secret of the chosen push shape (defaults: services/gateway/sources.local.yaml). */
  SIMULATOR_PUSH_SOURCE: z.string().min(1).optional(),
  SIMULATOR_PUSH_APP_ID: z.string().min(1).optional(),
  SIMULATOR_PUSH_SECRET: z.string().min(16).optional(),
  /** The middle table the `table` command writes rows into (the demo's oa-sim-table source polls it). */
  SIMULATOR_TABLE_DRIVER: z.enum(['postgresql', 'mysql']).default('postgresql'),
  SIMULATOR_TABLE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/oa_archive'),
  SIMULATOR_TABLE: z.string().min(1).default('oa_simulator_outbox'),
  /** The source the gateway reads that table as (services/gateway/sources.local.yaml). */
  SIMULATOR_TABLE_SOURCE: z.string().min(1).default('oa-sim-table'),
  /**
   * What this OA finalized, one JSON line per document (every command adds to it; `serve` lists it at
   * GET /finalized for the archive's completeness check). Commands and server must share the file.
   */
  SIMULATOR_LEDGER: z.string().min(1).default(path.join(tmpdir(), 'oa-simulator', 'finalized.jsonl')),
  /** Where `drop` puts packages: <bucket>/<prefix>incoming/ on the S3 store (S3_*), or a directory's incoming/. */
  SIMULATOR_DROP_BUCKET: z.string().min(3).default('oa-dropbox'),
  /** Default: the package source's own prefix, oa-sim-drop/ (folders) or oa-sim-eep/ (EEP files). */
  SIMULATOR_DROP_PREFIX: z.string().regex(/^([^/].*\/)?$/).optional(),
  SIMULATOR_DROP_DIRECTORY: z.string().min(1).optional(),
  ...s3Env.pick({ S3_ENDPOINT: true, S3_REGION: true, S3_ACCESS_KEY_ID: true, S3_SECRET_ACCESS_KEY: true, S3_FORCE_PATH_STYLE: true, S3_SDK_CHECKSUMS: true }).shape,
});
export type SimulatorConfig = z.infer<typeof simulatorEnv>;

export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  return loadConfig(simulatorEnv, env);
}
