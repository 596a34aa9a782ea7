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

  it('names unknown stages', () => {
    expect(() => loadWorkerConfig({ WORKER_STAGES: 'fetch,ocr' })).toThrow(/unknown stage\(s\) ocr/);
  });
});
