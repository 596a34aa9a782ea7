import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, kafkaEnv, kafkaSettingsOf, loadConfig, refineKafkaEnv } from '../src/index.ts';

const schema = z.object({ ...kafkaEnv.shape }).superRefine(refineKafkaEnv);
const settingsFrom = (env: Record<string, string>) => kafkaSettingsOf(loadConfig(z.object(kafkaEnv.shape), env));

describe('Kafka connection settings', () => {
  it('default to the local PLAINTEXT broker', () => {
    expect(settingsFrom({})).toEqual({ brokers: ['127.0.0.1:9092'] });
  });

  it('map SASL and TLS variables', () => {
    expect(
      settingsFrom({
        KAFKA_BROKERS: 'k1:9093,k2:9093',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'archive',
        KAFKA_SASL_PASSWORD: 's3cret',
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
      }),
    ).toEqual({
      brokers: ['k1:9093', 'k2:9093'],
      sasl: { mechanism: 'scram-sha-512', username: 'archive', password: 's3cret' },
      tls: { caFile: '/etc/kafka/ca.pem' },
    });
    expect(settingsFrom({ KAFKA_TLS: 'true' })).toEqual({ brokers: ['127.0.0.1:9092'], tls: {} });
  });

  it('require username and password with a mechanism, and refuse half-set variables', () => {
    expect(() => settingsFrom({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'archive' })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME: .*required[\s\S]*KAFKA_SASL_PASSWORD: .*required/);
    expect(() => loadConfig(schema, { KAFKA_SASL_PASSWORD: 'x' })).toThrow(/KAFKA_SASL_PASSWORD: .*KAFKA_SASL_MECHANISM is not/);
    expect(() => loadConfig(schema, { KAFKA_TLS_CA_FILE: '/ca.pem' })).toThrow(/KAFKA_TLS_CA_FILE: .*KAFKA_TLS is not true/);
    expect(() => loadConfig(schema, { KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('never put the password in an error message', () => {
    try {
      loadConfig(schema, { KAFKA_SASL_PASSWORD: 'do-not-print-me' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('do-not-print-me');
    }
  });
});
