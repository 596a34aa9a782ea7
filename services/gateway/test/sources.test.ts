import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, LOCAL_SOURCES_FILE } from '../src/config.ts';
import { DDL_FILES, middleTableDdl } from '../src/middleTable/ddl.ts';
import { loadSources, parseSources } from '../src/sources.ts';
import { YamlConfigError } from '../src/yamlConfig.ts';
import { writeSourcesFile } from './support/gateway.ts';

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof YamlConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('the sources file', () => {
  it('ships a local file whose every mapping loads', async () => {
    const sources = await loadSources(LOCAL_SOURCES_FILE);
    expect(Object.keys(sources).sort()).toEqual(['oa-sim-drop', 'oa-sim-eep', 'oa-sim-json', 'oa-sim-table', 'oa-sim-xml', 'oa-simulator']);
    expect(sources['oa-sim-table']!.middleTable).toMatchObject({ driver: 'postgresql', table: 'oa_simulator_outbox', batchSize: 20, leaseMs: 300_000, create: true });
    expect(sources['oa-sim-drop']!.packageDrop).toMatchObject({ s3: { bucket: 'oa-dropbox', prefix: 'oa-sim-drop/' }, metadataFile: 'metadata.json', leaseMs: 300_000 });
    expect(sources['oa-sim-eep']!.packageDrop).toMatchObject({ metadataFile: 'metadata.xml' });
    expect(sources['oa-sim-json']!.finalizedList).toMatchObject({ url: 'http://127.0.0.1:8088/finalized?source=oa-sim-json', token: 'local-simulator-token' });
  });

  it('names what is wrong with a package drop or a finalized list', () => {
    const text = `schema: oa-archive/gateway-sources@1
sources:
  a:
    mapping: m.yaml
    packageDrop: { s3: { bucket: oa-dropbox, prefix: a }, directory: /srv/drop }
    finalizedList: { url: 'ftp://oa/list', token: a-long-enough-token-123 }
`;
    expect(problemsOf(() => parseSources(text))).toEqual([
      expect.stringMatching(/^sources\.yaml:5:\d+ sources\.a\.packageDrop\.s3\.prefix: a key prefix ending in "\/"/),
      expect.stringMatching(/^sources\.yaml:5:\d+ sources\.a\.packageDrop: give either s3 \(bucket, prefix\) or directory/),
      expect.stringMatching(/^sources\.yaml:6:\d+ sources\.a\.finalizedList\.url: /),
    ]);
    expect(problemsOf(() => parseSources(text.replace(' prefix: a }', ' prefix: a/ }').replace('ftp:', 'https:')))).toEqual([expect.stringMatching(/sources\.a\.packageDrop: give either s3 \(bucket, prefix\) or directory/)]);
  });

  it('names the line and field of each problem: short secret, both secret forms, duplicate app id, unsafe table name', () => {
    const text = `schema: oa-archive/gateway-sources@1
sources:
  a:
    mapping: m.yaml
    hmac:
      - appId: shared
        secret: short
  b:
    mapping: m.yaml
    hmac:
      - appId: shared
        secret: a-long-enough-secret-123
        secretEnv: B_SECRET
    middleTable: { driver: mysql, url: 'mysql://x', table: 'outbox; DROP TABLE t' }
`;
    expect(problemsOf(() => parseSources(text, 's.yaml'))).toEqual([
      's.yaml:7:17 sources.a.hmac.0.secret: at least 16 characters (32 random bytes in hex are better)',
      's.yaml:11:9 sources.b.hmac.0: give either secret or secretEnv',
      "s.yaml:14:60 sources.b.middleTable.table: a table name of letters, digits and _ (optionally schema.table)",
    ]);
    const duplicated = text.replace('secret: short', 'secret: a-long-enough-secret-456').replace('        secretEnv: B_SECRET\n', '').replace("'outbox; DROP TABLE t'", 'outbox');
    expect(problemsOf(() => parseSources(duplicated, 's.yaml'))).toEqual(['s.yaml:11:16 sources.b.hmac.0.appId: app id shared is already used by source a']);
  });

  it('reads secrets from the environment and says which variable is missing', async () => {
    const file = writeSourcesFile(`sources:
  oa-x:
    mapping: mappings/canonical.yaml
    hmac: [{ appId: x, secretEnv: OA_X_SECRET }]
    bearer: [{ tokenEnv: OA_X_TOKEN }]
`);
    const sources = await loadSources(file, { OA_X_SECRET: 'from-the-environment-1234' , OA_X_TOKEN: 'token-from-the-environment' });
    expect(sources['oa-x']!.credentials).toEqual({ hmac: [{ appId: 'x', secret: 'from-the-environment-1234' }], bearer: ['token-from-the-environment'] });
    await expect(loadSources(file, {})).rejects.toThrow(/source oa-x app x: environment variable OA_X_SECRET is not set[\s\S]*OA_X_TOKEN is not set/);
  });

  it('reports a broken mapping under its source', async () => {
    const file = writeSourcesFile(`sources:
  oa-x:
    mapping: ${import.meta.dirname}/fixtures/oa-json-push.json
    bearer: [{ token: a-long-enough-token-123 }]
`);
    await expect(loadSources(file, {})).rejects.toThrow(/source oa-x: oa-json-push\.json:1:1 (schema|\(top\))/);
  });
});

describe('the middle-table DDL', () => {
  it('is the documented file with the configured name, idempotent', async () => {
    const [table, index] = await middleTableDdl('postgresql', 'oa.outbox');
    expect(table).toMatch(/^CREATE TABLE IF NOT EXISTS oa\.outbox \(/);
    expect(table).toContain('CONSTRAINT outbox_status_chk CHECK');
    expect(index).toBe('CREATE INDEX IF NOT EXISTS outbox_status_idx ON oa.outbox (status, id)');
    const mysql = await middleTableDdl('mysql', 'outbox');
    expect(mysql).toHaveLength(1);
    expect(mysql[0]).toMatch(/^CREATE TABLE IF NOT EXISTS outbox \([\s\S]*KEY outbox_status_idx \(status, id\)[\s\S]*utf8mb4_bin$/);
  });

  it('is the one docs/oa-integration.md shows', () => {
    const doc = readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'docs', 'oa-integration.md'), 'utf8');
    for (const file of Object.values(DDL_FILES)) {
      const statements = readFileSync(file, 'utf8').split('\n').filter((line) => !line.startsWith('--')).join('\n').trim();
      expect(doc).toContain(statements);
    }
  });
});

describe('configuration', () => {
  it('runs locally with defaults and refuses a nonsense value', () => {
    expect(loadGatewayConfig({})).toMatchObject({ GATEWAY_PORT: 8090, GATEWAY_CLOCK_SKEW_SECONDS: 300, GATEWAY_MAX_EVENT_BYTES: 1024 * 1024, GATEWAY_POLLERS: true, KAFKA_TOPIC_FINALIZED: 'oa.document.finalized' });
    expect(() => loadGatewayConfig({ GATEWAY_MAX_COMPONENTS: '900' })).toThrow(/GATEWAY_MAX_COMPONENTS/);
  });
});
