import { describe, expect, it } from 'vitest';
import { anchorBody, anchorKeyOf, AuditAnchorError, auditHash, GENESIS_HASH, parseAnchor, type ChainedAuditEvent } from '../src/index.ts';

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

  describe('carrying the chain segment since the anchor before', () => {
    // Events 3..5 of a chain, each hashed on from the one before.
    const segment: ChainedAuditEvent[] = [];
    let prev = 'cd'.repeat(32);
    for (const seq of [3, 4, 5]) {
      const event = { seq, at: `2025-03-14T01:3${seq}:00.000Z`, ingestId: `in-${seq}`, type: 'ingest.received', actor: 'intake', payload: { 题名: '通知', seq } };
      const hash = auditHash(prev, event);
      segment.push({ ...event, prevHash: prev, hash });
      prev = hash;
    }
    const head = segment.at(-1)!;
    const withSegment = { seq: 5, hash: head.hash, at: head.at, from: 2, events: segment };

    it('read back with their events, and the same segment gives the same bytes', () => {
      expect(anchorBody(withSegment).equals(anchorBody({ ...withSegment, events: segment.map((e) => ({ ...e })) }))).toBe(true);
      expect(parseAnchor(anchorKeyOf(5), anchorBody(withSegment).toString())).toEqual(withSegment);
    });

    it.each([
      ['an event missing', { ...withSegment, events: segment.slice(1) }, /should carry events 3\.\.5, it carries 2/],
      ['an altered event', { ...withSegment, events: [segment[0]!, { ...segment[1]!, payload: { 题名: '改过' } }, segment[2]!] }, /do not chain at event 4: content does not match its hash/],
      ['a head the events do not end in', { ...withSegment, hash: GENESIS_HASH }, /its events end in hash [0-9a-f]{64}, the anchor holds 0{64}/],
      ['a segment starting at the head', { ...withSegment, from: 5 }, /malformed segment/],
    ])('refuse %s', (_what, body, message) => {
      expect(() => parseAnchor(anchorKeyOf(5), anchorBody(body).toString())).toThrow(message);
    });
  });
});
