import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SourceCredentials } from './auth.ts';
import { loadMapping, type Mapping } from './mapping/schema.ts';
import { parseYamlConfig, YamlConfigError, type YamlProblem } from './yamlConfig.ts';

/**
 * The OA systems the gateway accepts documents from (GATEWAY_SOURCES_FILE, YAML): for each, its
 * mapping file, its credentials and, when it delivers through a middle table, where that table is.
 * Secrets are best given as the name of an environment variable (`secretEnv`, `tokenEnv`, `urlEnv`)
 * so the file itself can be kept in version control.
 */

export const SOURCES_SCHEMA_ID = 'oa-archive/gateway-sources@1';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)');
const secret = z.string().min(16, 'at least 16 characters (32 random bytes in hex are better)');

const hmacSchema = z
  .object({ appId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" and "-"'), secret: secret.optional(), secretEnv: envName.optional() })
  .strict()
  .refine((o) => (o.secret === undefined) !== (o.secretEnv === undefined), { message: 'give either secret or secretEnv' });

const bearerSchema = z
  .object({ token: secret.optional(), tokenEnv: envName.optional() })
  .strict()
  .refine((o) => (o.token === undefined) !== (o.tokenEnv === undefined), { message: 'give either token or tokenEnv' });

const tableName = z.string().regex(/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a table name of letters, digits and _ (optionally schema.table)');

const middleTableSchema = z
  .object({
    driver: z.enum(['postgresql', 'mysql']),
    url: z.string().min(1).optional(),
    urlEnv: envName.optional(),
    table: tableName,
    /** Rows claimed per poll. */
    batchSize: z.number().int().min(1).max(500).default(20),
    /** Pause between polls when the last one found nothing to do. */
    pollMs: z.number().int().min(50).default(2000),
    /** A claimed row whose poller has not finished it after this long is claimed again (the poller died). */
    leaseMs: z.number().int().min(1000).default(300_000),
    /** Create the table (the documented DDL) when it is missing: for the demo; an OA's DBA creates it in production. */
    create: z.boolean().default(false),
  })
  .strict()
  .refine((o) => (o.url === undefined) !== (o.urlEnv === undefined), { message: 'give either url or urlEnv' });

const KiB = 1024;
const MiB = 1024 * KiB;

/** A package drop: an S3 prefix on the archive's store, or a directory; incoming/, done/ and rejected/ beneath. */
const packageDropSchema = z
  .object({
    s3: z
      .object({
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
        /** Ends in "/" (or is empty: the bucket's root). */
        prefix: z.string().regex(/^([^/\\][^\\]*\/)?$/, 'a key prefix ending in "/", e.g. oa-finance/').default(''),
      })
      .strict()
      .optional(),
    directory: z.string().min(1).optional(),
    /** The metadata file of a folder package; by default metadata.json or metadata.xml, after the mapping's format. */
    metadataFile: z.string().regex(/^[^/\\.][^/\\]{0,199}$/, 'a file name (no path)').optional(),
    /** Pause between scans of incoming/. */
    pollMs: z.number().int().min(50).default(2000),
    /** A claimed package whose gateway has not finished it after this long is taken again (the gateway died). */
    leaseMs: z.number().int().min(1000).default(300_000),
    /** A package missing files is left alone this long after its metadata appeared (the OA may still be uploading), then rejected. */
    settleMs: z.number().int().min(0).default(60_000),
    /** Largest metadata file read (an EEP with embedded files is all metadata). */
    maxMetadataBytes: z.number().int().min(KiB).default(64 * MiB),
  })
  .strict()
  .refine((o) => (o.s3 === undefined) !== (o.directory === undefined), { message: 'give either s3 (bucket, prefix) or directory' });

/** Where the archive asks the OA what it finalized in a period (completeness, 应归尽归). */
const finalizedListSchema = z
  .object({
    /** GET <url>?since=<ISO 8601>&until=<ISO 8601> answers {"documents":[{"documentId","version","finalizedAt"?,…}]}. */
    url: z.url({ protocol: /^https?$/ }),
    token: secret.optional(),
    tokenEnv: envName.optional(),
    timeoutMs: z.number().int().min(100).default(30_000),
  })
  .strict()
  .refine((o) => (o.token === undefined) !== (o.tokenEnv === undefined), { message: 'give either token or tokenEnv' });

const sourceSchema = z
  .object({
    /** Relative to the sources file. */
    mapping: z.string().min(1),
    hmac: z.array(hmacSchema).default([]),
    bearer: z.array(bearerSchema).default([]),
    middleTable: middleTableSchema.optional(),
    packageDrop: packageDropSchema.optional(),
    finalizedList: finalizedListSchema.optional(),
  })
  .strict();

const sourcesSchema = z
  .object({
    schema: z.literal(SOURCES_SCHEMA_ID),
    sources: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a source id of letters, digits, ".", "_" and "-"'), sourceSchema),
  })
  .strict();

type SourcesFile = z.infer<typeof sourcesSchema>;

export interface MiddleTableSettings {
  driver: 'postgresql' | 'mysql';
  url: string;
  table: string;
  batchSize: number;
  pollMs: number;
  leaseMs: number;
  create: boolean;
}

export interface PackageDropSettings {
  s3?: { bucket: string; prefix: string };
  directory?: string;
  metadataFile: string;
  pollMs: number;
  leaseMs: number;
  settleMs: number;
  maxMetadataBytes: number;
}

export interface FinalizedListSettings {
  url: string;
  token: string;
  timeoutMs: number;
}

export interface GatewaySource {
  id: string;
  mapping: Mapping;
  mappingFile: string;
  credentials: SourceCredentials;
  middleTable?: MiddleTableSettings;
  packageDrop?: PackageDropSettings;
  finalizedList?: FinalizedListSettings;
}

function duplicateAppIds(file: SourcesFile): YamlProblem[] {
  const seen = new Map<string, string>();
  const problems: YamlProblem[] = [];
  for (const [id, source] of Object.entries(file.sources)) {
    source.hmac.forEach((entry, index) => {
      const first = seen.get(entry.appId);
      if (first !== undefined) problems.push({ path: ['sources', id, 'hmac', index, 'appId'], message: `app id ${entry.appId} is already used by source ${first}` });
      else seen.set(entry.appId, id);
    });
    if (source.hmac.length === 0 && source.bearer.length === 0 && !source.middleTable && !source.packageDrop) {
      problems.push({ path: ['sources', id], message: 'a source that pushes needs hmac or bearer credentials (or a middleTable to poll, or a packageDrop to watch)' });
    }
  }
  return problems;
}

export function parseSources(text: string, file = 'sources.yaml'): SourcesFile {
  return parseYamlConfig('gateway sources file', file, text, sourcesSchema, duplicateAppIds);
}

/** Reads the sources file and every mapping it names; resolves secrets from `env`. Throws YamlConfigError naming every problem. */
export async function loadSources(file: string, env: Record<string, string | undefined> = process.env): Promise<Record<string, GatewaySource>> {
  const parsed = parseSources(await readFile(file, 'utf8'), path.basename(file));
  const problems: string[] = [];
  const fromEnv = (name: string, where: string): string => {
    const value = env[name];
    if (value === undefined || value === '') problems.push(`${where}: environment variable ${name} is not set`);
    return value ?? '';
  };
  const sources: Record<string, GatewaySource> = {};
  for (const [id, source] of Object.entries(parsed.sources)) {
    const mappingFile = path.resolve(path.dirname(file), source.mapping);
    let mapping: Mapping | undefined;
    try {
      mapping = await loadMapping(mappingFile);
    } catch (error) {
      if (error instanceof YamlConfigError) problems.push(...error.problems.map((p) => `source ${id}: ${p}`));
      else problems.push(`source ${id}: mapping ${mappingFile} cannot be read: ${(error as Error).message}`);
    }
    const credentials: SourceCredentials = {
      hmac: source.hmac.map((h) => ({ appId: h.appId, secret: h.secret ?? fromEnv(h.secretEnv!, `source ${id} app ${h.appId}`) })),
      bearer: source.bearer.map((b, i) => b.token ?? fromEnv(b.tokenEnv!, `source ${id} bearer ${i + 1}`)),
    };
    const table = source.middleTable;
    const middleTable: MiddleTableSettings | undefined = table
      ? { driver: table.driver, url: table.url ?? fromEnv(table.urlEnv!, `source ${id} middleTable`), table: table.table, batchSize: table.batchSize, pollMs: table.pollMs, leaseMs: table.leaseMs, create: table.create }
      : undefined;
    const drop = source.packageDrop;
    const packageDrop: PackageDropSettings | undefined =
      drop && mapping
        ? {
            ...(drop.s3 ? { s3: drop.s3 } : {}),
            ...(drop.directory ? { directory: path.resolve(path.dirname(file), drop.directory) } : {}),
            metadataFile: drop.metadataFile ?? `metadata.${mapping.format}`,
            pollMs: drop.pollMs,
            leaseMs: drop.leaseMs,
            settleMs: drop.settleMs,
            maxMetadataBytes: drop.maxMetadataBytes,
          }
        : undefined;
    const list = source.finalizedList;
    const finalizedList: FinalizedListSettings | undefined = list ? { url: list.url, token: list.token ?? fromEnv(list.tokenEnv!, `source ${id} finalizedList`), timeoutMs: list.timeoutMs } : undefined;
    if (mapping) sources[id] = { id, mapping, mappingFile, credentials, ...(middleTable ? { middleTable } : {}), ...(packageDrop ? { packageDrop } : {}), ...(finalizedList ? { finalizedList } : {}) };
  }
  if (problems.length > 0) throw new YamlConfigError('gateway sources file', path.basename(file), problems);
  return sources;
}
