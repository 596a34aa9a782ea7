import { describe, expect, it } from 'vitest';
import { loadIntakeConfig } from '../src/index.ts';

describe('intake configuration', () => {
  it('has defaults that run against infra/local', () => {
    const config = loadIntakeConfig({});
    expect(config).toMatchObject({ KAFKA_GROUP_ID: 'archive-intake', INTAKE_BACKLOG_PAUSE: 2000, INTAKE_BACKLOG_RESUME: 1000, STAGE_ATTEMPTS: 5 });
  });

  it('refuses a resume threshold at or above the pause threshold', () => {
    expect(() => loadIntakeConfig({ INTAKE_BACKLOG_PAUSE: '10', INTAKE_BACKLOG_RESUME: '10' })).toThrow(/INTAKE_BACKLOG_RESUME must be below/);
  });

  it('refuses a non-numeric threshold', () => {
    expect(() => loadIntakeConfig({ INTAKE_BACKLOG_PAUSE: 'lots' })).toThrow(/INTAKE_BACKLOG_PAUSE/);
  });
});
