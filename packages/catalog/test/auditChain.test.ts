import { describe, expect, it } from 'vitest';
import { auditHash, canonicalJson, GENESIS_HASH, verifyChainSegment, type ChainedAuditEvent } from '../src/index.ts';

function chain(n: number): ChainedAuditEvent[] {
  const events: ChainedAuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const event = { seq, at: `2025-01-01T00:00:0${seq % 10}.000Z`, ingestId: `ing_${seq}`, type: 'stage.completed', actor: 'worker:fetch', payload: { stage: 'fetch', n: seq } };
    const hash = auditHash(prevHash, event);
    events.push({ ...event, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

describe('canonicalJson', () => {
  it('orders keys so equal values hash equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
  it('drops undefined members and keeps Unicode as is', () => {
    expect(canonicalJson({ a: undefined, 题名: '通知' })).toBe('{"题名":"通知"}');
  });
});

describe('audit hash chain', () => {
  it('verifies an intact chain', () => {
    const result = verifyChainSegment(chain(5));
    expect(result).toEqual({ ok: true, last: { seq: 5, hash: chain(5)[4]!.hash } });
  });

  it('detects an altered payload', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, payload: { stage: 'deposit', n: 3 } };
    expect(verifyChainSegment(events)).toEqual({ ok: false, break: { seq: 3, reason: expect.stringMatching(/altered/) } });
  });

  it('detects a removed event', () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, break: { seq: 3, reason: expect.stringMatching(/missing/) } });
  });

  it('detects an event re-hashed after alteration, by the link that follows it', () => {
    const events = chain(4);
    const altered = { ...events[1]!, actor: 'someone-else' };
    altered.hash = auditHash(altered.prevHash, altered);
    events[1] = altered;
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, break: { seq: 3, reason: expect.stringMatching(/prev_hash/) } });
  });

  it('continues from a previous segment', () => {
    const events = chain(6);
    const first = verifyChainSegment(events.slice(0, 3));
    expect(first.ok).toBe(true);
    if (first.ok) expect(verifyChainSegment(events.slice(3), first.last).ok).toBe(true);
  });
});
