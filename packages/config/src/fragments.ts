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
   * `when_required` (the default) sends only the checksums we ask for — SHA-256 on every archive
   * write, which the store verifies — and leaves GETs unchecked by the SDK: we hash every byte we read
   * ourselves, so the SDK's own CRC32 over every byte up and down would only cost CPU. `when_supported`
   * adds the SDK's default CRC32 trailers (AWS S3, S3Proxy, Ceph RGW read them; s3rver cannot).
   */
  S3_SDK_CHECKSUMS: z.enum(['when_required', 'when_supported']).default('when_required'),
  /**
   * `enforced` when the store refuses a conditional PUT (If-None-Match: *) on an existing key — AWS S3,
   * S3Proxy, Ceph RGW on unversioned buckets: a deposit then writes without looking first (one request
   * fewer per object). `ignored` for stores that do not (RGW 16.2 on versioned buckets). Object Lock
   * deposits always look first.
   */
  S3_CONDITIONAL_PUT: z.enum(['enforced', 'ignored']).default('enforced'),
  /** Create the buckets at start-up (local runs); production buckets are provisioned with Object Lock. */
  S3_CREATE_BUCKETS: bool(true),
  /**
   * Encryption at rest asked of the store on every write: `AES256` (SSE-S3) or `aws:kms` (SSE-KMS, with
   * S3_SSE_KMS_KEY_ID or the store's default key). A write the store does not report encrypted fails.
   */
  S3_SSE: z.enum(['none', 'AES256', 'aws:kms']).default('none'),
  S3_SSE_KMS_KEY_ID: z.string().min(1).optional(),
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

/** `s3://bucket/prefix/`: a bucket and a key prefix ending in "/", normalised as URL.href is. */
const s3PrefixSchema = z.string().transform((text, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 's3:' || !url.hostname || url.username || url.password || url.search || url.hash || url.pathname.length < 3 || !url.pathname.endsWith('/')) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an S3 prefix such as s3://oa-staging/oa-packages/oa-finance/ (a bucket and a key prefix ending in /)` });
    return z.NEVER;
  }
  return url.href;
});

/**
 * Where the archive POSTs each receipt of a source (docs/oa-integration.md, "Callbacks"): the URL, and
 * the key the body is signed with (HMAC-SHA256), which the OA verifies.
 */
export const callbackTargetSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'callback.url must be an http(s) URL, e.g. https://oa.example.org/archive/receipts' }),
    secret: z.string().min(16, 'callback.secret must be at least 16 characters (32 random bytes in hex are better)'),
  })
  .strict();
export type CallbackTarget = z.infer<typeof callbackTargetSchema>;

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
    /**
     * `s3://bucket/prefix/`: objects in the archive's own store the fetch stage may read for this source.
     * For the gateway's package drops, whose files it stages under `s3://<staging>/oa-packages/<source>/`.
     */
    allowedS3Prefixes: z.array(s3PrefixSchema).min(1).optional(),
    token: z.string().min(1).optional(),
    /** Receives every receipt of the source, signed (see callbackTargetSchema). */
    callback: callbackTargetSchema.optional(),
  })
  .refine((s) => s.allowedOrigins !== undefined || s.allowedHosts !== undefined || s.allowedS3Prefixes !== undefined, {
    message: 'list allowedOrigins, e.g. ["https://oa.example.org"] (or allowedS3Prefixes for a package-drop source)',
    path: ['allowedOrigins'],
  })
  .transform(({ allowedOrigins = [], allowedHosts = [], allowedS3Prefixes, token, callback }) => ({
    allowedOrigins: [...new Set([...allowedOrigins, ...allowedHosts])],
    ...(allowedS3Prefixes === undefined ? {} : { allowedS3Prefixes: [...new Set(allowedS3Prefixes)] }),
    ...(token === undefined ? {} : { token }),
    ...(callback === undefined ? {} : { callback }),
  }));
export type OaSource = z.infer<typeof oaSourceSchema>;

/**
 * Whether a component URL may be fetched for this source (and its token sent there): an http(s) URL's
 * origin is listed, or an `s3:` URL lies under one of the source's allowedS3Prefixes (a plain object
 * key: no credentials, query or fragment).
 */
export function isAllowedOrigin(source: OaSource, url: URL): boolean {
  if (url.protocol === 's3:') {
    if (url.username || url.password || url.search || url.hash) return false;
    return (source.allowedS3Prefixes ?? []).some((prefix) => url.href.startsWith(prefix));
  }
  return source.allowedOrigins.includes(url.origin);
}

/** The same rule under the name that says what it judges. */
export const isAllowedComponentUrl = isAllowedOrigin;

export const oaSourcesEnv = z.object({
  OA_SOURCES: z
    .string()
    .default(JSON.stringify({ 'oa-simulator': { allowedOrigins: ['http://127.0.0.1:8088'], token: 'local-simulator-token' } }))
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'OA_SOURCES must be JSON: {"<source>": {"allowedOrigins": ["https://host[:port]"], "token": "...", "callback": {"url": "https://…", "secret": "…"}}}' });
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
    serverSideEncryption: serverSideEncryptionOf(env),
  };
}

/** The encryption the storage package asks for, from S3_SSE; a KMS key id only makes sense with aws:kms. */
export function serverSideEncryptionOf(
  env: Pick<z.infer<typeof s3Env>, 'S3_SSE' | 'S3_SSE_KMS_KEY_ID'>,
  /** How the variables are called where they came from (`REPLICA_` for the replica's). */
  prefix = '',
): { mode: 'none' } | { mode: 'AES256' } | { mode: 'aws:kms'; kmsKeyId?: string } {
  if (env.S3_SSE_KMS_KEY_ID && env.S3_SSE !== 'aws:kms') throw new ConfigError([`${prefix}S3_SSE_KMS_KEY_ID: set, but ${prefix}S3_SSE is ${env.S3_SSE}, not aws:kms`]);
  if (env.S3_SSE === 'aws:kms') return { mode: 'aws:kms', ...(env.S3_SSE_KMS_KEY_ID ? { kmsKeyId: env.S3_SSE_KMS_KEY_ID } : {}) };
  return { mode: env.S3_SSE };
}
