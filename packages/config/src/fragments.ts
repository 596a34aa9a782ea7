import { z } from 'zod';

/** Environment fragments shared by the services. Defaults run against infra/local on loopback. */

const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) => s.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(1)).min(1));

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((s) => s === 'true' || s === '1');

export const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

export const logEnv = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const kafkaEnv = z.object({
  KAFKA_BROKERS: csv('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().default('oa-archive'),
  KAFKA_TOPIC_FINALIZED: z.string().min(1).default('oa.document.finalized'),
  KAFKA_TOPIC_DEAD_LETTER: z.string().min(1).default('oa.document.finalized.dlq'),
  KAFKA_TOPIC_RECEIPTS: z.string().min(1).default('archive.document.filed'),
});

export const redisEnv = z.object({
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** Keeps several deployments (or test runs) apart on one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('oa-archive'),
});

export const databaseEnv = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/oa_archive'),
});

export const s3Env = z.object({
  S3_ENDPOINT: z.url().optional().default('http://127.0.0.1:9000'),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).default('oa-archive-local'),
  S3_SECRET_ACCESS_KEY: z.string().min(1).default('oa-archive-local-secret'),
  S3_FORCE_PATH_STYLE: bool(true),
  S3_STAGING_BUCKET: z.string().min(3).default('oa-staging'),
  S3_ARCHIVE_BUCKET: z.string().min(3).default('oa-archive'),
  /** Object Lock on archive objects (retention from the 保管期限, legal hold for 永久); the bucket must have it enabled. */
  S3_OBJECT_LOCK: z.enum(['off', 'governance', 'compliance']).default('off'),
  /** 涉密 and unsafe documents: kept, never in the open archive. */
  S3_QUARANTINE_BUCKET: z.string().min(3).default('oa-quarantine'),
  /**
   * `when_supported` lets the SDK add its default CRC32 trailers (AWS S3, S3Proxy, Ceph RGW); stores
   * that cannot read aws-chunked trailers need `when_required`, which sends only the checksums we ask for.
   */
  S3_SDK_CHECKSUMS: z.enum(['when_required', 'when_supported']).default('when_supported'),
  /** Create the buckets at start-up (local runs); production buckets are provisioned with Object Lock. */
  S3_CREATE_BUCKETS: bool(true),
});

/** Per OA system: which hosts its component URLs may point at, and the bearer token to present. */
export const oaSourceSchema = z.object({
  allowedHosts: z.array(z.string().min(1)).min(1),
  token: z.string().min(1).optional(),
});
export type OaSource = z.infer<typeof oaSourceSchema>;

export const oaSourcesEnv = z.object({
  OA_SOURCES: z
    .string()
    .default(JSON.stringify({ 'oa-simulator': { allowedHosts: ['127.0.0.1:8088'], token: 'local-simulator-token' } }))
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'OA_SOURCES must be JSON: {"<source>": {"allowedHosts": [...], "token": "..."}}' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().min(1), oaSourceSchema)),
});

export { bool, csv };

/** How stage jobs are retried: attempts in all, first delay doubled each time. */
export const pipelineEnv = z.object({
  STAGE_ATTEMPTS: int(5, 1),
  STAGE_BACKOFF_MS: int(2000, 0),
});

/** The S3 client settings the storage package takes, from the s3Env fragment. */
export function s3SettingsOf(env: z.infer<typeof s3Env>) {
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    sdkChecksums: env.S3_SDK_CHECKSUMS,
  };
}
