import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreservationCopyRecord } from '@oa-archive/catalog';
import { VeraPdf } from '@oa-archive/convert';
import { minimalPdf } from '@oa-archive/aip/testing';
import { ObjectStore } from '@oa-archive/storage';
import { createTestBuckets } from '@oa-archive/storage/testing';
import { assessFourProperties } from '../src/fourProperties.ts';
import type { PipelineSettings } from '../src/context.ts';
import { PDFA_VALIDATION_EVENT, validatePdfACopies } from '../src/pdfaCheck.ts';

/**
 * The validate stage's PDF/A check end to end but for the catalog: copies staged in the real S3
 * server, read into scratch, validated by the real veraPDF kept warm, and judged as GD-3-3.
 */
const REPO_ROOT = path.join(import.meta.dirname, '..', '..', '..');
const SLOW = 240_000;
let root: string;
let store: ObjectStore;
let staging: string;
let veraPdf: VeraPdf;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pdfa-check-'));
  const { s3, buckets } = await createTestBuckets('pdfa-staging');
  staging = buckets[0]!;
  store = new ObjectStore(s3);
  const classpath = execFileSync('bash', [path.join(REPO_ROOT, 'infra', 'local', 'validators.sh'), 'classpath'], { encoding: 'utf8' }).trim();
  veraPdf = new VeraPdf({ classpath, timeoutMs: 60_000, javaOptions: ['-Xss4m', '-Xmx256m', '-XX:+UseSerialGC'] });
  await veraPdf.start();
}, SLOW);
afterAll(async () => {
  await veraPdf?.close();
  await rm(root, { recursive: true, force: true });
});

async function stagedCopy(ordinal: number, bytes: Buffer): Promise<PreservationCopyRecord> {
  const key = `ingests/pdfa-check/preservation/${ordinal}.pdf`;
  await store.putStream({ bucket: staging, key, body: Readable.from([bytes]) });
  const digest = (alg: string) => createHash(alg).update(bytes).digest('hex');
  return { ordinal, action: 'keep', target: null, stagingKey: key, fileName: `${ordinal}.pdf`, size: bytes.length, sha256: digest('sha256'), sm3: digest('sm3'), formatName: 'PDF/A-2b', puid: 'fmt/476', technical: {}, findings: [], archiveKey: null };
}

describe('PDF/A copies validated by veraPDF (GD-3-3)', () => {
  it('passes a conforming PDF/A-2b and fails one that only claims it, naming the rule ids in GD-3-3', { timeout: SLOW }, async () => {
    const copies = [await stagedCopy(1, minimalPdf({ pdfa: true })), await stagedCopy(2, minimalPdf({ pdfa: true, fileIdentifier: false }))];
    const deps = { store, settings: { stagingBucket: staging, scratchDir: root } as PipelineSettings };
    const { verdicts, events } = await validatePdfACopies(deps, veraPdf, 'ing-pdfa-check', copies);

    expect(verdicts[0]).toEqual({ ordinal: 1, compliant: true, flavour: '2b', rules: [], failedRules: 0 });
    expect(verdicts[1]).toMatchObject({ ordinal: 2, compliant: false, flavour: '2b', rules: expect.arrayContaining(['ISO 19005-2:2011 6.1.3-1']) });
    expect(events.map((e) => [e.ordinal, e.eventType, e.agentName, e.outcome])).toEqual([
      [1, PDFA_VALIDATION_EVENT, 'veraPDF', 'success'],
      [2, PDFA_VALIDATION_EVENT, 'veraPDF', 'failure'],
    ]);
    expect(events[0]!.agentVersion).toMatch(/^\d+\.\d+/);
    expect(events[1]!.outcomeDetail).toContain('ISO 19005-2:2011 6.1.3-1');

    const report = assessFourProperties({
      declaredComponents: 2,
      workflowSteps: 1,
      securityLevel: '公开',
      openSecurityLevels: ['公开'],
      components: copies.map((c) => ({ ordinal: c.ordinal, declaredSha256: null, declaredSize: null, sha256: c.sha256, size: c.size, findings: [] })),
      preservation: copies.map((c) => ({ ordinal: c.ordinal, target: null, formatName: c.formatName, technical: {}, findings: [] })),
      referenceCode: null,
      referenceCodeWellFormed: false,
      referenceCodeHolders: 0,
      itemNumbersInClass: [],
      missingMetadata: [],
      acceptedFormat: (f) => f.startsWith('PDF/A'),
      pdfaValidation: { mode: 'on', copies: verdicts },
    });
    const gd33 = report.items.find((i) => i.code === 'GD-3-3')!;
    expect(gd33).toMatchObject({ result: 'fail', blocking: true });
    expect(gd33.detail).toMatch(/^组件2的PDF\/A副本未通过veraPDF验证（PDF\/A-2b），不符合规则：.*ISO 19005-2:2011 6\.1\.3-1/);
    expect(gd33.detail).not.toContain('组件1');
  });
});
