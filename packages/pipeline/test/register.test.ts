import { describe, expect, it } from 'vitest';
import type { DestructionRecord } from '@oa-archive/catalog';
import { registerCsv, registerHtml } from '../src/index.ts';

/** One destroyed item, destroyed late on 31 December UTC: already 1 January in Shanghai. */
const record: DestructionRecord = {
  id: 1,
  ingestId: 'ing-REG-1',
  referenceCode: 'A182-WS·2015-D10-BGS-0001',
  title: '关于召开年度工作会议的通知',
  retention: 'D10',
  year: 2015,
  category: 'WS',
  departmentCode: 'BGS',
  decision: { reason: '到期，经鉴定无继续保存价值', decidedBy: 'admin', decidedAt: new Date('2026-01-02T03:00:00Z') },
  destroyedBy: 'cli:archivist',
  destroyedAt: new Date('2026-12-31T17:30:00Z'),
  aips: ['ing-REG-1'],
  objects: 2,
  bytes: 1234,
};

describe('the destruction register (销毁清册)', () => {
  it('gives category and department a name column and a code column in CSV, names from the schedule', () => {
    const csv = registerCsv([record], { locale: 'zh-CN', timeZone: 'Asia/Shanghai', departmentNames: { BGS: '办公室' } });
    const [header, row] = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toBe('序号,档号,题名,年度,门类名称,门类代码,部门名称,部门代码,保管期限,销毁理由（鉴定意见）,批准人,批准日期,执行人,销毁日期,对象数,字节数,归档编号');
    // The destruction date is the agency's calendar day: 17:30 UTC on 31 December is 1 January in Shanghai.
    expect(row).toBe('1,A182-WS·2015-D10-BGS-0001,关于召开年度工作会议的通知,2015,文书,WS,办公室,BGS,定期10年,到期，经鉴定无继续保存价值,admin,2026-01-02,cli:archivist,2027-01-01,2,1234,ing-REG-1');
  });

  it('lets a code without a configured name stand for itself, and speaks English when asked', () => {
    const csv = registerCsv([{ ...record, departmentCode: 'XYZ', category: 'QQ' }], { locale: 'en', timeZone: 'Asia/Shanghai' });
    const [header, row] = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toMatch(/^no\.,档号,title,year,category name,category code,department name,department code,retention,/);
    expect(row).toContain(',2015,QQ,QQ,XYZ,XYZ,10 years,');
  });

  it('prints one column each for category and department, the name with its code', () => {
    const page = registerHtml([record], { locale: 'zh-CN', timeZone: 'Asia/Shanghai', departmentNames: { BGS: '办公室' }, generatedAt: new Date('2026-12-31T17:30:00Z') });
    expect(page).toContain('<th>门类</th><th>部门</th>');
    expect(page).toContain('<td>文书（WS）</td><td>办公室（BGS）</td>');
    expect(page).toContain('2027-01-01 01:30');
  });
});
