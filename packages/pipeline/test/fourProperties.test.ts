import { describe, expect, it } from 'vitest';
import { assessFourProperties, type FourPropertiesInput } from '../src/index.ts';

const sha = 'a'.repeat(64);
const digests = (h: string) => [
  { 算法: 'SM3', 值: 'f'.repeat(64) },
  { 算法: 'SHA-256', 值: h },
];
/** A DA/T 46 record as characterize builds it, for the two components below. */
type EditableRecord = { 内容描述: Record<string, unknown>; 电子属性: Record<string, unknown>[]; [element: string]: unknown };
function record(change: (r: EditableRecord) => void = () => undefined): EditableRecord {
  const r: EditableRecord = {
    聚合层次: '件',
    来源: { 立档单位名称: '示范市人民政府办公室', 信息系统描述: 'oa-test' },
    内容描述: { 题名: '关于印发《机关公文处理办法》的通知', 责任者: '示范市人民政府办公室', 日期: '20250310', 文种: '通知', 紧急程度: '普通', 密级: '公开' },
    形式特征: { 文件组合类型: '组合文件', 件数: 1, 页数: 2, 稿本: '正本' },
    电子属性: [
      { 序号: 1, 稿本: '正文', 计算机文件名: '正文.docx', 计算机文件大小: 100, 格式信息: 'DOCX', 数字摘要: digests(sha) },
      { 序号: 2, 稿本: '附件', 计算机文件名: '附件.jpg', 计算机文件大小: 50, 格式信息: 'JPEG', 数字摘要: digests('b'.repeat(64)) },
    ],
    机构人员: [{ 机构人员名称: '示范市人民政府办公室', 机构人员类型: '责任者' }],
    业务: [{ 业务状态: '完成', 业务行为: '签发', 行为时间: '2025-03-10T09:00:00+08:00', 执行者: '张三' }],
  };
  change(r);
  return r;
}
function input(overrides: Partial<FourPropertiesInput> = {}): FourPropertiesInput {
  return {
    declaredComponents: 2,
    workflowSteps: 3,
    securityLevel: '公开',
    openSecurityLevels: ['公开'],
    components: [
      { ordinal: 1, declaredSha256: sha, declaredSize: 100, sha256: sha, size: 100, findings: [] },
      { ordinal: 2, declaredSha256: null, declaredSize: 50, sha256: 'b'.repeat(64), size: 50, findings: [] },
    ],
    preservation: [
      { ordinal: 1, target: 'PDF/A-2b', formatName: 'PDF/A-2b', technical: { pageCount: 2, pdfaClaim: 'PDF/A-2b' }, findings: [] },
      { ordinal: 2, target: null, formatName: 'JPEG', technical: { imageWidth: 320 }, findings: [] },
    ],
    referenceCode: 'A182-WS·2025-Y-BGS-0002',
    referenceCodeWellFormed: true,
    referenceCodeHolders: 1,
    itemNumbersInClass: [2, 1, 3],
    missingMetadata: [],
    acceptedFormat: (f) => f.startsWith('PDF/A') || f === 'JPEG',
    metadataRecord: record(),
    dates: { created: '2025-03-01T09:00:00+08:00', signed: '2025-03-10T09:00:00+08:00', finalized: '2025-03-14T09:00:00+08:00' },
    year: 2025,
    classification: { outcome: 'FILE', ruleIds: ['Y-OWN-RULES'], scheduleVersion: '2025.1-default' },
    filedDuplicates: new Map(),
    virusScan: { mode: 'clamd', checks: [1, 2].map((ordinal) => ({ ordinal, outcome: 'success', outcomeDetail: '未检出病毒', agentVersion: 'ClamAV 1.4.6/27500/Tue Dec  1 08:00:00 2026' })) },
    ...overrides,
  };
}

const failedCodes = (i: FourPropertiesInput) => assessFourProperties(i).items.filter((x) => x.result === 'fail').map((x) => x.code);
const itemOf = (i: FourPropertiesInput, code: string) => assessFourProperties(i).items.find((x) => x.code === code)!;

