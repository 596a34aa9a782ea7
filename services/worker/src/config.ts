import { z } from 'zod';
import { databaseEnv, int, kafkaEnv, loadConfig, logEnv, oaSourcesEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';
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
});

export type WorkerConfig = z.infer<typeof workerEnv>;

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  return loadConfig(workerEnv, env);
}
