import { describe, expect, it } from 'vitest';
import { STAGES } from '@oa-archive/contracts';
import { loadWorkerConfig } from '../src/index.ts';

describe('worker configuration', () => {
  it('runs every stage by default', () => {
    expect(loadWorkerConfig({}).WORKER_STAGES).toEqual([...STAGES]);
  });

  it('takes a subset of stages, so heavy stages can scale on their own', () => {
    expect(loadWorkerConfig({ WORKER_STAGES: 'fetch, deposit' }).WORKER_STAGES).toEqual(['fetch', 'deposit']);
  });

  it('runs no stage with none: a process for the reconciler and the receipt relay alone', () => {
    expect(loadWorkerConfig({ WORKER_STAGES: 'none' }).WORKER_STAGES).toEqual([]);
  });

  it('takes the agency time zone from AGENCY_TIME_ZONE, Asia/Shanghai by default, and refuses one that is not', () => {
    expect(loadWorkerConfig({}).AGENCY_TIME_ZONE).toBe('Asia/Shanghai');
    expect(loadWorkerConfig({ AGENCY_TIME_ZONE: 'Asia/Urumqi' }).AGENCY_TIME_ZONE).toBe('Asia/Urumqi');
    expect(() => loadWorkerConfig({ AGENCY_TIME_ZONE: 'Beijing' })).toThrow(/AGENCY_TIME_ZONE[\s\S]*not an IANA time zone/);
  });

  it('takes the EEP signing key as a pair, and names the half that is missing', () => {
    const pair = { EEP_SM2_PRIVATE_KEY: 'a'.repeat(64), EEP_SM2_PUBLIC_KEY: `04${'b'.repeat(128)}` };
    expect(loadWorkerConfig(pair).EEP_SM2_PUBLIC_KEY).toBe(pair.EEP_SM2_PUBLIC_KEY);
    expect(() => loadWorkerConfig({ EEP_SM2_PRIVATE_KEY: pair.EEP_SM2_PRIVATE_KEY })).toThrow(/EEP_SM2_PRIVATE_KEY: EEP_SM2_PRIVATE_KEY and EEP_SM2_PUBLIC_KEY are a pair/);
  });

  it('names unknown stages', () => {
    expect(() => loadWorkerConfig({ WORKER_STAGES: 'fetch,ocr' })).toThrow(/unknown stage\(s\) ocr/);
  });

  it('keeps job locks short for every stage, so a killed worker delays a document by at most a minute', () => {
    const config = loadWorkerConfig({});
    // A lost job is noticed once its lock lapses and a stalled check runs: at worst lock + interval.
    expect(config.JOB_LOCK_MS + config.JOB_STALLED_INTERVAL_MS).toBeLessThanOrEqual(60_000);
    expect(config.JOB_MAX_STALLED).toBeGreaterThanOrEqual(1);
    // Long stages are bounded by their own deadline instead, longer than one conversion.
    expect(config.STAGE_DEADLINES.convert).toBeGreaterThan(config.CONVERSION_TIMEOUT_MS);
  });

  it('reads stage deadlines and names a bad one', () => {
    expect(loadWorkerConfig({ STAGE_DEADLINES: 'convert=45m, fetch=90s' }).STAGE_DEADLINES).toMatchObject({ convert: 45 * 60_000, fetch: 90_000, classify: 120_000 });
    expect(() => loadWorkerConfig({ STAGE_DEADLINES: 'ocr=5m' })).toThrow(/STAGE_DEADLINES: "ocr" is not a stage/);
    expect(() => loadWorkerConfig({ STAGE_DEADLINES: 'convert=soon' })).toThrow(/"soon" is not a duration/);
  });
});
