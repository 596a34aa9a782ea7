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
    expect(config.OA_SOURCES['oa-simulator']?.allowedHosts).toEqual(['127.0.0.1:8088']);
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
  });
});
