import { describe, expect, it } from 'vitest';
import { parseDocumentFinalized, exampleDocumentFinalizedEvent, type DocumentFinalizedEvent } from '@oa-archive/contracts';
import { loadIntakeConfig } from '../src/index.ts';
import { admissionRefusal, formatBytes, recordBytes, recordSizeRefusal } from '../src/admission.ts';

const config = loadIntakeConfig({});
const policy = { sources: config.OA_SOURCES, maxComponents: config.INTAKE_MAX_COMPONENTS, maxDeclaredBytes: config.INTAKE_MAX_DECLARED_BYTES };

function eventWith(components: { url: string; size?: number }[]): DocumentFinalizedEvent {
  const data = { ...exampleDocumentFinalizedEvent.data, components: components.map((c) => ({ role: '附件', fileName: 'a.pdf', ...c })) };
  const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify({ ...exampleDocumentFinalizedEvent, data })), headers: {} });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

describe('admissionRefusal', () => {
  it('admits the example event', () => {
    const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify(exampleDocumentFinalizedEvent)), headers: {} });
    expect(parsed.ok && admissionRefusal(parsed.event, policy)).toBeUndefined();
  });

  it('refuses more components than configured, and more declared bytes', () => {
    const many = eventWith(Array.from({ length: 201 }, (_, i) => ({ url: `http://127.0.0.1:8088/f/${i}`, size: 100 * 1024 ** 3 })));
    const refusal = admissionRefusal(many, policy);
    expect(refusal?.issues.map((i) => i.message)).toEqual([
      '201 components, over the 200 an event may declare (INTAKE_MAX_COMPONENTS)',
      'the components declare 19.6 TiB, over the 16 GiB an event may carry (INTAKE_MAX_DECLARED_BYTES)',
    ]);
    expect(admissionRefusal(eventWith([{ url: 'http://127.0.0.1:8088/f/1', size: 16 * 1024 ** 3 }]), policy)).toBeUndefined();
    expect(admissionRefusal(eventWith([{ url: 'http://127.0.0.1:8088/f/1', size: 16 * 1024 ** 3 + 1 }]), policy)?.issues).toHaveLength(1);
  });

  it('refuses component URLs outside the source’s allowed origins, naming each', () => {
    const refusal = admissionRefusal(eventWith([{ url: 'http://127.0.0.1:8088/ok' }, { url: 'http://169.254.169.254/latest/meta-data/' }]), policy);
    expect(refusal?.issues).toEqual([{ path: 'data.components.1.url', message: expect.stringMatching(/^origin http:\/\/169\.254\.169\.254 is not an allowed origin of source "oa-simulator"/) }]);
  });

  it('refuses an unknown source', () => {
    const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify({ ...exampleDocumentFinalizedEvent, source: 'oa-other' })), headers: {} });
    expect(parsed.ok && admissionRefusal(parsed.event, policy)?.reason).toMatch(/source "oa-other" is not a configured OA system/);
  });
});

describe('record size', () => {
  it('counts value, key and headers', () => {
    expect(recordBytes({ value: Buffer.alloc(10), key: Buffer.alloc(3), headers: { ab: 'cd', e: [Buffer.alloc(4)] } })).toBe(10 + 3 + 4 + 5);
    expect(recordBytes({ value: null, key: null })).toBe(0);
  });

  it('refuses a record over the limit with a readable reason', () => {
    expect(recordSizeRefusal(1024 * 1024, 1024 * 1024)).toBeUndefined();
    expect(recordSizeRefusal(20 * 1024 * 1024 + 1, 1024 * 1024)?.reason).toBe('the record is 20.0 MiB, over the 1 MiB an event may take (INTAKE_MAX_MESSAGE_BYTES)');
    expect(formatBytes(512)).toBe('512 bytes');
  });
});
