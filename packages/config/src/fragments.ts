import { z } from 'zod';
import { ConfigError } from './load.ts';

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
  /** SASL on the broker connection; unset for a PLAINTEXT broker such as infra/local's. Needs username and password. */
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers; the system's CAs unless KAFKA_TLS_CA_FILE names a PEM file. */
  KAFKA_TLS: bool(false),
  KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
});

type KafkaEnv = z.infer<typeof kafkaEnv>;

/** How to reach the brokers, as packages/kafka's client factory takes it. */
export interface KafkaConnectionSettings {
  brokers: string[];
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  tls?: { caFile?: string };
}

/**
 * What the per-variable schema cannot say: the SASL and TLS variables only make sense together.
 * Services spread `kafkaEnv.shape` into their own schema, which drops object-level checks, so the
 * rule lives here: `kafkaSettingsOf` enforces it, and a service schema can add it with `.superRefine`.
 */
export function kafkaEnvProblems(env: KafkaEnv): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (env.KAFKA_SASL_MECHANISM) {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!env[name]) problems.push({ path: name, message: `${name} is required with KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM}` });
    }
  } else {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[name]) problems.push({ path: name, message: `${name} is set but KAFKA_SASL_MECHANISM is not (plain, scram-sha-256 or scram-sha-512)` });
    }
  }
  if (env.KAFKA_TLS_CA_FILE && !env.KAFKA_TLS) problems.push({ path: 'KAFKA_TLS_CA_FILE', message: 'KAFKA_TLS_CA_FILE is set but KAFKA_TLS is not true' });
  return problems;
}

/** For `.superRefine` on a service's environment schema. */
export function refineKafkaEnv(env: KafkaEnv, ctx: z.RefinementCtx): void {
  for (const problem of kafkaEnvProblems(env)) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
}

/** The connection settings from the kafkaEnv fragment; a ConfigError names what is inconsistent. */
export function kafkaSettingsOf(env: KafkaEnv): KafkaConnectionSettings {
  const problems = kafkaEnvProblems(env);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p.path}: ${p.message}`));
  const settings: KafkaConnectionSettings = { brokers: env.KAFKA_BROKERS };
  if (env.KAFKA_SASL_MECHANISM) settings.sasl = { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME!, password: env.KAFKA_SASL_PASSWORD! };
  if (env.KAFKA_TLS) settings.tls = env.KAFKA_TLS_CA_FILE ? { caFile: env.KAFKA_TLS_CA_FILE } : {};
  return settings;
}

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

/**
 * An origin a component URL may point at: `scheme://host[:port]` with http or https, normalised as
 * `URL.origin` is (lower-case host, default port dropped), so `https://oa.x:443` equals `https://oa.x`.
 */
const originSchema = z.string().transform((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an origin such as https://oa.example.org or http://127.0.0.1:8088` });
    return z.NEVER;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    ctx.addIssue({ code: 'custom', message: `"${text}": only http: and https: origins can be fetched from` });
    return z.NEVER;
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
    ctx.addIssue({ code: 'custom', message: `"${text}": an origin is scheme://host[:port], without path, query or credentials` });
    return z.NEVER;
  }
  return url.origin;
});

/** The earlier form, `host[:port]`: read as an https origin, so a token never travels in clear text by it. */
const legacyHostSchema = z
  .string()
  .regex(/^[^/\\@:?#\s]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/, 'host[:port] without scheme or path (or list allowedOrigins)')
  .transform((host) => `https://${host}`)
  .pipe(originSchema);

/**
 * Per OA system: the origins (scheme, host and port) its component URLs may point at, and the bearer
 * token to present there. Plain `http:` is allowed only for an origin listed with `http://` (the local
 * simulator); `allowedHosts` (`host[:port]`) still works and means https.
 */
export const oaSourceSchema = z
  .object({
    allowedOrigins: z.array(originSchema).min(1).optional(),
    /** Deprecated: `host[:port]`, read as `https://host[:port]`. */
    allowedHosts: z.array(legacyHostSchema).min(1).optional(),
    token: z.string().min(1).optional(),
  })
  .refine((s) => s.allowedOrigins !== undefined || s.allowedHosts !== undefined, {
    message: 'list allowedOrigins, e.g. ["https://oa.example.org"]',
    path: ['allowedOrigins'],
  })
  .transform(({ allowedOrigins = [], allowedHosts = [], token }) => ({
    allowedOrigins: [...new Set([...allowedOrigins, ...allowedHosts])],
    ...(token === undefined ? {} : { token }),
  }));
export type OaSource = z.infer<typeof oaSourceSchema>;

/** Whether a component URL may be fetched for this source (and its token sent there): its origin is listed. */
export function isAllowedOrigin(source: OaSource, url: URL): boolean {
  return source.allowedOrigins.includes(url.origin);
}

export const oaSourcesEnv = z.object({
  OA_SOURCES: z
    .string()
    .default(JSON.stringify({ 'oa-simulator': { allowedOrigins: ['http://127.0.0.1:8088'], token: 'local-simulator-token' } }))
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'OA_SOURCES must be JSON: {"<source>": {"allowedOrigins": ["https://host[:port]"], "token": "..."}}' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().min(1), oaSourceSchema)),
});

export { bool, csv };

/**
 * How stage jobs are retried: attempts in all, first delay doubled each time. The defaults retry for
 * about four minutes (2 + 4 + … + 128 s), so an object store, database or OA restart delays a
 * document instead of failing it; 5 attempts covered only 30 s.
 */
export const pipelineEnv = z.object({
  STAGE_ATTEMPTS: int(8, 1),
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
