import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { characterizeFile, MetadataReader, type ComponentCharacterization } from '@oa-archive/characterize';
import { buildOfd, makeSm2Key, pagePath } from '@oa-archive/characterize/ofd-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessFourProperties, type FourPropertiesInput } from '../src/index.ts';

/** GD-1-1 固化信息有效性 on OFDs signed here with a fresh SM2 key, characterized as the pipeline does. */

let dir = '';
let reader: MetadataReader;
const limits = { maxBytes: 50 * 1024 * 1024, archiveMaxEntries: 1000, archiveMaxTotalBytes: 100 * 1024 * 1024, archiveMaxNesting: 1 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ofd-gd-'));
  reader = new MetadataReader({ maxProcs: 1 });
});
afterAll(async () => {
  await reader.close();
  await rm(dir, { recursive: true, force: true });
});

async function characterized(name: string, bytes: Buffer): Promise<ComponentCharacterization & { sha256: string; size: number }> {
  const filePath = join(dir, name);
  await writeFile(filePath, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const result = await characterizeFile({ filePath, fileName: '正文.ofd', fixity: { size: bytes.length, sha256 }, declared: {}, limits, reader });
  return { ...result, sha256, size: bytes.length };
}

function gd11(component: Awaited<ReturnType<typeof characterized>>) {
  const input: FourPropertiesInput = {
    declaredComponents: 1,
    workflowSteps: 2,
    securityLevel: '公开',
    openSecurityLevels: ['公开'],
    components: [{ ordinal: 1, declaredSha256: null, declaredSize: null, sha256: component.sha256, size: component.size, findings: component.findings, signatures: component.technical.signatures ?? [] }],
    preservation: [{ ordinal: 1, target: null, formatName: 'OFD', technical: component.technical, findings: component.findings }],
    referenceCode: 'A182-WS·2026-Y-BGS-0001',
    referenceCodeWellFormed: true,
    referenceCodeHolders: 1,
    itemNumbersInClass: [1],
    missingMetadata: [],
    acceptedFormat: () => true,
  };
  const report = assessFourProperties(input);
  return { report, item: report.items.find((i) => i.code === 'GD-1-1')! };
}

describe('GD-1-1 with OFD electronic seals', () => {
  const signer = makeSm2Key();

  it('passes a sealed OFD whose seal verifies, naming the signer and the seal', async () => {
    const { item } = gd11(await characterized('sealed', buildOfd({ signature: 'seal', signer })));
    expect(item).toMatchObject({ result: 'pass', blocking: true });
    expect(item.detail).toContain('组件1的电子印章（签章人办公室电子印章，印章“某某市人民政府办公室”）已验证');
  });

  it('fails a sealed OFD with one page changed after sealing, naming the file, and holds the document', async () => {
    const { report, item } = gd11(await characterized('tampered', buildOfd({ signature: 'seal', signer, tamper: { [pagePath(0)]: '<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"/>' } })));
    expect(item.result).toBe('fail');
    expect(item.detail).toContain('组件1的电子印章（Doc_0/Signs/Sign_0/Signature.xml）验证失败');
    expect(item.detail).toContain('Doc_0/Pages/Page_0/Content.xml changed after signing');
    expect(report.passed).toBe(false);
  });

  it('passes an OFD whose signature carries no certificate, saying it could not be verified', async () => {
    const { item } = gd11(await characterized('bare', buildOfd({ signature: 'bare', signer })));
    expect(item.result).toBe('pass');
    expect(item.detail).toContain('组件1的电子签名存在、无法验证');
    expect(item.detail).toContain('no signer certificate in the package');
  });

  it('does not apply to an unsigned OFD when the OA sent no digest', async () => {
    const { item } = gd11(await characterized('plain', buildOfd()));
    expect(item.result).toBe('not-applicable');
  });

  it('counts an OFD kept as its own preservation copy as opening only when it has pages (GD-3-4)', async () => {
    const opens = gd11(await characterized('pages', buildOfd({ pages: ['正文'] }))).report.items.find((i) => i.code === 'GD-3-4');
    expect(opens?.result).toBe('pass');
    const empty = gd11(await characterized('no-pages', buildOfd({ pages: [] }))).report.items.find((i) => i.code === 'GD-3-4');
    expect(empty).toMatchObject({ result: 'fail', detail: '组件1页数为0或无法读取' });
  });
});
