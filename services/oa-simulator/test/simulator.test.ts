import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentFinalizedDataSchema } from '@oa-archive/contracts';
import { createFileServer, eventDataOf, listen, simulateDocument } from '../src/index.ts';
import { loadSimulatorConfig } from '../src/config.ts';

const documents = Array.from({ length: 40 }, (_, i) => simulateDocument(7, i + 1));

describe('simulated agency documents', () => {
  it('are valid events of the contract with 1–3 components', () => {
    for (const document of documents) {
      const data = documentFinalizedDataSchema.parse(eventDataOf(document, 'http://127.0.0.1:8088', { declareDigests: true }));
      expect(data.components.length).toBeGreaterThanOrEqual(1);
      expect(data.components.length).toBeLessThanOrEqual(3);
    }
  });

  it('cover the usual kinds of agency records', () => {
    const kinds = new Set(documents.map((d) => d.data.documentType));
    for (const kind of ['通知', '请示', '批复', '会议纪要', '合同', '照片']) expect(kinds).toContain(kind);
  });

  it('are reproducible from seed and index', () => {
    const again = simulateDocument(7, 3);
    expect(again.components.map((c) => c.bytes)).toEqual(documents[2]!.components.map((c) => c.bytes));
  });

  it('carry real files: PDFs with exact xref offsets, DOCX zips, decodable JPEGs', () => {
    const all = documents.flatMap((d) => d.components);
    const pdf = all.find((c) => c.mediaType === 'application/pdf')!.bytes;
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.7')).toBe(true);
    const xrefAt = Number(/startxref\n(\d+)/.exec(text)![1]);
    expect(text.slice(xrefAt, xrefAt + 4)).toBe('xref');
    const offsets = Array.from(text.matchAll(/(\d{10}) 00000 n \n/g), (m) => Number(m[1]));
    expect(offsets.length).toBeGreaterThan(4);
    offsets.forEach((offset, i) => expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    const docx = all.find((c) => c.fileName.endsWith('.docx'))!.bytes;
    expect(docx.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    const jpg = all.find((c) => c.mediaType === 'image/jpeg')!.bytes;
    expect(jpeg.decode(jpg).width).toBe(320);
  });
});

describe('file server', () => {
  const server = createFileServer({ token: 'test-token-123' });
  let baseUrl = '';
  beforeAll(async () => {
    baseUrl = (await listen(server, 0)).baseUrl;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves a component to a holder of the token', async () => {
    const response = await fetch(`${baseUrl}/files/SIM-7-00001/1`, { headers: { authorization: 'Bearer test-token-123' } });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(documents[0]!.components[0]!.bytes)).toBe(true);
  });

  it('refuses without the token and answers 404 for unknown files', async () => {
    expect((await fetch(`${baseUrl}/files/SIM-7-00001/1`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/files/SIM-7-00001/1`, { headers: { authorization: 'Bearer wrong-token-12' } })).status).toBe(401);
    expect((await fetch(`${baseUrl}/files/SIM-7-00001/9`, { headers: { authorization: 'Bearer test-token-123' } })).status).toBe(404);
    expect((await fetch(`${baseUrl}/files/..%2Fetc/1`, { headers: { authorization: 'Bearer test-token-123' } })).status).toBe(404);
  });
});

describe('simulator configuration', () => {
  it('defaults to the local source and port', () => {
    expect(loadSimulatorConfig({})).toMatchObject({ SIMULATOR_PORT: 8088, SIMULATOR_SOURCE: 'oa-simulator' });
  });
  it('rejects a short token', () => {
    expect(() => loadSimulatorConfig({ SIMULATOR_TOKEN: 'x' })).toThrow(/SIMULATOR_TOKEN/);
  });
});
