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
});
export type SimulatorConfig = z.infer<typeof simulatorEnv>;

export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  return loadConfig(simulatorEnv, env);
}
