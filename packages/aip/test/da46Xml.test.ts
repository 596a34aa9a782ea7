import { describe, expect, it } from 'vitest';
import { DA46_NAMESPACE, toDa46Xml, XmlValueError } from '../src/index.ts';
import { sampleRecord } from './fixtures.ts';
import { child, children, parseXml, textAt } from './xmlCheck.ts';

const EXTRA = { referenceCode: 'A001-2024-Y-BGS-0007', fonds: 'A001', retention: '永久', year: 2024, category: 'BGS' };

describe('toDa46Xml', () => {
  it('writes a well-formed document rooted at <文件> in our namespace, saying the namespace is ours', () => {
    const xml = toDa46Xml(sampleRecord(), EXTRA);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(xml.endsWith('</文件>\n')).toBe(true);
    const { root, comments } = parseXml(xml);
    expect(root.name).toBe('文件');
    expect(root.attributes).toEqual({ xmlns: DA46_NAMESPACE });
    expect(DA46_NAMESPACE).toBe('urn:oa-archive:da-t-46-2009');
    expect(comments.join(' ')).toMatch(/DA\/T 46-2009.*not an XML schema/);
  });

  it('serialises every element of the record, in the record order, with the 档号 group after 电子文件号', () => {
    const { root } = parseXml(toDa46Xml(sampleRecord(), EXTRA));
    expect(root.children.map((c) => c.name)).toEqual([
      '聚合层次',
      '来源',
      '电子文件号',
      '档号',
      '内容描述',
      '形式特征',
      '电子属性',
      '电子属性',
      '机构人员',
      '机构人员',
      '业务',
      '业务',
    ]);
    expect(textAt(root, '聚合层次')).toBe('件');
    expect(textAt(root, '来源', '立档单位名称')).toBe('某某市人民政府办公室');
    expect(child(root, '内容描述').children.map((c) => c.name)).toEqual(['题名', '文件编号', '责任者', '日期', '文种', '紧急程度', '密级']);
    expect(textAt(root, '形式特征', '页数')).toBe('3');
    expect(children(root, '业务')[1]!.children.map((c) => [c.name, c.text])).toEqual([
      ['业务状态', '完成'],
      ['业务行为', '签发'],
      ['行为时间', '2024-01-08T10:30:00+08:00'],
      ['执行者', '李四'],
      ['行为依据', '同意 & 按"急件"办理'],
    ]);
  });

  it('records a restricted document\'s 权限管理 (控制标识 控制) before the entities, leaving 密级 as the OA sent it', () => {
    const access = { 控制标识: '控制', 授权对象: 'admin', 授权行为: '利用全文（浏览、预览、下载）' };
    const { root } = parseXml(toDa46Xml(sampleRecord(), { ...EXTRA, access }));
    const names = root.children.map((c) => c.name);
    expect(names.indexOf('权限管理')).toBe(names.lastIndexOf('电子属性') + 1);
    expect(names.indexOf('权限管理')).toBe(names.indexOf('机构人员') - 1);
    expect(names.indexOf('档号')).toBe(names.indexOf('电子文件号') + 1);
    expect(child(root, '权限管理').children.map((c) => [c.name, c.text])).toEqual([
      ['控制标识', '控制'],
      ['授权对象', 'admin'],
      ['授权行为', '利用全文（浏览、预览、下载）'],
    ]);
    expect(textAt(root, '内容描述', '密级')).toBe(sampleRecord().内容描述.密级);
    expect(children(parseXml(toDa46Xml(sampleRecord(), EXTRA)).root, '权限管理')).toEqual([]);
  });

  it('writes the 档号 group with its parts in DA/T 46 order and the whole code as 值', () => {
    const { root } = parseXml(toDa46Xml(sampleRecord(), EXTRA));
    const group = child(root, '档号');
    expect(group.attributes).toEqual({ 值: 'A001-2024-Y-BGS-0007' });
    expect(group.children.map((c) => [c.name, c.text])).toEqual([
      ['全宗号', 'A001'],
      ['年度', '2024'],
      ['保管期限', '永久'],
      ['类别号', 'BGS'],
    ]);
    expect(child(parseXml(toDa46Xml(sampleRecord(), { fonds: 'A001' })).root, '档号').children.map((c) => c.name)).toEqual(['全宗号']);
    expect(children(parseXml(toDa46Xml(sampleRecord())).root, '档号')).toEqual([]);
  });

  it('gives one <电子属性> per file and one <数字摘要 算法="…"> per digest', () => {
    const { root } = parseXml(toDa46Xml(sampleRecord(), EXTRA));
    const files = children(root, '电子属性');
    expect(files.map((f) => textAt(f, '计算机文件名'))).toEqual(['正文.pdf', '附件 1 <值班表>.xlsx']);
    expect(textAt(files[0]!, 'PRONOM格式标识')).toBe('fmt/477');
    expect(children(files[1]!, 'PRONOM格式标识')).toEqual([]);
    const digests = children(files[0]!, '数字摘要');
    expect(digests.map((d) => [d.attributes, d.text])).toEqual([
      [{ 算法: 'SM3' }, '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0'],
      [{ 算法: 'SHA-256' }, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ]);
    const xml = toDa46Xml(sampleRecord(), EXTRA);
    expect(xml).toContain('<数字摘要 算法="SM3">66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0</数字摘要>');
  });

  it('escapes <, & and > in Chinese titles and file names, and quotes in attributes', () => {
    const record = sampleRecord();
    const xml = toDa46Xml(record, { ...EXTRA, referenceCode: 'A"1<2>&3' });
    expect(xml).toContain('<题名>关于做好2024年"春节"&lt;元旦&gt;期间值班工作的通知 &amp; 附件</题名>');
    expect(xml).toContain('<计算机文件名>附件 1 &lt;值班表&gt;.xlsx</计算机文件名>');
    expect(xml).toContain('<档号 值="A&quot;1&lt;2&gt;&amp;3">');
    const { root } = parseXml(xml);
    expect(textAt(root, '内容描述', '题名')).toBe(record.内容描述.题名);
    expect(child(root, '档号').attributes['值']).toBe('A"1<2>&3');
  });

  it('keeps line breaks: LF as is and CR as a reference in text, both as references in attributes', () => {
    const record = sampleRecord();
    record.内容描述.题名 = '第一行\r\n第二行';
    const digest = record.电子属性[0]!.数字摘要[0]! as { 算法: string; 值: string };
    digest.算法 = 'S\nM\t3';
    const xml = toDa46Xml(record);
    expect(xml).toContain('<题名>第一行&#13;\n第二行</题名>');
    expect(xml).toContain('算法="S&#10;M&#9;3"');
    const { root } = parseXml(xml);
    expect(textAt(root, '内容描述', '题名')).toBe('第一行\r\n第二行');
  });

  it('refuses characters XML 1.0 cannot carry', () => {
    const record = sampleRecord();
    record.内容描述.题名 = '通知\u0001';
    expect(() => toDa46Xml(record)).toThrow(XmlValueError);
    record.内容描述.题名 = '通知\uD800';
    expect(() => toDa46Xml(record)).toThrow(/U\+D800/);
  });

  it('refuses element names XML cannot carry and a 档号 given twice', () => {
    expect(() => toDa46Xml({ ...sampleRecord(), ...{ '1bad': 'x' } })).toThrow(XmlValueError);
    expect(() => toDa46Xml({ ...sampleRecord(), ...{ 'a b': 'x' } })).toThrow(XmlValueError);
    expect(() => toDa46Xml({ ...sampleRecord(), ...{ 档号: 'x' } }, EXTRA)).toThrow(/档号/);
  });

  it('leaves out absent values and is deterministic', () => {
    const record = { ...sampleRecord(), ...{ 附注: undefined, 备注: null } };
    const xml = toDa46Xml(record, EXTRA);
    expect(xml).not.toContain('附注');
    expect(xml).not.toContain('备注');
    expect(toDa46Xml(sampleRecord(), EXTRA)).toBe(toDa46Xml(sampleRecord(), { ...EXTRA }));
  });
});
