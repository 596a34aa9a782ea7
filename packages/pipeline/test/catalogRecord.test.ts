import { describe, expect, it } from 'vitest';
import { accessRestrictionOfBag, CatalogRecordError } from '../src/catalogRecord.ts';

const context = { securityLevel: '内部', scheduleVersion: 'default-2026.3', where: 's3://archive/A182/2026/WS/D30/x/' };
const recorded = { securityLevel: '内部', controlMark: '控制' as const, minimumRole: 'admin' as const, scheduleVersion: 'default-2026.2', basis: '内部：仅限本机关工作人员利用' };

describe('a filed document\'s access restriction, as a rebuild reads it from the bag', () => {
  it('takes the catalog record\'s when the bag has one', () => {
    expect(accessRestrictionOfBag({ access: recorded }, { 权限管理: { 控制标识: '控制', 授权对象: 'viewer' } }, context)).toEqual(recorded);
  });

  it('reads da46.json\'s 权限管理 in a bag made before the record carried it', () => {
    const da46 = { 题名: '关于内部资料管理的通知', 权限管理: { 控制标识: '控制', 授权对象: 'operator', 授权行为: '利用全文（浏览、预览、下载）；内部：仅限本机关工作人员利用' } };
    expect(accessRestrictionOfBag({}, da46, context)).toEqual({
      securityLevel: '内部',
      controlMark: '控制',
      minimumRole: 'operator',
      scheduleVersion: 'default-2026.3',
      basis: '内部：仅限本机关工作人员利用',
    });
  });

  it('finds none for an unrestricted document', () => {
    expect(accessRestrictionOfBag({}, { 题名: '关于召开年度工作会议的通知' }, context)).toBeUndefined();
  });

  it('refuses a role no console knows rather than open the content to everyone', () => {
    expect(() => accessRestrictionOfBag({}, { 权限管理: { 控制标识: '控制', 授权对象: 'archivist' } }, context)).toThrow(CatalogRecordError);
    expect(() => accessRestrictionOfBag({ access: { ...recorded, minimumRole: 'root' as never } }, {}, context)).toThrow(/access.minimumRole "root" is not one of viewer, operator, admin/);
  });
});