/** DA/T 70-2018 filing stage as public implementations code it: 13 + 10 + 5 + 4 items. */
const GD = [
  ...Array.from({ length: 13 }, (_, i) => `GD-1-${i + 1}`),
  ...Array.from({ length: 10 }, (_, i) => `GD-2-${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `GD-3-${i + 1}`),
  ...Array.from({ length: 4 }, (_, i) => `GD-4-${i + 1}`),
];

describe('the DA/T 70 filing-stage check list (GD)', () => {
  it('passes a sound document and reports every GD item, in order, with its property, result and reason', () => {
    const report = assessFourProperties(input());
    expect(report.passed).toBe(true);
    expect(report.standard).toBe('DA/T 70-2018 归档环节');
    expect(report.items.map((i) => i.code)).toEqual(GD);
    const propertyOf = { '1': '真实性', '2': '完整性', '3': '可用性', '4': '安全性' } as const;
    for (const i of report.items) {
      expect(i.property).toBe(propertyOf[i.code[3] as '1']);
      expect(i.detail.length).toBeGreaterThan(0);
      expect(['pass', 'not-applicable']).toContain(i.result);
    }
  });

  it('says why each item it cannot check does not apply, and never blocks on it', () => {
    const report = assessFourProperties(input());
    const na = report.items.filter((i) => i.result === 'not-applicable');
    expect(na.map((i) => i.code)).toEqual(['GD-1-11', 'GD-1-12', 'GD-1-13', 'GD-2-9', 'GD-2-10', 'GD-4-3']);
    for (const i of na) expect(i).toMatchObject({ blocking: false, detail: expect.stringMatching(/封装|载体/) });
  });

  it('keeps the meaning of the twelve earlier items under their GD codes', () => {
    const former = Object.fromEntries(assessFourProperties(input()).items.filter((i) => i.formerCode).map((i) => [i.code, i.formerCode]));
    expect(new Set(Object.values(former))).toEqual(new Set(['1-1', '1-2', '1-3', '2-1', '2-2', '2-3', '2-4', '3-1', '3-3', '4-1', '4-2']));
    // 3-2 (PDF/A declared) is part of GD-3-3 内容数据格式.
    expect(former['GD-3-3']).toBe('3-1');
  });

  it.each<[string, Partial<FourPropertiesInput>]>([
    ['GD-1-1', { components: [{ ordinal: 1, declaredSha256: 'c'.repeat(64), declaredSize: 100, sha256: sha, size: 100, findings: [] }], declaredComponents: 1, preservation: [{ ordinal: 1, target: null, formatName: 'PDF/A-2b', technical: { pageCount: 1 }, findings: [] }] }],
    ['GD-1-2', { metadataRecord: record((r) => (r.内容描述.题名 = '长'.repeat(501))) }],
    ['GD-1-3', { metadataRecord: record((r) => (r.内容描述.日期 = '2025-03-10')) }],
    ['GD-1-3', { metadataRecord: record((r) => (r.电子属性[0]!.计算机文件大小 = '100')) }],
    ['GD-1-4', { metadataRecord: record((r) => (r.内容描述.密级 = '公开级')) }],
    ['GD-1-4', { metadataRecord: record((r) => (r.内容描述.紧急程度 = '很急')) }],
    ['GD-1-6', { metadataRecord: record((r) => (r.内容描述.题名 = '关于\u0007通知')) }],
    ['GD-1-6', { metadataRecord: record((r) => (r.电子属性[1]!.计算机文件名 = '../附件.jpg')) }],
    ['GD-1-7', { referenceCodeWellFormed: false }],
    ['GD-1-8', { referenceCodeHolders: 2 }],
    ['GD-1-9', { components: [{ ordinal: 1, declaredSha256: sha, declaredSize: 99, sha256: sha, size: 100, findings: [] }], declaredComponents: 1 }],
    ['GD-1-10', { metadataRecord: record((r) => (r.电子属性[1]!.数字摘要 = digests('e'.repeat(64)))) }],
    ['GD-2-1', { declaredComponents: 3 }],
    ['GD-2-2', { components: [{ ordinal: 1, declaredSha256: sha, declaredSize: 100, sha256: sha, size: 100, findings: [] }, { ordinal: 2, declaredSha256: null, declaredSize: 60, sha256: 'b'.repeat(64), size: 50, findings: [] }] }],
    ['GD-2-3', { metadataRecord: record((r) => r.电子属性.pop()) }],
    ['GD-2-3', { metadataRecord: null }],
    ['GD-2-4', { missingMetadata: ['责任者'] }],
    ['GD-2-5', { workflowSteps: 0 }],
    ['GD-2-6', { itemNumbersInClass: [1, 3] }],
    ['GD-2-7', { preservation: [{ ordinal: 1, target: 'PDF/A-2b', formatName: 'PDF/A-2b', technical: { pageCount: 2, pdfaClaim: 'PDF/A-2b' }, findings: [] }] }],
    ['GD-2-8', { classification: { outcome: 'REVIEW', ruleIds: [], scheduleVersion: 'v' } }],
    ['GD-3-2', { metadataRecord: null }],
    ['GD-3-3', { acceptedFormat: () => false }],
    ['GD-3-5', { preservation: [{ ordinal: 1, target: null, formatName: 'PDF/A-2b', technical: { pageCount: 2, encrypted: true }, findings: [] }, { ordinal: 2, target: null, formatName: 'JPEG', technical: { imageWidth: 3 }, findings: [] }] }],
    ['GD-3-5', { components: [{ ordinal: 1, declaredSha256: sha, declaredSize: 100, sha256: sha, size: 100, findings: [{ code: 'archive-encrypted', severity: 'unsafe', message: '压缩包加密' }] }, input().components[1]!] }],
    ['GD-4-2', { virusScan: { mode: 'clamd', checks: [{ ordinal: 1, outcome: 'success', outcomeDetail: '未检出病毒', agentVersion: 'ClamAV 1.4.6' }] } }],
    ['GD-4-2', { virusScan: { mode: 'clamd', checks: [1, 2].map((ordinal) => ({ ordinal, outcome: ordinal === 2 ? 'failure' : 'success', outcomeDetail: ordinal === 2 ? '检出病毒：Eicar' : null, agentVersion: 'ClamAV 1.4.6' })) } }],
    ['GD-4-4', { securityLevel: '秘密' }],
  ])('fails %s when its condition does not hold, and holds the document', (code, overrides) => {
    expect(failedCodes(input(overrides))).toContain(code);
    expect(assessFourProperties(input(overrides)).passed).toBe(false);
  });

  it('names what failed: the element, its path and the rule', () => {
    expect(itemOf(input({ metadataRecord: record((r) => (r.内容描述.密级 = '公开级')) }), 'GD-1-4').detail).toContain('内容描述.密级“公开级”不在值域');
    expect(itemOf(input({ metadataRecord: record((r) => (r.电子属性[1]!.计算机文件名 = 'a:b.jpg')) }), 'GD-1-6').detail).toContain('电子属性[2].计算机文件名含文件名不允许的字符');
    expect(itemOf(input({ declaredComponents: 3 }), 'GD-2-1').detail).toBe('OA列出3个组件，收到2个');
  });

  it('checks that a PDF/A copy declares PDF/A and opens, and that copies carry no active content', () => {
    const codes = failedCodes(
      input({
        preservation: [
          { ordinal: 1, target: 'PDF/A-2b', formatName: 'PDF', technical: { pageCount: 0 }, findings: [{ code: 'pdf-javascript', severity: 'unsafe', message: 'JavaScript' }] },
          { ordinal: 2, target: null, formatName: 'JPEG', technical: {}, findings: [] },
        ],
      }),
    );
    expect(codes).toEqual(expect.arrayContaining(['GD-3-3', 'GD-3-4', 'GD-3-5']));
  });

  it('counts voided numbers (作废) as used, so a re-classified document leaves no gap in GD-2-6', () => {
    const report = assessFourProperties(input({ itemNumbersInClass: [1, 3], voidedItemNumbersInClass: [2] }));
    expect(report.items.find((i) => i.code === 'GD-2-6')).toMatchObject({ result: 'pass', detail: '同一分类内件号1至3连续（含作废1个）' });
    expect(failedCodes(input({ itemNumbersInClass: [1, 4], voidedItemNumbersInClass: [2] }))).toContain('GD-2-6');
  });

  it('marks an item not applicable where nothing can be checked', () => {
    const noDigests = assessFourProperties(input({ components: input().components.map((c) => ({ ...c, declaredSha256: null, declaredSize: null })) }));
    expect(noDigests.items.find((i) => i.code === 'GD-1-1')?.result).toBe('not-applicable');
    expect(noDigests.items.find((i) => i.code === 'GD-2-2')).toMatchObject({ result: 'not-applicable', detail: 'OA未声明全部组件的大小，无从比对总字节数' });
    expect(noDigests.passed).toBe(true);
  });

  it('records implausible dates in GD-1-5 without holding the document', () => {
    const late = input({ dates: { created: '2025-03-01T09:00:00+08:00', signed: '2025-03-10T09:00:00+08:00', finalized: '2025-03-05T09:00:00+08:00' } });
    expect(assessFourProperties(late)).toMatchObject({ passed: true });
    expect(itemOf(late, 'GD-1-5')).toMatchObject({ result: 'fail', blocking: false, detail: expect.stringContaining('早于签发日期') });
    expect(itemOf(input({ year: 2024 }), 'GD-1-5').detail).toContain('档号年度2024与签发（办结）年度2025不一致');
  });

  it('names the virus scanner and its database version (GD-4-1)', () => {
    expect(itemOf(input(), 'GD-4-1')).toMatchObject({ result: 'pass', detail: '杀毒软件：ClamAV 1.4.6/27500/Tue Dec  1 08:00:00 2026' });
    const local = input({ virusScan: { mode: 'clamd', checks: [1, 2].map((ordinal) => ({ ordinal, outcome: 'success', outcomeDetail: null, agentVersion: 'ClamAV 1.4.6' })) } });
    expect(itemOf(local, 'GD-4-1').detail).toContain('仅本地签名库');
  });

  it('fails GD-4-1 when the official signature database was older than the limit at the scan, not for local signatures', () => {
    const scans = (agentVersion: string, at: string) => [1, 2].map((ordinal) => ({ ordinal, outcome: 'success', outcomeDetail: null, agentVersion, at }));
    const official = 'ClamAV 1.4.6/27500/Tue Dec  1 08:00:00 2026';
    const fresh = input({ virusScan: { mode: 'clamd', maxSignatureAgeDays: 7, checks: scans(official, '2026-12-03T08:00:00Z') } });
    expect(itemOf(fresh, 'GD-4-1').result).toBe('pass');
    const stale = input({ virusScan: { mode: 'clamd', maxSignatureAgeDays: 7, checks: scans(official, '2027-01-10T08:00:00Z') } });
    expect(itemOf(stale, 'GD-4-1')).toMatchObject({ result: 'fail', blocking: true, detail: expect.stringContaining('病毒库已40天未更新（超过7天') });
    expect(itemOf(input({ virusScan: { mode: 'clamd', maxSignatureAgeDays: 0, checks: scans(official, '2027-01-10T08:00:00Z') } }), 'GD-4-1').result).toBe('pass');
    expect(itemOf(input({ virusScan: { mode: 'clamd', maxSignatureAgeDays: 7, checks: scans('ClamAV 1.4.6', '2027-01-10T08:00:00Z') } }), 'GD-4-1').result).toBe('pass');
  });

  it('with virus scanning off, marks GD-4-1 and GD-4-2 not checked (filed unscanned) without holding the document', () => {
    const report = assessFourProperties(input({ virusScan: { mode: 'off', checks: [] } }));
    expect(report.items.find((i) => i.code === 'GD-4-1')).toMatchObject({ result: 'not-checked', blocking: false, detail: expect.stringContaining('CLAMAV_MODE=off') });
    expect(report.items.find((i) => i.code === 'GD-4-2')).toMatchObject({ result: 'not-checked', blocking: false, detail: expect.stringContaining('未经扫描即归档') });
    expect(report.passed).toBe(true);
  });

  it('lists partial duplicates found by digest in GD-1-8 without holding the document (分类已按重份规则处理)', () => {
    const item = itemOf(input({ filedDuplicates: new Map([[2, 'ing-earlier']]) }), 'GD-1-8');
    expect(item).toMatchObject({ result: 'pass', detail: expect.stringContaining('组件2与已归档ing-earlier') });
  });
});

describe('GD-3-3 with veraPDF on every PDF/A copy', () => {
  const compliant = { ordinal: 1, compliant: true, flavour: '2b', rules: [], failedRules: 0 };

  it('passes when veraPDF finds every PDF/A copy compliant, and says which flavour', () => {
    expect(itemOf(input({ pdfaValidation: { mode: 'on', copies: [compliant] } }), 'GD-3-3')).toMatchObject({ result: 'pass', blocking: true, detail: expect.stringContaining('1个PDF/A副本均经veraPDF验证合规（PDF/A-2b）') });
  });

  it('fails, blocking, with veraPDF rule ids when a copy claims PDF/A without conforming', () => {
    const failing = { ordinal: 1, compliant: false, flavour: '2b', rules: ['ISO 19005-2:2011 6.1.3-1', 'ISO 19005-2:2011 6.2.11.4.1-1'], failedRules: 2 };
    const report = assessFourProperties(input({ pdfaValidation: { mode: 'on', copies: [failing] } }));
    const item = report.items.find((i) => i.code === 'GD-3-3')!;
    expect(item).toMatchObject({ result: 'fail', blocking: true });
    expect(item.detail).toBe('组件1的PDF/A副本未通过veraPDF验证（PDF/A-2b），不符合规则：ISO 19005-2:2011 6.1.3-1、ISO 19005-2:2011 6.2.11.4.1-1，共2条');
    expect(report.passed).toBe(false);
  });

  it('says how many rules failed beyond those listed, and fails a copy veraPDF cannot parse or never saw', () => {
    const many = { ordinal: 1, compliant: false, flavour: '2b', rules: ['ISO 19005-2:2011 6.1.3-1'], failedRules: 25 };
    expect(itemOf(input({ pdfaValidation: { mode: 'on', copies: [many] } }), 'GD-3-3').detail).toContain('ISO 19005-2:2011 6.1.3-1等25条');
    const unreadable = { ordinal: 1, compliant: false, flavour: null, rules: [], failedRules: 0, unreadable: 'ModelParsingException: Couldn\'t parse stream' };
    expect(itemOf(input({ pdfaValidation: { mode: 'on', copies: [unreadable] } }), 'GD-3-3').detail).toContain('veraPDF无法解析：ModelParsingException');
    expect(itemOf(input({ pdfaValidation: { mode: 'on', copies: [] } }), 'GD-3-3')).toMatchObject({ result: 'fail', detail: '组件1的PDF/A副本未经veraPDF验证' });
  });

  it('with veraPDF off, says the copies were not validated without holding the document', () => {
    expect(itemOf(input({ pdfaValidation: { mode: 'off', copies: [] } }), 'GD-3-3')).toMatchObject({ result: 'pass', detail: expect.stringContaining('VERAPDF_MODE=off') });
  });
});

describe('GD-1-1 with a PDF signature (PAdES/CMS)', () => {
  const pdfSignature = { location: '签名1（/ByteRange于第612字节）', kind: 'signature' as const, standard: 'PDF ETSI.CAdES.detached', result: 'valid' as const, problems: [], signer: 'CN=测试签名人, O=Test Agency', digestAlgorithm: 'SHA-256', signatureAlgorithm: 'ECDSA with SHA-256', coversWholeFile: true };
  const withSignature = (s: object) => {
    const base = input();
    return input({ components: [{ ...base.components[0]!, signatures: [{ ...pdfSignature, ...s }] }, base.components[1]!] });
  };

  it('passes and names the signer, the digest algorithm and the SubFilter when it verifies', () => {
    expect(itemOf(withSignature({}), 'GD-1-1')).toMatchObject({ result: 'pass', detail: expect.stringContaining('组件1的电子签名（签章人CN=测试签名人, O=Test Agency）已验证（PDF ETSI.CAdES.detached）：签名范围的SHA-256摘要一致，ECDSA with SHA-256签名经签名中的证书验证通过') });
    expect(itemOf(withSignature({ coversWholeFile: false }), 'GD-1-1').detail).toContain('签名后文件另有追加修改');
  });

  it('fails, blocking, when the signature does not verify', () => {
    const item = itemOf(withSignature({ result: 'invalid', problems: ['the SHA-256 digest of the signed byte ranges differs from the one signed: the file was changed after signing'] }), 'GD-1-1');
    expect(item).toMatchObject({ result: 'fail', blocking: true, detail: expect.stringContaining('组件1的电子签名（签名1（/ByteRange于第612字节））验证失败') });
  });

  it('records a signature it cannot read as present and unverifiable, without failing', () => {
    const item = itemOf(withSignature({ result: 'unverifiable', reason: 'not a readable CMS structure', digestAlgorithm: undefined }), 'GD-1-1');
    expect(item).toMatchObject({ result: 'pass', detail: expect.stringContaining('存在、无法验证（PDF ETSI.CAdES.detached：not a readable CMS structure）') });
  });
});
