import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markWaiting, recordAccessRestriction, recordClassification, recordValidationReport } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { exampleDocumentFinalizedEvent, ingestIdOf, parseDocumentFinalized } from '@oa-archive/contracts';
import { readTopic, testKafka, testLogger, uniqueName } from '@oa-archive/testing';
import { loadGatewayConfig, startGateway, type GatewayProcess } from '../src/index.ts';
import { FIXTURES, oaSourcesFor, writeSourcesFile } from './support/gateway.ts';
import { recordsOn } from './support/kafka.ts';
import { signedHeaders } from './support/sign.ts';

const JSON_SECRET = 'json-oa-secret-0123456789';
const XML_SECRET = 'xml-oa-secret-0123456789ab';
const CANON_SECRET = 'canon-oa-secret-0123456789';
const CANON_TOKEN = 'canon-bearer-token-0123456789';

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let gateway: GatewayProcess;
let topic: string;
/** Every event the gateway should have published, by ingest id: checked against the topic at the end. */
const published = new Set<string>();

const jsonPush = () => readFileSync(path.join(FIXTURES, 'oa-json-push.json'));
const xmlPush = () => readFileSync(path.join(FIXTURES, 'oa-xml-push.xml'));

async function push(source: string, body: Buffer, options: { contentType?: string; appId?: string; secret?: string; headers?: Record<string, string>; now?: Date } = {}) {
  const url = `/v1/documents/${source}`;
  const auth = options.headers ?? signedHeaders({ appId: options.appId ?? source, secret: options.secret ?? JSON_SECRET, method: 'POST', url, body, ...(options.now ? { now: options.now } : {}) });
  const response = await fetch(`${gateway.url}${url}`, { method: 'POST', headers: { 'content-type': options.contentType ?? 'application/json', ...auth }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: auth };
}

async function status(source: string, documentId: string, version: number, secret: string) {
  const url = `/v1/documents/${source}/${encodeURIComponent(documentId)}/versions/${version}`;
  const response = await fetch(`${gateway.url}${url}`, { headers: signedHeaders({ appId: source, secret, method: 'GET', url, body: Buffer.alloc(0) }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  db = await createTestCatalog();
  topic = uniqueName('gateway-finalized');
  const sourcesFile = writeSourcesFile(`sources:
  oa-json:
    mapping: mappings/oa-json-nested.yaml
    hmac: [{ appId: oa-json, secret: ${JSON_SECRET} }]
  oa-xml:
    mapping: mappings/oa-xml.yaml
    hmac: [{ appId: oa-xml, secret: ${XML_SECRET} }]
  oa-canon:
    mapping: mappings/canonical.yaml
    hmac: [{ appId: oa-canon, secret: ${CANON_SECRET} }]
    bearer: [{ token: ${CANON_TOKEN} }]
`);
  const config = loadGatewayConfig({
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: topic,
    GATEWAY_PORT: '0',
    GATEWAY_SOURCES_FILE: sourcesFile,
    GATEWAY_POLLERS: 'false',
    OA_SOURCES: oaSourcesFor('oa-json', 'oa-xml', 'oa-canon'),
  });
  gateway = await startGateway(config, testLogger());
});

afterAll(async () => {
  await gateway?.close();
  await db?.drop();
});

describe('push', () => {
  it('accepts the nested JSON of an OA (202, ingest key) only once Kafka has it', async () => {
    const answer = await push('oa-json', jsonPush());
    expect(answer.status).toBe(202);
    const ingestId = ingestIdOf({ source: 'oa-json', documentId: 'FW-2025-0137', version: 1 });
    expect(answer.body).toMatchObject({ status: 'accepted', ingestId, source: 'oa-json', documentId: 'FW-2025-0137', version: 1, statusUrl: '/v1/documents/oa-json/FW-2025-0137/versions/1' });
    published.add(ingestId);
  });

  it('accepts XML', async () => {
    const answer = await push('oa-xml', xmlPush(), { contentType: 'application/xml; charset=utf-8', secret: XML_SECRET });
    expect(answer.status).toBe(202);
    expect(answer.body.ingestId).toBe(ingestIdOf({ source: 'oa-xml', documentId: 'QS-2025-0042', version: 1 }));
    published.add(answer.body.ingestId as string);
  });

  it('accepts the canonical contract with a bearer token', async () => {
    const body = Buffer.from(JSON.stringify({ ...exampleDocumentFinalizedEvent.data, documentId: 'CANON-1' }));
    const answer = await push('oa-canon', body, { headers: { authorization: `Bearer ${CANON_TOKEN}` } });
    expect(answer.status).toBe(202);
    published.add(answer.body.ingestId as string);
  });

  it('answers the same document sent again as the first time, without publishing it again', async () => {
    const first = await push('oa-json', jsonPush());
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'duplicate', ingestId: ingestIdOf({ source: 'oa-json', documentId: 'FW-2025-0137', version: 1 }) });
    const again = await push('oa-json', jsonPush());
    expect(again.body.eventId).toBe(first.body.eventId);
    expect(again.body.acceptedAt).toBe(first.body.acceptedAt);
  });

  it('refuses a changed file under an accepted version (409) and asks for a new version', async () => {
    const changed = jsonPush().toString().replace('92eb5ffee6ae2fec3ad71c777531578f', 'ffffffffffffffffffffffffffffffff');
    const answer = await push('oa-json', Buffer.from(changed));
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('version-conflict');
    expect(answer.body.message).toMatch(/version 1 of FW-2025-0137 was accepted .* other files .*file 1 \(关于做好2025年度档案移交工作的通知\.pdf\): md5 92eb5ffee6ae… → ffffffffffff….*new version \(version 2\)/);
    // The same change as version 2 is a new document.
    const v2 = await push('oa-json', Buffer.from(changed.replace('"版本号": 1', '"版本号": 2')));
    expect(v2.status).toBe(202);
    expect(v2.body).toMatchObject({ status: 'accepted', version: 2 });
    published.add(v2.body.ingestId as string);
  });

  it('refuses changed metadata under an accepted version, naming the fields', async () => {
    const answer = await push('oa-json', Buffer.from(jsonPush().toString().replace('"一般"', '"特急件"')));
    expect(answer.status).toBe(409);
    expect(answer.body.changed).toEqual(['metadata: urgency']);
  });
});

describe('authentication', () => {
  it('refuses a wrong signature (401) and a signature of another source (403)', async () => {
    expect((await push('oa-json', jsonPush(), { secret: 'not-the-secret-0123456789' })).status).toBe(401);
    const xmlSigned = await push('oa-json', jsonPush(), { appId: 'oa-xml', secret: XML_SECRET });
    expect(xmlSigned.status).toBe(403);
    expect(xmlSigned.body.error).toBe('forbidden');
  });

  it('refuses an expired timestamp', async () => {
    const answer = await push('oa-json', jsonPush(), { now: new Date(Date.now() - 6 * 60_000) });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/behind the gateway's clock; at most ±300 s/);
  });

  it('refuses a replayed request, even one that had been accepted', async () => {
    const body = Buffer.from(jsonPush().toString().replace('FW-2025-0137', 'FW-2025-0200'));
    const first = await push('oa-json', body);
    expect(first.status).toBe(202);
    published.add(first.body.ingestId as string);
    const replay = await push('oa-json', body, { headers: first.headers });
    expect(replay.status).toBe(401);
    expect(replay.body.message).toMatch(/nonce .* was already used/);
  });

  it('refuses a request without credentials and an unknown source', async () => {
    const response = await fetch(`${gateway.url}/v1/documents/oa-json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: jsonPush() });
    expect(response.status).toBe(401);
    expect((await push('oa-nowhere', jsonPush())).status).toBe(404);
  });
});

describe('refusals name every invalid field', () => {
  it('422 with the canonical field and the OA field of each problem', async () => {
    const payload = JSON.parse(jsonPush().toString()) as { 公文: Record<string, unknown> & { files: Record<string, unknown>[] } };
    payload.公文.公文标识 = 'FW-BAD-1';
    delete payload.公文.标题;
    payload.公文.密级 = '超密';
    payload.公文.办结时间 = '昨天';
    delete payload.公文.files[0]!.url;
    payload.公文.files[1]!.url = 'http://files.elsewhere.example/1';
    payload.公文.files[2]!.role = '封面';
    const answer = await push('oa-json', Buffer.from(JSON.stringify(payload)));
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe('invalid-document');
    const issues = answer.body.issues as { path: string; sourceField?: string; message: string }[];
    const named = issues.map((i) => [i.path, i.sourceField]);
    expect(named).toEqual(
      expect.arrayContaining([
        ['dates.finalized', '办结时间'],
        ['title', '标题'],
        ['securityLevel', '密级'],
        // files[1] of the payload has order 2: component 1; files[0] (order 2 → component 1) and files[2] → component 2.
        ['components.1.url', 'files[1].url'],
        ['components.2.role', 'files[3].role'],
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it('refuses a file on an origin the archive does not fetch from', async () => {
    const body = jsonPush().toString().replace('FW-2025-0137', 'FW-2025-0300').replace('http://127.0.0.1:8088/files/FW-2025-0137/2', 'http://10.0.0.1/files/2');
    const answer = await push('oa-json', Buffer.from(body));
    expect(answer.status).toBe(422);
    expect(answer.body.issues).toEqual([{ path: 'components.1.url', sourceField: 'files[1].url', message: expect.stringMatching(/http:\/\/10\.0\.0\.1 is not an origin the archive fetches from/) }]);
  });

  it('400 for a body that is not JSON, 415 for XML sent to a JSON source', async () => {
    const broken = await push('oa-json', Buffer.from('{"公文": '));
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('unreadable-body');
    const wrongType = await push('oa-json', xmlPush(), { contentType: 'application/xml' });
    expect(wrongType.status).toBe(415);
  });

  it('413 for a body over the limit and 415 for a media type no source reads, in the same shape', async () => {
    const huge = await push('oa-json', Buffer.alloc(3 * 1024 * 1024, 0x20));
    expect(huge).toMatchObject({ status: 413, body: { error: 'too-large' } });
    const text = await push('oa-json', jsonPush(), { contentType: 'text/plain' });
    expect(text).toMatchObject({ status: 415, body: { error: 'unsupported-media-type' } });
  });

  it('400 for XML with a DOCTYPE', async () => {
    const xxe = Buffer.from('<?xml version="1.0"?><!DOCTYPE 归档数据 [<!ENTITY x SYSTEM "file:///etc/passwd">]><归档数据>&x;</归档数据>');
    const answer = await push('oa-xml', xxe, { contentType: 'application/xml', secret: XML_SECRET });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/DOCTYPE/);
  });
});

describe('status', () => {
  it('is ACCEPTED until intake records it, then says what the catalog says', async () => {
    const accepted = await status('oa-xml', 'QS-2025-0042', 1, XML_SECRET);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'ACCEPTED', final: false, accepted: { channel: 'push' }, referenceCode: null });

    // What intake and the pipeline would record, from the event the gateway published.
    const events = await readTopic(testKafka(), topic, published.size);
    const event = events.map((m) => parseDocumentFinalized({ value: Buffer.from(m.value), headers: m.headers })).flatMap((p) => (p.ok ? [p.event] : [])).find((e) => e.data.documentId === 'QS-2025-0042')!;
    const ingestId = ingestIdOf({ source: 'oa-xml', documentId: 'QS-2025-0042', version: 1 });
    await seedIngestAt(db.catalog, ingestId, event, { status: 'FILED' });
    await recordClassification(
      db.catalog.pool,
      ingestId,
      { outcome: 'FILE', category: 'WS', retention: 'D30', organisationCode: 'XXZX', year: 2025, ruleIds: ['WS-QS-D30'], scheduleVersion: '2025.1', explanation: '本机关请示，定期30年' },
      { itemClass: { fonds: 'A182', category: 'WS', year: 2025, retention: 'D30', org: 'XXZX' }, format: (item) => `A182-WS·2025-D30-XXZX-${String(item).padStart(4, '0')}` },
    );
    await recordValidationReport(db.catalog.pool, ingestId, true, { passed: true, items: [{ code: '1-1', property: '真实性', name: '来源真实性', result: 'pass', detail: '来源可信' }] });

    const filed = await status('oa-xml', 'QS-2025-0042', 1, XML_SECRET);
    expect(filed.body).toMatchObject({
      status: 'FILED',
      final: true,
      referenceCode: 'A182-WS·2025-D30-XXZX-0001',
      classification: { outcome: 'FILE', retention: 'D30', ruleIds: ['WS-QS-D30'] },
      fourProperties: { passed: true, items: [{ code: '1-1', property: '真实性', result: 'pass' }] },
      reasons: [],
      access: null,
      waiting: null,
    });

    // Filed 限制利用 (a 内部 document): the status says so, with the least role that may use the content.
    await recordAccessRestriction(db.catalog.pool, ingestId, { securityLevel: '内部', controlMark: '控制', minimumRole: 'admin', scheduleVersion: '2025.1', basis: '内部文件限制利用' });
    expect((await status('oa-xml', 'QS-2025-0042', 1, XML_SECRET)).body.access).toEqual({ restricted: true, controlMark: '控制', securityLevel: '内部', minimumRole: 'admin', basis: '内部文件限制利用' });
  });

  it('says what a document waits for while the virus scanner is down', async () => {
    const event = { ...exampleEventFor('QS-WAIT-0001'), source: 'oa-xml' };
    const ingestId = ingestIdOf({ source: 'oa-xml', documentId: 'QS-WAIT-0001', version: 1 });
    await seedIngestAt(db.catalog, ingestId, event, { status: 'IN_PROGRESS', stage: 'characterize' });
    await markWaiting(db.catalog.pool, ingestId, { for: 'virus-scanner', reason: 'clamd at /run/clamd.sock did not answer (ENOENT)' });
    const answer = await status('oa-xml', 'QS-WAIT-0001', 1, XML_SECRET);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'IN_PROGRESS', final: false, waiting: { for: 'virus-scanner', since: expect.any(String), reason: expect.stringContaining('did not answer') } });
  });

  it('404 for a version the archive does not know; the status of another source is not readable', async () => {
    expect((await status('oa-xml', 'QS-2025-0042', 7, XML_SECRET)).status).toBe(404);
    expect((await status('oa-json', 'QS-2025-0042', 1, XML_SECRET)).status).toBe(401);
  });
});

describe('what reached Kafka', () => {
  it('is one CloudEvent per accepted document, each accepted by the contract as intake reads it', async () => {
    // Every record the topic holds (it is this test's own): the answer came after Kafka's acknowledgement, so nothing is still on its way.
    expect(await recordsOn(topic)).toBe(published.size);
    const messages = await readTopic(testKafka(), topic, published.size);
    const ids = messages.map((message) => {
      const parsed = parseDocumentFinalized({ value: Buffer.from(message.value), headers: message.headers });
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(message.key).toBe(parsed.event.data.documentId);
      return ingestIdOf({ source: parsed.event.source, documentId: parsed.event.data.documentId, version: parsed.event.data.version });
    });
    expect(new Set(ids)).toEqual(published);
    expect(ids).toHaveLength(published.size);
  });
});
