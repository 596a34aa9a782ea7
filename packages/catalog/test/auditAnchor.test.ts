import { describe, expect, it } from 'vitest';
import { anchorBody, anchorKeyOf, AuditAnchorError, parseAnchor } from '../src/index.ts';

const anchor = { seq: 42, hash: 'ab'.repeat(32), at: '2025-03-14T01:30:00.000Z' };

describe('audit anchor objects', () => {
  it('sort by sequence number under their prefix', () => {
    expect(anchorKeyOf(42)).toBe('audit-anchors/00000000000000000042.json');
    expect([anchorKeyOf(100), anchorKeyOf(9)].sort()).toEqual([anchorKeyOf(9), anchorKeyOf(100)]);
  });

  it('have the same bytes for the same head, and read back as written', () => {
    expect(anchorBody(anchor).equals(anchorBody({ ...anchor }))).toBe(true);
    expect(parseAnchor(anchorKeyOf(42), anchorBody(anchor).toString())).toEqual(anchor);
  });

  it.each([
    ['not JSON', anchorKeyOf(42), '{', /is not JSON/],
    ['another kind', anchorKeyOf(42), JSON.stringify({ ...anchor, kind: 'x' }), /is not an audit anchor/],
    ['a short hash', anchorKeyOf(42), JSON.stringify({ kind: 'oa-archive.audit-anchor', ...anchor, hash: 'ab' }), /is not an audit anchor/],
    ['a key that names another event', anchorKeyOf(41), anchorBody(anchor).toString(), /belongs under audit-anchors\/00000000000000000042\.json/],
  ])('refuse %s', (_what, key, body, message) => {
    expect(() => parseAnchor(key, body)).toThrow(AuditAnchorError);
    expect(() => parseAnchor(key, body)).toThrow(message);
  });
});
