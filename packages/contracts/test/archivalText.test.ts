import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CLOUDEVENTS_STRUCTURED_CONTENT_TYPE,
  deadLetterOf,
  exampleDocumentFinalizedEvent,
  MAX_EXTRA_DEPTH,
  parseDocumentFinalized,
  storableJsonIssues,
  unstorableCharacterIn,
} from '../src/index.ts';

const structured = (event: unknown) => ({
  value: Buffer.from(JSON.stringify(event)),
  headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE },
});

/** Every string of a JSON value with its path, e.g. ['data', 'components', 0, 'url']. */
function stringLeaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}

function withLeaf(event: unknown, path: (string | number)[], change: (s: string) => string): unknown {
  const copy = structuredClone(event) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  node[last] = change(node[last] as string);
  return copy;
}

describe('unstorableCharacterIn', () => {
  it.each([
    ['关于\u0000空字符的通知', /U\+0000 \(NUL\) at character 2/],
    ['\ud800', /unpaired surrogate U\+D800 at character 0/],
    ['ab\udc00', /unpaired surrogate U\+DC00 at character 2/],
    ['\udc00\ud800', /unpaired surrogate U\+DC00/],
  ])('refuses %j', (text, reason) => {
    expect(unstorableCharacterIn(text)).toMatch(reason);
  });

  it.each([['关于做好2025年度档案移交工作的通知'], ['emoji 📄 in a pair'], ['\uffff and \ufffe'], ['tab\tand newline\n'], ['']])('accepts %j', (text) => {
    expect(unstorableCharacterIn(text)).toBeUndefined();
  });
});

