import { z } from 'zod';
import { custodyEnv, databaseEnv, int, kafkaEnv, loadConfig, logEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';
import { isTimeZone } from '@oa-archive/contracts';
import { LOCAL_SOURCES_FILE } from '@oa-archive/gateway';
import { DEFAULT_LOCALE, LOCALES, type Locale } from '@oa-archive/messages';
import { parseStageDeadlines, type RecoverySettings } from '@oa-archive/pipeline';

export const cliEnv = z.object({
  ...logEnv.shape,
  ...databaseEnv.shape,
  ...s3Env.shape,
  ...redisEnv.shape,
  ...pipelineEnv.shape,
  ...kafkaEnv.shape,
  ...custodyEnv.shape,
  RETENTION_SCHEDULE: z.string().min(1).optional(),
  /** The language of the commands' human-facing output, zh-CN or en; unset, the shell's (see systemLocale). */
  ARCHIVE_LOCALE: z.enum(LOCALES).default(DEFAULT_LOCALE),
  /** The agency's time zone: the day `archive disposition` applies the rules for, and the register's dates. */
  AGENCY_TIME_ZONE: z.string().default('Asia/Shanghai').refine(isTimeZone, 'not an IANA time zone, e.g. Asia/Shanghai'),
  /** The gateway's sources file: where `archive reconcile` asks each OA what it finalized. */
  GATEWAY_SOURCES_FILE: z.string().min(1).default(LOCAL_SOURCES_FILE),
  /** As the worker reads them: `archive reconcile-jobs` judges ingests as the workers' reconciler does. */
  STAGE_DEADLINES: z.string().default(''),
  RECONCILE_GRACE_MS: int(20_000, 0),
  RECONCILE_MAX_RECOVERIES: int(5, 0),
});
export type CliConfig = z.infer<typeof cliEnv>;

/**
 * The shell's language as POSIX ranks its variables (LC_ALL, then LC_MESSAGES, then LANG): zh* → zh-CN,
 * en* → en; C, POSIX, unset or any other language → zh-CN, the product's default (its readers are Chinese
 * records officers, whose servers often run with LANG=C).
 */
export function systemLocale(env: Record<string, string | undefined>): Locale {
  const tag = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '')?.toLowerCase() ?? '';
  if (tag.startsWith('en')) return 'en';
  if (tag.startsWith('zh')) return 'zh-CN';
  return DEFAULT_LOCALE;
}

/** The language of a command that reads no other configuration (the classify dry run): ARCHIVE_LOCALE when it names one, else the shell's. */
export function localeOfEnv(env: Record<string, string | undefined>): Locale {
  return (LOCALES as readonly string[]).includes(env.ARCHIVE_LOCALE ?? '') ? (env.ARCHIVE_LOCALE as Locale) : systemLocale(env);
}

export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  // ARCHIVE_LOCALE, when set, wins and must name a locale the catalogue has; the shell's is only a fallback.
  return loadConfig(cliEnv, { ...env, ARCHIVE_LOCALE: env.ARCHIVE_LOCALE || systemLocale(env) });
}

export function recoverySettingsOf(config: Pick<CliConfig, 'STAGE_DEADLINES' | 'RECONCILE_GRACE_MS' | 'RECONCILE_MAX_RECOVERIES'>): RecoverySettings {
  return { deadlines: parseStageDeadlines(config.STAGE_DEADLINES), graceMs: config.RECONCILE_GRACE_MS, maxRecoveries: config.RECONCILE_MAX_RECOVERIES, batchSize: 500 };
}
