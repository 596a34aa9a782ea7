import { describe, expect, it } from 'vitest';
import { loadIntakeConfig } from '../src/index.ts';

describe('intake configuration', () => {
  it('has defaults that run against infra/local', () => {
    const config = loadIntakeConfig({});
    expect(config).toMatchObject({ KAFKA_GROUP_ID: 'archive-intake', INTAKE_BACKLOG_PAUSE: 2000, INTAKE_BACKLOG_RESUME: 1000, STAGE_ATTEMPTS: 8, INTAKE_SESSION_TIMEOUT_MS: 10_000 });
    expect(config).toMatchObject({
      INTAKE_MAX_MESSAGE_BYTES: 1024 * 1024,
      INTAKE_MAX_COMPONENTS: 200,
      INTAKE_MAX_DECLARED_BYTES: 16 * 1024 ** 3,
      INTAKE_RECORD_ATTEMPTS: 3,
      INTAKE_STALL_AFTER_MS: 300_000,
      KAFKA_TLS: false,
    });
    expect(config.KAFKA_SASL_MECHANISM).toBeUndefined();
  });

  it('refuses a resume threshold at or above the pause threshold', () => {
    expect(() => loadIntakeConfig({ INTAKE_BACKLOG_PAUSE: '10', INTAKE_BACKLOG_RESUME: '10' })).toThrow(/INTAKE_BACKLOG_RESUME must be below/);
  });

  it('refuses a non-numeric threshold', () => {
    expect(() => loadIntakeConfig({ INTAKE_BACKLOG_PAUSE: 'lots' })).toThrow(/INTAKE_BACKLOG_PAUSE/);
  });

  it('refuses more components than the contract allows', () => {
    expect(() => loadIntakeConfig({ INTAKE_MAX_COMPONENTS: '501' })).toThrow(/INTAKE_MAX_COMPONENTS/);
  });

  it('refuses a SASL mechanism without credentials at start-up', () => {
    expect(() => loadIntakeConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'intake' })).toThrow(/KAFKA_SASL_PASSWORD: KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM=scram-sha-256/);
    expect(loadIntakeConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'intake', KAFKA_SASL_PASSWORD: 'p', KAFKA_TLS: 'true' })).toMatchObject({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_TLS: true });
  });
});
