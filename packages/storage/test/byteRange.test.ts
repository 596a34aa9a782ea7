import { describe, expect, it } from 'vitest';
import { parseByteRange, rangeParameter } from '../src/index.ts';

describe('parseByteRange', () => {
  it('reads the single ranges players and resumed downloads send', () => {
    expect(parseByteRange('bytes=0-')).toEqual({ first: 0 });
    expect(parseByteRange('bytes=1048576-2097151')).toEqual({ first: 1048576, last: 2097151 });
    expect(parseByteRange('bytes=-500')).toEqual({ suffix: 500 });
    expect(parseByteRange(' bytes=5-5 ')).toEqual({ first: 5, last: 5 });
  });

  it('ignores what it does not serve, so the whole object is sent as RFC 9110 allows', () => {
    for (const header of [undefined, '', 'bytes=', 'bytes=-', 'bytes=-0', 'items=0-1', 'bytes=0-1,4-5', 'bytes=9-3', 'bytes=a-b', 'bytes=99999999999999999999-']) {
      expect(parseByteRange(header), String(header)).toBeUndefined();
    }
  });

  it('gives S3 the same syntax back', () => {
    expect(rangeParameter({ first: 0 })).toBe('bytes=0-');
    expect(rangeParameter({ first: 2, last: 9 })).toBe('bytes=2-9');
    expect(rangeParameter({ suffix: 7 })).toBe('bytes=-7');
  });
});
