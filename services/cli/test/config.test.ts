import { describe, expect, it } from 'vitest';
import { loadCliConfig } from '../src/config.ts';

describe('cli configuration', () => {
  it('reads the local catalog and S3 server by default', () => {
    expect(loadCliConfig({})).toMatchObject({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/oa_archive', S3_ENDPOINT: 'http://127.0.0.1:9000' });
  });
  it('names a bad database URL', () => {
    expect(() => loadCliConfig({ DATABASE_URL: 'localhost' })).toThrow(/DATABASE_URL/);
  });
});