describe('the contract refuses text the catalog cannot store', () => {
  const leaves = stringLeaves(exampleDocumentFinalizedEvent);

  it('visits every string field of the example', () => {
    expect(leaves.length).toBeGreaterThan(30);
  });

  it.each([
    ['a NUL', (s: string) => `${s}\u0000`],
    ['a lone surrogate', (s: string) => `\ud800${s}`],
  ])('refuses %s in any string field, naming the field', (_what, change) => {
    for (const path of leaves) {
      const result = parseDocumentFinalized(structured(withLeaf(exampleDocumentFinalizedEvent, path, change)));
      const field = path.join('.');
      expect(result.ok, field).toBe(false);
      if (result.ok) continue;
      expect(result.issues.map((i) => i.path), field).toContain(field);
      expect(result.reason, field).toContain(field);
    }
  });

  it('refuses a NUL in departmentCode and in the title, the cases that stalled intake', () => {
    for (const [field, value] of [['departmentCode', 'B\u0000GS'], ['title', '关于\u0000空字符的通知']] as const) {
      const result = parseDocumentFinalized(structured({ ...exampleDocumentFinalizedEvent, data: { ...exampleDocumentFinalizedEvent.data, [field]: value } }));
      expect(!result.ok && result.reason).toMatch(new RegExp(`data\\.${field}: contains U\\+0000 \\(NUL\\)`));
    }
  });

  it('checks every key and value of extra, however nested, and bounds its depth', () => {
    const extra = { ok: ['fine', { 'bad\u0000key': 1 }], deep: { list: [1, 'x\udfff'] } };
    const result = parseDocumentFinalized(structured({ ...exampleDocumentFinalizedEvent, data: { ...exampleDocumentFinalizedEvent.data, extra } }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual(['data.extra.ok.1.bad\\u0000key', 'data.extra.deep.list.1']);
    expect(result.reason).not.toContain('\u0000');

    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(storableJsonIssues({ deep }, MAX_EXTRA_DEPTH)).toEqual([{ path: ['deep', ...Array<number>(MAX_EXTRA_DEPTH - 1).fill(0)], message: `nests deeper than ${MAX_EXTRA_DEPTH} levels` }]);
  });

  it('refuses a value that is not UTF-8 instead of replacing the bytes', () => {
    const bytes = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    const result = parseDocumentFinalized({ value: bytes, headers: {} });
    expect(!result.ok && result.reason).toMatch(/not UTF-8 text/);
  });

  it('refuses a ce_ header that is not UTF-8, and names a missing ce_specversion in binary mode', () => {
    const { data, ...attributes } = exampleDocumentFinalizedEvent;
    const headers: Record<string, string | Buffer> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(attributes)) if (name !== 'datacontenttype') headers[`ce_${name}`] = String(value);
    const value = Buffer.from(JSON.stringify(data));

    const garbled = parseDocumentFinalized({ value, headers: { ...headers, ce_id: Buffer.from([0xff, 0x00]) } });
    expect(!garbled.ok && garbled.reason).toMatch(/header "ce_id" is not UTF-8 text/);

    const { ce_specversion: _s, ce_source: _o, ...missing } = headers;
    const incomplete = parseDocumentFinalized({ value, headers: missing });
    expect(!incomplete.ok && incomplete.issues.map((i) => i.path)).toEqual(['specversion', 'source']);
  });
});

describe('the contract bounds what the catalog columns hold', () => {
  const data = exampleDocumentFinalizedEvent.data;

  it('refuses two components at the same URL, after normalisation', () => {
    const [first] = data.components;
    const duplicate = { ...first!, fileName: 'again.pdf', url: first!.url.replace('http://127.0.0.1:8088/', 'HTTP://127.0.0.1:8088/') };
    const result = parseDocumentFinalized(structured({ ...exampleDocumentFinalizedEvent, data: { ...data, components: [...data.components, duplicate] } }));
    expect(!result.ok && result.issues).toEqual([{ path: 'data.components.2.url', message: 'same URL as component 0; each component must be a distinct file' }]);
  });

  it('refuses a version beyond a 32-bit integer and the year 0000', () => {
    const big = parseDocumentFinalized(structured({ ...exampleDocumentFinalizedEvent, data: { ...data, version: 2 ** 31 } }));
    expect(!big.ok && big.issues.map((i) => i.path)).toEqual(['data.version']);
    const year0 = parseDocumentFinalized(structured({ ...exampleDocumentFinalizedEvent, data: { ...data, dates: { ...data.dates, finalized: '0000-01-01T00:00:00Z' } } }));
    expect(!year0.ok && year0.issues).toEqual([{ path: 'data.dates.finalized', message: 'year 0000 does not exist' }]);
  });
});

describe('deadLetterOf keeps the original record', () => {
  const origin = { topic: 't', partition: 0, offset: '7', key: null };

  it('keeps text headers as text and other header bytes as base64', () => {
    const letter = deadLetterOf({ reason: 'r', issues: [], receivedAt: 'now', origin, headers: { ce_id: Buffer.from('abc'), trace: Buffer.from([0xff, 0x01]), 'content-type': 'x' }, value: null });
    expect(letter.headers).toEqual({ ce_id: 'abc', 'content-type': 'x' });
    expect(letter.binaryHeaders).toEqual({ trace: '/wE=' });
  });

  it('sends a value that JSON would blow up as base64', () => {
    const nuls = Buffer.alloc(1000);
    const letter = deadLetterOf({ reason: 'r', issues: [], receivedAt: 'now', origin, headers: {}, value: nuls });
    expect(letter.value).toEqual({ encoding: 'base64', content: nuls.toString('base64') });
  });

  it('can leave a value out, keeping its size and digest', () => {
    const value = Buffer.from('x'.repeat(100));
    const letter = deadLetterOf({ reason: 'r', issues: [], receivedAt: 'now', origin, headers: {}, value, omitValue: 'too large' });
    expect(letter.value).toBeNull();
    expect(letter.valueOmitted).toEqual({ bytes: 100, sha256: createHash('sha256').update(value).digest('hex'), why: 'too large' });
  });
});
