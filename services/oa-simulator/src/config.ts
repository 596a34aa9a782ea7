import { z } from 'zod';
import { int, kafkaEnv, loadConfig, logEnv } from '@oa-archive/config';

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
});
export type SimulatorConfig = z.infer<typeof simulatorEnv>;

export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  return loadConfig(simulatorEnv, env);
}
