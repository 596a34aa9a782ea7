import { describe, expect, it } from 'vitest';
import { accessRestrictionOf, loadSchedule, mayUseContent, parseSchedule, ScheduleError, securityDispositionOf } from '../src/index.ts';

const scheduleWith = (security: string) => `
schema: oa-archive/retention-schedule@1
version: "t1"
title: test
agency: { name: 示范, fonds: A1, organisations: { BGS: BGS }, unknownDepartment: review }
referenceCode: { template: "{fonds}-{category}·{year}-{retention}-{org}-{item}", itemDigits: 4 }
categories: { default: WS, byMediaKind: {} }
security: ${security}
duplicates: exclude
findings: { unsafe: quarantine, integrity: review, authenticity: review }
rules:
  - { id: R1, priority: 1, when: { documentType: [通知] }, outcome: FILE, retention: D10, explain: x }
`;

describe('security levels (密级) as schedule configuration', () => {
  it('the default schedule files 内部 restricted to admin and quarantines 秘密, 机密, 绝密', async () => {
    const schedule = await loadSchedule();
    expect(securityDispositionOf(schedule.security, '公开')).toEqual({ kind: 'open' });
    expect(securityDispositionOf(schedule.security, '内部')).toEqual({ kind: 'restricted', minimumRole: 'admin' });
    for (const level of ['秘密', '机密', '绝密']) expect(securityDispositionOf(schedule.security, level)).toEqual({ kind: 'quarantine', listed: true });
  });

  it('quarantines a level the schedule lists nowhere', () => {
    const schedule = parseSchedule(scheduleWith('{ openLevels: [公开] }'));
    expect(securityDispositionOf(schedule.security, '内部')).toEqual({ kind: 'quarantine', listed: false });
    expect(accessRestrictionOf(schedule, '内部')).toBeUndefined();
  });

  it('names the role an agency configures for restricted levels', () => {
    const schedule = parseSchedule(scheduleWith('{ openLevels: [公开], restrictedLevels: [内部, 国内], restrictedAccessRole: operator }'));
    const restriction = accessRestrictionOf(schedule, '国内');
    expect(restriction).toMatchObject({ securityLevel: '国内', controlMark: '控制', minimumRole: 'operator', scheduleVersion: 't1' });
    expect(restriction!.basis).toContain('operator');
    expect(accessRestrictionOf(schedule, '公开')).toBeUndefined();
  });

  it('refuses a level listed under two treatments', () => {
    expect(() => parseSchedule(scheduleWith('{ openLevels: [公开, 内部], restrictedLevels: [内部] }'))).toThrow(ScheduleError);
    expect(() => parseSchedule(scheduleWith('{ openLevels: [公开], restrictedAccessRole: root }'))).toThrow(/restrictedAccessRole/);
  });

  it('lets the named role and those above it use the content, and nobody below', () => {
    const restriction = { minimumRole: 'admin' as const };
    expect(mayUseContent('viewer', restriction)).toBe(false);
    expect(mayUseContent('operator', restriction)).toBe(false);
    expect(mayUseContent('admin', restriction)).toBe(true);
    expect(mayUseContent('viewer', { minimumRole: 'viewer' })).toBe(true);
    expect(mayUseContent('viewer', null)).toBe(true);
  });
});
