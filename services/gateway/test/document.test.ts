import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { oaSourceSchema } from '@oa-archive/config';
import { parseDocumentFinalized } from '@oa-archive/contracts';
import { canonicalDocument, type Limits } from '../src/document.ts';
import { loadMapping } from '../src/mapping/schema.ts';
import { rowOutcomeOf } from '../src/middleTable/poller.ts';
import { FILE_ORIGIN, FIXTURES, MAPPINGS } from './support/gateway.ts';

const origins = oaSourceSchema.parse({ allowedOrigins: [FILE_ORIGIN] });
const limits: Limits = { maxComponents: 200, maxDeclaredBytes: 2 ** 34, maxRecordBytes: 1024 * 1024 };
const json = await loadMapping(path.join(MAPPINGS, 'oa-json-nested.yaml'));
const xml = await loadMapping(path.join(MAPPINGS, 'oa-xml.yaml'));
const push = readFileSync(path.join(FIXTURES, 'oa-json-push.json'), 'utf8');
const receivedAt = new Date('2025-03-14T02:00:00Z');
const make = (body: string, overrides: Partial<Limits> = {}, mapping = json) => canonicalDocument({ source: 'oa-json', origins, mapping, body: Buffer.from(body), limits: { ...limits, ...overrides }, receivedAt });

describe('canonical document', () => {
  it('is a structured CloudEvent the contract accepts, keyed by the document id, with a stable id and digest', () => {
    const first = make(push);
    const again = canonicalDocument({ source: 'oa-json', origins, mapping: json, body: push, limits, receivedAt: new Date() });
    if (!first.ok || !again.ok) throw new Error('refused');
    expect(first.document.record.key).toBe('FW-2025-0137');
    expect(first.document.record.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(parseDocumentFinalized({ value: Buffer.from(first.document.record.value), headers: first.document.record.headers }).ok).toBe(true);
    // The same document, from bytes or from a database column, whenever it comes: the same event id and digest.
    expect(again.document.event.id).toBe(first.document.event.id);
    expect(again.document.contentSha256).toBe(first.document.contentSha256);
    expect(first.document.files[0]).toEqual({ fileName: '关于做好2025年度档案移交工作的通知.pdf', url: `${FILE_ORIGIN}/files/FW-2025-0137/1`, size: 48213, sha256: null, md5: '92eb5ffee6ae2fec3ad71c777531578f' });
  });

  it("applies intake's limits: file count, declared bytes, record size", () => {
    expect(make(push, { maxComponents: 2 })).toMatchObject({ ok: false, kind: 'invalid', issues: [{ path: 'components', sourceField: 'files', message: '3 files, over the 2 one document may have' }] });
    expect(make(push, { maxDeclaredBytes: 50_000 })).toMatchObject({ ok: false, issues: [{ message: expect.stringMatching(/the files declare 77\.1 KiB, over the 48\.8 KiB/) }] });
    expect(make(push, { maxRecordBytes: 1024 })).toMatchObject({ ok: false, kind: 'too-large', message: expect.stringMatching(/over the 1 KiB one event may take/) });
  });

  it('names a missing document element rather than every field', () => {
    expect(make('<其他><a>1</a></其他>', {}, xml)).toMatchObject({ ok: false, issues: [{ path: '(document)', sourceField: '归档数据', message: "the payload's 归档数据 is not an element with children" }] });
  });

  it('reports a field the mapping could not convert once, not again as missing', () => {
    const result = make(push.replace('"2025-03-14 09:30:00"', '"下周一"'));
    expect(result).toMatchObject({ ok: false, issues: [{ path: 'dates.finalized', sourceField: '办结时间' }] });
    if (!result.ok) expect(result.issues).toHaveLength(1);
  });
});

describe('what a middle-table row says afterwards', () => {
  it('published with the event, or rejected with one line per field', () => {
    expect(rowOutcomeOf({ kind: 'accepted', duplicate: false, ingestId: 'ing_1', eventId: 'gw_1', documentId: 'D', version: 1, acceptedAt: receivedAt })).toEqual({ status: 'published', ingestId: 'ing_1', result: 'published as event gw_1' });
    expect(rowOutcomeOf({ kind: 'refused', reason: 'invalid', message: 'the document does not meet the contract', issues: [{ path: 'title', sourceField: '标题', message: 'required' }] })).toEqual({
      status: 'rejected',
      result: 'the document does not meet the contract\n- title (标题): required',
    });
  });
});
