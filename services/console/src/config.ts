import { isIP } from 'node:net';
import { z } from 'zod';
import { databaseEnv, int, kafkaEnv, loadConfig, logEnv, pipelineEnv, redisEnv, s3Env } from '@oa-archive/config';
import { LOCAL_SOURCES_FILE } from '@oa-archive/gateway';
import { parseRoleMap, RoleMapError } from './roleMapping.ts';

/** Names proxy-addr (Fastify's trustProxy) understands for well-known ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isAddressOrCidr = (entry: string) => {
  if (RANGE_NAMES.has(entry) || isIP(entry) !== 0) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(bits ?? '') && Number(bits) <= (family === 4 ? 32 : 128);
};

/**
 * Which proxies may speak for the client (X-Forwarded-For/-Proto/-Host): `off`, a comma list of
 * addresses and CIDRs, or a hop count. Never "everyone": a client could then claim to have come over
 * TLS. A hop count trusts whoever is that near, so it is safe only where nothing but the proxies can
 * reach the console; prefer the list.
 */
export const trustProxySetting = z
  .string()
  .default('off')
  .transform((text, ctx): false | number | string[] => {
    const value = text.trim();
    if (value === '' || value === 'off' || value === 'false') return false;
    if (/^\d+$/.test(value)) {
      if (Number(value) >= 1) return Number(value);
      ctx.addIssue({ code: 'custom', message: 'a hop count must be 1 or more (or say off)' });
      return z.NEVER;
    }
    const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
    const bad = entries.filter((e) => !isAddressOrCidr(e));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not an address or CIDR: ${bad.join(', ')}; say off, a hop count, or a list such as 10.0.0.0/8,127.0.0.1` });
      return z.NEVER;
    }
    return entries;
  });

/**
 * Fastify's own trustProxy takes a hop count as "trust nobody" (it cannot check the peer), so the
 * count becomes a function of the hop: the n nearest are trusted.
 */
export function fastifyTrustProxy(setting: false | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

/** Loopback addresses, where a plain-http identity provider is acceptable (development, tests). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const httpsOrLoopback = (what: string) =>
  z.url().refine((text) => {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  }, `${what} must be an https URL (plain http only on localhost)`);

/** Single sign-on through an OpenID Connect provider (docs/configuration.md, "Single sign-on"); off unless OIDC_ISSUER is set. */
export const oidcEnv = z.object({
  OIDC_ISSUER: httpsOrLoopback('OIDC_ISSUER').optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Absent for a public client (PKCE alone). */
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The console's callback as registered at the provider: https://<console>/auth/oidc/callback. */
  OIDC_REDIRECT_URI: httpsOrLoopback('OIDC_REDIRECT_URI').optional(),
  OIDC_SCOPES: z.string().min(1).default('openid profile'),
  /** The claim holding the person's groups or roles; a dotted path reaches nested ones (realm_access.roles). */
  OIDC_ROLE_CLAIM: z.string().min(1).default('groups'),
  OIDC_ROLE_MAP: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      try {
        return parseRoleMap(text);
      } catch (error) {
        if (!(error instanceof RoleMapError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    }),
  /** Signs the session cookies; every replica needs the same. Defaults to one derived from OIDC_CLIENT_SECRET. */
  CONSOLE_SESSION_SECRET: z.string().min(32, 'CONSOLE_SESSION_SECRET must be at least 32 characters (32 random bytes in hex are better)').optional(),
  /** An SSO session ends this long after login (seconds; 8 hours), however active. */
  CONSOLE_SESSION_MAX_SECONDS: int(8 * 3600, 60),
  /** ... or after this long without a request (seconds; 30 minutes). */
  CONSOLE_SESSION_IDLE_SECONDS: int(30 * 60, 30),
});

export const consoleEnv = z.object({
  ...logEnv.shape,
  ...kafkaEnv.shape,
  ...redisEnv.shape,
  ...databaseEnv.shape,
  ...pipelineEnv.shape,
  // The archive's store: content is served from it to those a document's access restriction admits.
  ...s3Env.shape,
  ...oidcEnv.shape,
  /** Loopback by default: put a TLS-terminating proxy in front to serve it further. */
  CONSOLE_HOST: z.string().default('127.0.0.1'),
  CONSOLE_PORT: int(8080, 0),
  /** The proxies in front of the console whose X-Forwarded-* headers count (see trustProxySetting). */
  CONSOLE_TRUST_PROXY: trustProxySetting,
  /** `auto`: the session cookie is Secure when the request came over TLS (directly or per a trusted proxy); `always`: on every response. */
  CONSOLE_COOKIE_SECURE: z.enum(['auto', 'always']).default('auto'),
  /** The intake consumer group whose lag the overview shows. */
  KAFKA_GROUP_ID: z.string().min(1).default('archive-intake'),
  RETENTION_SCHEDULE: z.string().min(1).optional(),
  /** The gateway's sources file: where the completeness page asks each OA what it finalized. */
  GATEWAY_SOURCES_FILE: z.string().min(1).default(LOCAL_SOURCES_FILE),
  /** Bulk replays enqueue at most this many ingests a second. */
  REPLAY_PER_SECOND: z.coerce.number().positive().default(5),
  /** Dates and times on the pages are shown in the agency's time zone (an IANA name). */
  AGENCY_TIME_ZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'not an IANA time zone, e.g. Asia/Shanghai'),
  /**
   * Department names by OA department code, as JSON ({"BGS":"办公室"}); they add to (and override)
   * the names the retention schedule gives (agency.departmentNames). Pages show the name, the code in small print.
   */
  DEPARTMENTS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return z.record(z.string().min(1), z.string().min(1)).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'DEPARTMENTS must be a JSON object of department code → name, e.g. {"BGS":"办公室"}' });
        return z.NEVER;
      }
    }),
}).superRefine((env, ctx) => {
  if (!env.OIDC_ISSUER) return;
  for (const name of ['OIDC_CLIENT_ID', 'OIDC_REDIRECT_URI', 'OIDC_ROLE_MAP'] as const) {
    if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is needed when OIDC_ISSUER is set` });
  }
});
export type ConsoleConfig = z.infer<typeof consoleEnv>;

/** PostgreSQL connections the console holds at most (one replica: its part of the connection budget). */
export const CONSOLE_POOL_SIZE = 6;

export function loadConsoleConfig(env: Record<string, string | undefined> = process.env): ConsoleConfig {
  return loadConfig(consoleEnv, env);
}
