import { describe, expect, it } from 'vitest';
import { documentFinalizedDataSchema, type DocumentFinalizedData } from '@oa-archive/contracts';
import { applyMapping, decodePayload, loadSources, LOCAL_SOURCES_FILE } from '@oa-archive/gateway';
import { eventDataOf, oaJsonPayloadOf, oaXmlPayloadOf, PUSH_SHAPES, simulateDocument } from '../src/index.ts';

const BASE = 'http://127.0.0.1:8088';
const documents = Array.from({ length: 33 }, (_, i) => simulateDocument(11, i + 1));
const instant = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso).getTime());

/** What an OA's own shape can carry of a document: everything but sha256, with dates as instants. */
function comparable(data: DocumentFinalizedData) {
  return {
    ...data,
    dates: { created: instant(data.dates.created), finalized: instant(data.dates.finalized) },
    workflow: { ...data.workflow, steps: data.workflow.steps.map((s) => ({ ...s, at: instant(s.at) })) },
    components: data.components.map(({ sha256: _sha, ...c }) => c),
    extra: undefined,
  };
}

describe('the OA shapes of the simulator read through the demo mappings', async () => {
  const sources = await loadSources(LOCAL_SOURCES_FILE);

  it.each([
    ['json', 'oa-sim-json', (d: (typeof documents)[number]) => Buffer.from(JSON.stringify(oaJsonPayloadOf(d, BASE)))],
    ['xml', 'oa-sim-xml', (d: (typeof documents)[number]) => Buffer.from(oaXmlPayloadOf(d, BASE))],
  ] as const)('%s gives the document the simulator means', (_shape, sourceId, bodyOf) => {
    const mapping = sources[sourceId]!.mapping;
    for (const document of documents) {
      const mapped = applyMapping(mapping, decodePayload(bodyOf(document), mapping.format));
      expect(mapped.issues).toEqual([]);
      const data = documentFinalizedDataSchema.parse(mapped.data);
      const canonical = documentFinalizedDataSchema.parse(eventDataOf(document, BASE, { declareDigests: true }));
      expect(comparable(data)).toEqual(comparable(canonical));
      // 成文日期 is sent as a date: the day of signing in the OA's time zone.
      if (canonical.dates.signed) expect(data.dates.signed!.slice(0, 10)).toBe(new Date(instant(canonical.dates.signed)! + 8 * 3_600_000).toISOString().slice(0, 10));
      expect((data.extra?.componentMd5 as string[]).length).toBe(data.components.length);
    }
  });

  it('pushes with the credentials the demo gateway expects', () => {
    for (const shape of Object.values(PUSH_SHAPES)) {
      expect(sources[shape.source]?.credentials.hmac).toContainEqual(shape.credentials);
      expect(shape.contentType.startsWith(sources[shape.source]!.mapping.format === 'xml' ? 'application/xml' : 'application/json')).toBe(true);
    }
  });
});
