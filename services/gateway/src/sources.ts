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

const sourceSchema = z
  .object({
    /** Relative to the sources file. */
    mapping: z.string().min(1),
    hmac: z.array(hmacSchema).default([]),
    bearer: z.array(bearerSchema).default([]),
    middleTable: middleTableSchema.optional(),
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

export interface GatewaySource {
  id: string;
  mapping: Mapping;
  mappingFile: string;
  credentials: SourceCredentials;
  middleTable?: MiddleTableSettings;
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
    if (source.hmac.length === 0 && source.bearer.length === 0 && !source.middleTable) problems.push({ path: ['sources', id], message: 'a source that pushes needs hmac or bearer credentials (or a middleTable to poll)' });
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
    if (mapping) sources[id] = { id, mapping, mappingFile, credentials, ...(middleTable ? { middleTable } : {}) };
  }
  if (problems.length > 0) throw new YamlConfigError('gateway sources file', path.basename(file), problems);
  return sources;
}
