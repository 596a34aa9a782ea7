import { describe, expect, it } from 'vitest';
import { applyVersionRules, supersededByLater, versionStep, type ClassificationDecision, type VersionFacts } from '../src/index.ts';

const filedClass = { category: 'WS', year: 2025, retention: 'Y', organisationCode: 'BGS' };

function version(v: number, status: VersionFacts['status'], extra: Partial<VersionFacts> = {}): VersionFacts {
  return { ingestId: `ing-v${v}`, version: v, status, securityLevel: '公开', classification: null, ...extra };
}

const filed = (v: number) =>
  version(v, 'FILED', { classification: { outcome: 'FILE', ...filedClass, ruleIds: ['Y-OWN-RULES'], explanation: '归档', referenceCode: `A182-WS·2025-Y-BGS-000${v}` } });

const fileIn = (overrides: Partial<ClassificationDecision> = {}): ClassificationDecision => ({
  outcome: 'FILE',
  ...filedClass,
  retention: 'Y',
  ruleIds: ['Y-OWN-RULES'],
  scheduleVersion: 's1',
  explanation: '归档，保管期限Y：本机关制发的规章制度',
  ...overrides,
});

describe('versionStep: what the other versions require first', () => {
  it('judges a first version on its own', () => {
    expect(versionStep(1, [])).toEqual({ step: 'judge' });
  });

  it('supersedes this version when a later one exists, unless that one failed', () => {
    expect(versionStep(1, [version(2, 'RECEIVED')])).toMatchObject({ step: 'superseded', by: { version: 2 } });
    expect(versionStep(1, [version(2, 'FILED'), version(3, 'EXCLUDED')])).toMatchObject({ step: 'superseded', by: { version: 3 } });
    expect(versionStep(1, [version(2, 'FAILED')])).toEqual({ step: 'judge' });
  });

  it('waits while the previous version is on its way', () => {
    expect(versionStep(2, [version(1, 'RECEIVED')])).toMatchObject({ step: 'wait', on: { version: 1 } });
    expect(versionStep(3, [filed(1), version(2, 'IN_PROGRESS')])).toMatchObject({ step: 'wait', on: { version: 2 } });
  });

  it('settles a previous version waiting for review as superseded first', () => {
    expect(versionStep(2, [version(1, 'REVIEW')])).toMatchObject({ step: 'supersede', waiting: { version: 1 } });
  });

  it('passes over a failed version, and names the previous and the latest filed one', () => {
    expect(versionStep(3, [filed(1), version(2, 'FAILED')])).toMatchObject({ step: 'judge', previous: { version: 1 }, filed: { version: 1 } });
    expect(versionStep(4, [filed(1), version(2, 'EXCLUDED'), version(3, 'FAILED')])).toMatchObject({ step: 'judge', previous: { version: 2 }, filed: { version: 1 } });
    expect(versionStep(2, [version(1, 'EXCLUDED')])).toEqual({ step: 'judge', previous: expect.objectContaining({ version: 1 }) });
  });
});

describe('applyVersionRules: a new version of a filed document', () => {
  const context = { securityLevel: '公开', previous: filed(1), filed: filed(1) };

  it('is filed as a new version of the same item when the schedule files it in the same class', () => {
    const decided = applyVersionRules(fileIn(), context);
    expect(decided).toMatchObject({ outcome: 'FILE', ...filedClass });
    expect(decided.ruleIds).toEqual(['Y-OWN-RULES', 'builtin:version:new-version']);
    expect(decided.explanation).toContain('第1版已归档（档号A182-WS·2025-Y-BGS-0001）的新版本');
  });

  it('waits for a person when the schedule would put it in another class: the 档号 does not change with a version', () => {
    const decided = applyVersionRules(fileIn({ retention: 'D30', ruleIds: ['D30-X'] }), context);
    expect(decided).toMatchObject({ outcome: 'REVIEW', ruleIds: ['D30-X', 'builtin:version:class-changed'] });
    expect(decided.explanation).toMatch(/分类WS·2025·Y·BGS；本版按D30-X应归入WS·2025·D30·BGS/);
    // Another year is another class too.
    expect(applyVersionRules(fileIn({ year: 2026 }), context).outcome).toBe('REVIEW');
  });

  it('waits for a person when the schedule would exclude it', () => {
    const decided = applyVersionRules({ outcome: 'EXCLUDE', ruleIds: ['EX-DRAFT'], scheduleVersion: 's1', explanation: '不归档：修改稿' }, context);
    expect(decided).toMatchObject({ outcome: 'REVIEW', ruleIds: ['EX-DRAFT', 'builtin:version:excluded-after-filed'] });
  });

  it('is quarantined when the schedule quarantines it, pointing at the filed version', () => {
    const decided = applyVersionRules({ outcome: 'QUARANTINE', ruleIds: ['builtin:security-level'], scheduleVersion: 's1', explanation: '密级为秘密' }, { ...context, securityLevel: '秘密' });
    expect(decided).toMatchObject({ outcome: 'QUARANTINE', ruleIds: ['builtin:security-level'] });
    expect(decided.explanation).toContain('在开放档案库中，请核查其密级');
  });
});

describe('applyVersionRules: a new version of a quarantined document', () => {
  const quarantined = (ruleIds: string[], securityLevel = '公开') =>
    version(1, 'QUARANTINED', { securityLevel, classification: { outcome: 'QUARANTINE', category: null, year: null, retention: null, organisationCode: null, ruleIds, explanation: '隔离', referenceCode: null } });

  it('stays quarantined while its 密级 is the same (quarantined for 密级, or by a person)', () => {
    for (const ruleIds of [['builtin:security-level'], ['manual:li']]) {
      const decided = applyVersionRules(fileIn(), { securityLevel: '公开', previous: quarantined(ruleIds) });
      expect(decided).toMatchObject({ outcome: 'QUARANTINE', ruleIds: ['builtin:version:quarantined-earlier'] });
      expect(decided.explanation).toContain('本版密级未变（公开）');
    }
  });

  it('is classified afresh once its 密级 changed', () => {
    expect(applyVersionRules(fileIn(), { securityLevel: '公开', previous: quarantined(['builtin:security-level'], '秘密') })).toEqual(fileIn());
  });

  it('is classified afresh when the earlier one was quarantined only for unsafe content (its own files are checked)', () => {
    expect(applyVersionRules(fileIn(), { securityLevel: '公开', previous: quarantined(['builtin:unsafe:virus']) })).toEqual(fileIn());
  });
});

describe('applyVersionRules: other earlier versions', () => {
  it('leaves a version after an excluded one to the schedule', () => {
    const previous = version(1, 'EXCLUDED', { classification: { outcome: 'EXCLUDE', category: null, year: null, retention: null, organisationCode: null, ruleIds: ['EX-DRAFT'], explanation: '不归档', referenceCode: null } });
    expect(applyVersionRules(fileIn(), { securityLevel: '公开', previous })).toEqual(fileIn());
  });

  it('says which later version superseded this one', () => {
    expect(supersededByLater(version(3, 'FILED'), 's1')).toEqual({ outcome: 'EXCLUDE', ruleIds: ['builtin:version:superseded'], scheduleVersion: 's1', explanation: '不归档：已收到本文件的第3版（已归档），本版被其取代' });
  });
});
