import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, databaseEnv, kafkaEnv, loadConfig, oaSourcesEnv, s3Env } from '../src/index.ts';

const schema = z.object({ ...kafkaEnv.shape, ...databaseEnv.shape, ...s3Env.shape, ...oaSourcesEnv.shape });

describe('loadConfig', () => {
  it('runs locally with no environment at all', () => {
    const config = loadConfig(schema, {});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.KAFKA_TOPIC_FINALIZED).toBe('oa.document.finalized');
    expect(config.S3_FORCE_PATH_STYLE).toBe(true);
    expect(config.OA_SOURCES['oa-simulator']).toEqual({ allowedOrigins: ['http://127.0.0.1:8088'], token: 'local-simulator-token' });
  });

  it('parses lists, booleans and per-source settings', () => {
    const config = loadConfig(schema, {
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      S3_FORCE_PATH_STYLE: 'false',
      OA_SOURCES: '{"oa-finance":{"allowedHosts":["oa.finance.local:443"],"token":"t"}}',
    });
    expect(config.KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
    expect(config.S3_FORCE_PATH_STYLE).toBe(false);
    expect(Object.keys(config.OA_SOURCES)).toEqual(['oa-finance']);
  });

  it('reports every bad variable by name at once', () => {
    try {
      loadConfig(schema, { DATABASE_URL: 'mysql://x', S3_FORCE_PATH_STYLE: 'yes', OA_SOURCES: '{not json' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^DATABASE_URL:/m);
      expect(problems).toMatch(/^S3_FORCE_PATH_STYLE:/m);
      expect(problems).toMatch(/^OA_SOURCES: OA_SOURCES must be JSON/m);
    }
  });

  it('rejects a source without allowed hosts', () => {
    expect(() => loadConfig(schema, { OA_SOURCES: '{"oa":{"allowedHosts":[]}}' })).toThrow(/OA_SOURCES\.oa\.allowedHosts/);
    expect(() => loadConfig(schema, { OA_SOURCES: '{"oa":{"allowedOrigins":[]}}' })).toThrow(/OA_SOURCES\.oa\.allowedOrigins/);
    expect(() => loadConfig(schema, { OA_SOURCES: '{"oa":{"token":"t"}}' })).toThrow(/OA_SOURCES\.oa\.allowedOrigins: list allowedOrigins/);
  });
});

describe('OA source origins', () => {
  const sourceOf = (spec: object) => loadConfig(schema, { OA_SOURCES: JSON.stringify({ oa: spec }) }).OA_SOURCES['oa'];

  it.each([
    ['https://oa.agency.internal', 'https://oa.agency.internal'],
    ['https://oa.agency.internal:443', 'https://oa.agency.internal'],
    ['https://OA.Agency.Internal/', 'https://oa.agency.internal'],
    ['https://oa.agency.internal:8443', 'https://oa.agency.internal:8443'],
    ['http://127.0.0.1:8088', 'http://127.0.0.1:8088'],
    ['http://oa.local:80', 'http://oa.local'],
    ['https://[::1]:9443', 'https://[::1]:9443'],
  ])('normalises the origin %j to %j, as URL.origin does', (origin, expected) => {
    expect(sourceOf({ allowedOrigins: [origin] })?.allowedOrigins).toEqual([expected]);
    expect(new URL(`${origin.replace(/\/$/, '')}/files/1`).origin).toBe(expected);
  });

  it('reads the earlier allowedHosts as https origins, never plain http', () => {
    expect(sourceOf({ allowedHosts: ['oa.agency.internal:443', '127.0.0.1:8088'], token: 't' })).toEqual({ allowedOrigins: ['https://oa.agency.internal', 'https://127.0.0.1:8088'], token: 't' });
    expect(sourceOf({ allowedOrigins: ['https://oa.x'], allowedHosts: ['oa.x:443'] })?.allowedOrigins).toEqual(['https://oa.x']);
  });

  it.each([
    [{ allowedOrigins: ['oa.agency.internal'] }, /not an origin/],
    [{ allowedOrigins: ['ftp://oa.agency.internal'] }, /only http: and https:/],
    [{ allowedOrigins: ['https://oa.agency.internal/files'] }, /without path/],
    [{ allowedOrigins: ['https://user:pw@oa.agency.internal'] }, /without path, query or credentials/],
    [{ allowedHosts: ['https://oa.agency.internal'] }, /host\[:port\] without scheme/],
    [{ allowedHosts: ['oa.agency.internal/files'] }, /host\[:port\] without scheme/],
  ])('refuses %j', (spec, message) => {
    expect(() => sourceOf(spec)).toThrow(message);
  });

  it('takes a callback target per source: an http(s) URL and a signing key of 16 characters or more', () => {
    const callback = { url: 'https://oa.agency.internal/archive/receipts', secret: 'finance-callback-key-0123456789' };
    expect(sourceOf({ allowedOrigins: ['https://oa.agency.internal'], callback })).toEqual({ allowedOrigins: ['https://oa.agency.internal'], callback });
    expect(() => sourceOf({ allowedOrigins: ['https://oa.x'], callback: { ...callback, url: 'ftp://oa.x/r' } })).toThrow(/OA_SOURCES\.oa\.callback\.url: callback\.url must be an http\(s\) URL/);
    expect(() => sourceOf({ allowedOrigins: ['https://oa.x'], callback: { ...callback, secret: 'short' } })).toThrow(/OA_SOURCES\.oa\.callback\.secret: callback\.secret must be at least 16 characters/);
    expect(() => sourceOf({ allowedOrigins: ['https://oa.x'], callback: { ...callback, secretEnv: 'X' } })).toThrow(/OA_SOURCES\.oa\.callback/);
  });

  it('keeps the example secret of infra/k8s valid', async () => {
    const { readFile } = await import('node:fs/promises');
    const yaml = await readFile(new URL('../../../infra/k8s/secret.example.yaml', import.meta.url), 'utf8');
    const line = /^\s*OA_SOURCES:\s*'(.*)'\s*$/m.exec(yaml)?.[1];
    expect(line).toBeDefined();
    const sources = loadConfig(schema, { OA_SOURCES: line! }).OA_SOURCES;
    for (const source of Object.values(sources)) {
      for (const origin of source.allowedOrigins) expect(origin.startsWith('https://'), origin).toBe(true);
    }
    expect(Object.values(sources)[0]!.allowedOrigins).toContain(new URL('https://oa.agency.internal/files/1').origin);
  });
});
