import { describe, expect, it } from 'vitest';
import { STAGES } from '@oa-archive/contracts';
import { catalogPoolSize, concurrencyOf, defaultConcurrency, loadWorkerConfig, stageConcurrency } from '../src/index.ts';

const POOLS = { cores: 2, libreOfficeInstances: 2, exiftoolProcs: 2 };

describe('stage concurrency', () => {
  it('derives each stage’s from the cores and the tool pools when nothing is configured', () => {
    expect(stageConcurrency({ byStage: {} }, POOLS)).toEqual({ fetch: 6, characterize: 4, classify: 4, convert: 4, validate: 4, package: 4, deposit: 6, notify: 4 });
    // Convert follows its LibreOffice instances and cores; characterize its ExifTool processes.
    expect(defaultConcurrency('convert', { cores: 8, libreOfficeInstances: 4, exiftoolProcs: 2 })).toBe(12);
    expect(defaultConcurrency('characterize', { cores: 8, libreOfficeInstances: 4, exiftoolProcs: 6 })).toBe(12);
  });

  it('takes one number for every stage, a map by stage, and WORKER_CONCURRENCY_<STAGE> over either', () => {
    const config = (env: Record<string, string>) => concurrencyOf(loadWorkerConfig(env), 2);
    expect(Object.values(config({ WORKER_CONCURRENCY: '3' }))).toEqual(STAGES.map(() => 3));
    expect(config({ WORKER_CONCURRENCY: '{"convert": 1, "fetch": 10}' })).toMatchObject({ convert: 1, fetch: 10, classify: 4 });
    expect(config({ WORKER_CONCURRENCY: '3', WORKER_CONCURRENCY_CONVERT: '1' })).toMatchObject({ convert: 1, fetch: 3 });
    expect(config({ WORKER_CONCURRENCY_DEPOSIT: '12' })).toMatchObject({ deposit: 12, fetch: 6 });
  });

  it('names a concurrency it cannot read', () => {
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: 'lots' })).toThrow(/WORKER_CONCURRENCY must be a whole number ≥ 1 or a JSON map/);
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: '{"ocr": 2}' })).toThrow(/WORKER_CONCURRENCY/);
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY_CONVERT: '0' })).toThrow(/WORKER_CONCURRENCY_CONVERT/);
  });

  it('sizes the catalog pool on the busiest stage the process runs', () => {
    expect(catalogPoolSize(loadWorkerConfig({ WORKER_CONCURRENCY: '4' }), 2)).toBe(10);
    expect(catalogPoolSize(loadWorkerConfig({ WORKER_STAGES: 'convert', WORKER_CONCURRENCY_FETCH: '20' }), 2)).toBe(10);
    expect(catalogPoolSize(loadWorkerConfig({}), 2)).toBe(14);
  });
});
