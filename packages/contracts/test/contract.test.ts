import { describe, expect, it } from 'vitest';
import {
  CLOUDEVENTS_STRUCTURED_CONTENT_TYPE,
  deadLetterOf,
  exampleDocumentFinalizedEvent,
  ingestIdOf,
  nextStage,
  parseDocumentFinalized,
  STAGES,
} from '../src/index.ts';

const structured = (event: unknown) => ({
  value: Buffer.from(JSON.stringify(event)),
  headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE },
});

describe('parseDocumentFinalized', () => {
  it('accepts the README example in structured mode', () => {
    const result = parseDocumentFinalized(structured(exampleDocumentFinalizedEvent));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.data.title).toBe('关于做好2025年度档案移交工作的通知');
    expect(result.event.data.components).toHaveLength(2);
    expect(result.event.data.components[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts binary mode: attributes in ce_ headers, data as the value', () => {
    const { data, ...attributes } = exampleDocumentFinalizedEvent;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(attributes)) {
      if (name !== 'datacontenttype') headers[`ce_${name}`] = String(value);
    }
    const result = parseDocumentFinalized({ value: Buffer.from(JSON.stringify(data)), headers });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.id).toBe(exampleDocumentFinalizedEvent.id);
  });

  it('defaults urgency to 普通 when the OA omits it', () => {
    const { urgency: _u, ...data } = exampleDocumentFinalizedEvent.data;
    const result = parseDocumentFinalized(structured({ ...exampleDocumentFinalizedEvent, data }));
    expect(result.ok && result.event.data.urgency).toBe('普通');
  });

  it.each([
    ['an empty value', { value: Buffer.alloc(0), headers: {} }, /empty/],
    ['a value that is not JSON', { value: Buffer.from('{oops'), headers: {} }, /not JSON/],
    [
      'a foreign content type',
      { value: Buffer.from('{}'), headers: { 'content-type': 'text/plain' } },
      /neither CloudEvents/,
    ],
  ])('rejects %s with a reason', (_name, message, reason) => {
    const result = parseDocumentFinalized(message);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('names each violated field of data', () => {
    const bad = {
      ...exampleDocumentFinalizedEvent,
      data: {
        ...exampleDocumentFinalizedEvent.data,
        securityLevel: 'TOP',
        components: [{ ...exampleDocumentFinalizedEvent.data.components[0], url: 'file:///etc/passwd' }],
      },
    };
    const result = parseDocumentFinalized(structured(bad));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => i.path);
    expect(paths).toContain('data.securityLevel');
    expect(paths).toContain('data.components.0.url');
    expect(result.reason).toContain('data.securityLevel');
  });

  it('rejects a document without components and a wrong event type', () => {
    const noComponents = { ...exampleDocumentFinalizedEvent, data: { ...exampleDocumentFinalizedEvent.data, components: [] } };
    const r1 = parseDocumentFinalized(structured(noComponents));
    expect(!r1.ok && r1.issues.map((i) => i.path)).toEqual(['data.components']);
    const r2 = parseDocumentFinalized(structured({ ...exampleDocumentFinalizedEvent, type: 'oa.document.deleted' }));
    expect(!r2.ok && r2.issues.map((i) => i.path)).toEqual(['type']);
  });

  it('rejects a future major schema version', () => {
    const v2 = { ...exampleDocumentFinalizedEvent, dataschema: 'urn:oa-archive:schema:document-finalized:2.0' };
    const result = parseDocumentFinalized(structured(v2));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/unsupported dataschema/);
  });
});

describe('ingestIdOf', () => {
  const key = { source: 'oa-simulator', documentId: 'FW-2025-0137', version: 1 };

  it('is stable for the same key and safe as a BullMQ job id', () => {
    expect(ingestIdOf(key)).toBe(ingestIdOf({ ...key }));
    expect(ingestIdOf(key)).toMatch(/^ing_[0-9a-f]{32}$/);
  });

  it('differs when any part of the key differs', () => {
    const ids = new Set([
      ingestIdOf(key),
      ingestIdOf({ ...key, version: 2 }),
      ingestIdOf({ ...key, source: 'oa-finance' }),
      ingestIdOf({ ...key, documentId: 'FW-2025-0138' }),
      // Concatenation ambiguity must not collide.
      ingestIdOf({ source: 'a', documentId: 'bc', version: 1 }),
      ingestIdOf({ source: 'ab', documentId: 'c', version: 1 }),
    ]);
    expect(ids.size).toBe(6);
  });
});

describe('stages', () => {
  it('run fetch → … → notify and end there', () => {
    expect(STAGES[0]).toBe('fetch');
    expect(nextStage('deposit')).toBe('notify');
    expect(nextStage('notify')).toBeUndefined();
  });
});

describe('deadLetterOf', () => {
  const origin = { topic: 't', partition: 0, offset: '7', key: null };
  it('keeps UTF-8 values as text and other bytes as base64', () => {
    const text = deadLetterOf({ reason: 'r', issues: [], receivedAt: 'now', origin, headers: {}, value: Buffer.from('题名') });
    expect(text.value).toEqual({ encoding: 'utf8', content: '题名' });
    const binary = deadLetterOf({ reason: 'r', issues: [], receivedAt: 'now', origin, headers: {}, value: Buffer.from([0xff, 0xfe, 0x00]) });
    expect(binary.value).toEqual({ encoding: 'base64', content: '//4A' });
  });
});
