import { describe, expect, it } from 'vitest';
import { assessFourProperties, type FourPropertiesInput } from '../src/index.ts';

const sha = 'a'.repeat(64);
function input(overrides: Partial<FourPropertiesInput> = {}): FourPropertiesInput {
  return {
    declaredComponents: 2,
    workflowSteps: 3,
    securityLevel: '公开',
    openSecurityLevels: ['公开'],
    components: [
      { ordinal: 1, declaredSha256: sha, declaredSize: 100, sha256: sha, size: 100, findings: [] },
      { ordinal: 2, declaredSha256: null, declaredSize: null, sha256: 'b'.repeat(64), size: 50, findings: [] },
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
    ...overrides,
  };
}

const failedCodes = (i: FourPropertiesInput) => assessFourProperties(i).items.filter((x) => x.result === 'fail').map((x) => x.code);

describe('four-properties check at filing (DA/T 70)', () => {
  it('passes a sound document, with one coded item per check', () => {
    const report = assessFourProperties(input());
    expect(report.passed).toBe(true);
    expect(report.items.map((i) => i.code)).toEqual(['1-1', '1-2', '1-3', '2-1', '2-2', '2-3', '2-4', '3-1', '3-2', '3-3', '4-1', '4-2']);
    expect(new Set(report.items.map((i) => i.property))).toEqual(new Set(['真实性', '完整性', '可用性', '安全性']));
  });

  it.each<[string, Partial<FourPropertiesInput>]>([
    ['1-1', { components: [{ ordinal: 1, declaredSha256: 'c'.repeat(64), declaredSize: 100, sha256: sha, size: 100, findings: [] }], declaredComponents: 1, preservation: [{ ordinal: 1, target: null, formatName: 'PDF/A-2b', technical: { pageCount: 1 }, findings: [] }] }],
    ['1-3', { referenceCodeWellFormed: false }],
    ['1-3', { referenceCodeHolders: 2 }],
    ['2-1', { declaredComponents: 3 }],
    ['2-2', { missingMetadata: ['责任者'] }],
    ['2-3', { workflowSteps: 0 }],
    ['2-4', { itemNumbersInClass: [1, 3] }],
    ['3-1', { acceptedFormat: () => false }],
    ['4-2', { securityLevel: '秘密' }],
  ])('fails item %s when its condition does not hold', (code, overrides) => {
    const codes = failedCodes(input(overrides));
    expect(codes).toContain(code);
    expect(assessFourProperties(input(overrides)).passed).toBe(false);
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
    expect(codes).toEqual(expect.arrayContaining(['3-2', '3-3', '4-1']));
  });

  it('counts voided numbers (作废) as used, so a re-classified document leaves no gap in 2-4', () => {
    const report = assessFourProperties(input({ itemNumbersInClass: [1, 3], voidedItemNumbersInClass: [2] }));
    expect(report.items.find((i) => i.code === '2-4')).toMatchObject({ result: 'pass', detail: '同一分类内件号1至3连续（含作废1个）' });
    expect(failedCodes(input({ itemNumbersInClass: [1, 4], voidedItemNumbersInClass: [2] }))).toContain('2-4');
  });

  it('marks an item not applicable where nothing can be checked', () => {
    const report = assessFourProperties(input({ components: input().components.map((c) => ({ ...c, declaredSha256: null })) }));
    expect(report.items.find((i) => i.code === '1-1')?.result).toBe('not-applicable');
    expect(report.passed).toBe(true);
  });
});
