import { createHash, randomBytes } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { EEP_NAMESPACE, EepError, verifyEepSignature, writeEep, type EepDocument, type EepEncoding, type EepInput } from '../src/index.ts';
import { sampleRecord } from './fixtures.ts';
import { child, children, parseXml, textAt } from './xmlCheck.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sm3 = (b: Buffer) => createHash('sm3').update(b).digest('hex');

/** A file delivered in chunks of `chunk` bytes, as a staged object streams. */
function encodingOf(fileName: string, bytes: Buffer, chunk = 1000): EepEncoding & { reads: number[] } {
  const reads: number[] = [];
  return {
    fileName,
    size: bytes.length,
    formatInfo: 'Acrobat PDF/A - Portable Document Format 2b',
    sha256: sha256(bytes),
    sm3: sm3(bytes),
    reads,
    async *open() {
      for (let at = 0; at < bytes.length; at += chunk) {
        reads.push(Math.min(chunk, bytes.length - at));
        yield bytes.subarray(at, at + chunk);
      }
    },
  };
}

const documentOf = (role: string, fileName: string, bytes: Buffer, chunk = 1000): EepDocument => ({ role, encodings: [encodingOf(fileName, bytes, chunk)] });

function inputOf(documents: EepDocument[], signer?: EepInput['signer']): EepInput {
  return {
    createdAt: '2024-01-09T08:00:00+08:00',
    creator: '某某市档案馆电子档案系统',
    record: sampleRecord(),
    extra: { referenceCode: 'A001-WS·2024-Y-BGS-0007', fonds: 'A001', retention: 'Y', year: 2024, category: 'WS' },
    extension: { 版本: 1, 拟稿日期: '2024-01-05T09:00:00+08:00', 办结时间: '2024-01-08T11:00:00+08:00', 责任者关系: '本机关' },
    documents,
    business: {
      流程编号: 'WF-7',
      流程类型: '发文',
      steps: [
        { 业务状态: '完成', 业务行为: '拟稿', 机构人员标识符: '张三', 行为时间: '2024-01-05T09:00:00+08:00' },
        { 业务状态: '完成', 业务行为: '签发', 机构人员标识符: '李四', 行为时间: '2024-01-08T10:30:00+08:00', 行为描述: '同意' },
      ],
    },
    agents: [
      { 机构人员标识符: 'BGS', 机构人员类型: '内设机构', 机构人员名称: '办公室', 组织机构代码: 'BGS' },
      { 机构人员标识符: '张三', 机构人员类型: '个人', 机构人员名称: '张三' },
    ],
    ...(signer ? { signer } : {}),
  };
}

async function write(input: EepInput): Promise<{ xml: Buffer; chunks: Buffer[]; signed: boolean }> {
  const { chunks, result } = writeEep(input);
  const out: Buffer[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return { xml: Buffer.concat(out), chunks: out, signed: (await result).signed };
}

const signedObjectBytes = (xml: Buffer) => {
  const text = xml.toString('utf8');
  const start = text.indexOf('<被签名对象');
  const end = text.indexOf('</被签名对象>') + '</被签名对象>'.length;
  return Buffer.from(text.slice(start, end), 'utf8');
};

describe('writeEep (DA/T 48-2009)', () => {
  const body = randomBytes(10_001);
  const annex = Buffer.from('附件：值班表 & <名单>');

  it('writes the package in the standard’s structure and element order', async () => {
    const copy = Buffer.from('%PDF-1.7 保存版本');
    const annexDocument: EepDocument = { role: '附件', encodings: [encodingOf('附件 1 <值班表>.xlsx', annex), { ...encodingOf('附件 1 <值班表>.pdf', copy), description: '保存版本，由编码1转换' }] };
    const { xml, signed } = await write(inputOf([documentOf('正文', '正文.pdf', body), annexDocument]));
    expect(signed).toBe(false);
    const { root } = parseXml(xml.toString('utf8'));
    expect(root.name).toBe('电子文件封装包');
    expect(root.attributes).toEqual({ xmlns: EEP_NAMESPACE });
    expect(root.children.map((c) => c.name)).toEqual(['封装包格式描述', '版本', '被签名对象', '电子签名块']);
    expect(textAt(root, '版本')).toBe('2009');
    const signedObject = child(root, '被签名对象');
    expect(signedObject.attributes).toEqual({ eep版本: '2009' });
    expect(signedObject.children.map((c) => c.name)).toEqual(['封装包类型', '封装包类型描述', '封装包创建时间', '封装包创建单位', '封装内容']);
    expect(textAt(signedObject, '封装包类型')).toBe('原始型');
    const content = child(signedObject, '封装内容');
    expect(content.children.map((c) => c.name)).toEqual(['文件实体块', '业务实体块', '机构人员实体块']);

    const entity = child(child(content, '文件实体块'), '文件实体');
    // The DA/T 46 record's 文件-level elements with the 档号 group; 电子属性, 机构人员 and 业务 have their own places.
    expect(entity.children.map((c) => c.name)).toEqual(['聚合层次', '来源', '电子文件号', '档号', '版本', '内容描述', '形式特征', '文件数据']);
    expect(child(entity, '档号').attributes).toEqual({ 值: 'A001-WS·2024-Y-BGS-0007' });
    const description = child(entity, '内容描述');
    expect(child(description, '责任者').attributes).toEqual({ 关系: '本机关' });
    expect(textAt(description, '题名')).toBe('关于做好2024年"春节"<元旦>期间值班工作的通知 & 附件');

    const documents = children(child(entity, '文件数据'), '文档');
    expect(documents.map((d) => [d.attributes.角色, textAt(d, '文档序号')])).toEqual([
      ['正文', '1'],
      ['附件', '2'],
    ]);
    expect(children(child(documents[1]!, '文档数据'), '编码').map((c) => c.attributes.编码ID)).toEqual(['1', '2']);
    expect(textAt(children(child(documents[1]!, '文档数据'), '编码')[1]!, '编码描述')).toMatch(/保存版本，由编码1转换$/);
    for (const [coding, bytes, name] of [
      [child(child(documents[0]!, '文档数据'), '编码'), body, '正文.pdf'],
      [children(child(documents[1]!, '文档数据'), '编码')[0]!, annex, '附件 1 <值班表>.xlsx'],
      [children(child(documents[1]!, '文档数据'), '编码')[1]!, copy, '附件 1 <值班表>.pdf'],
    ] as const) {
      expect(documents[0]!.children.map((c) => c.name)).toEqual(['文档标识符', '文档序号', '文档数据']);
      expect(coding.children.map((c) => c.name)).toEqual(['电子属性', '编码描述', '反编码关键字', '编码数据']);
      expect(child(coding, '电子属性').children.map((c) => c.name)).toEqual(['格式信息', '计算机文件名', '计算机文件大小', '数字摘要', '数字摘要']);
      expect(textAt(coding, '电子属性', '计算机文件名')).toBe(name);
      expect(textAt(coding, '电子属性', '计算机文件大小')).toBe(String(bytes.length));
      expect(textAt(coding, '反编码关键字')).toBe('base64');
      expect(Buffer.from(textAt(coding, '编码数据'), 'base64').equals(bytes)).toBe(true);
    }

    const steps = children(child(content, '业务实体块'), '业务实体');
    expect(child(content, '业务实体块').attributes).toEqual({ 流程编号: 'WF-7', 流程类型: '发文' });
    expect(steps[1]!.children.map((c) => c.name)).toEqual(['业务标识符', '机构人员标识符', '业务状态', '业务行为', '行为时间', '行为描述']);
    expect(steps.map((s) => textAt(s, '业务行为'))).toEqual(['拟稿', '签发']);
    const agents = children(child(content, '机构人员实体块'), '机构人员实体');
    expect(agents[0]!.children.map((c) => c.name)).toEqual(['机构人员标识符', '机构人员类型', '机构人员名称', '组织机构代码']);
  });

  it('says the package is unsigned when no key is configured, and makes no signature up', async () => {
    const { xml, signed } = await write(inputOf([documentOf('正文', '正文.pdf', annex)]));
    expect(signed).toBe(false);
    const { root, comments } = parseXml(xml.toString('utf8'));
    expect(child(root, '电子签名块').children).toEqual([]);
    expect(comments.join(' ')).toMatch(/未配置签名密钥：本封装包未签名/);
    expect(verifyEepSignature(xml, sm2.generateKeyPairHex().publicKey)).toBe('unsigned');
  });

  it('signs the 被签名对象 with SM2/SM3 as written, and the signature fails for altered bytes', async () => {
    const keys = sm2.generateKeyPairHex();
    const { xml, signed } = await write(inputOf([documentOf('正文', '正文.pdf', body, 4096)], { privateKeyHex: keys.privateKey, publicKeyHex: keys.publicKey, signer: '某某市档案馆' }));
    expect(signed).toBe(true);
    const { root } = parseXml(xml.toString('utf8'));
    const signature = child(child(root, '电子签名块'), '电子签名');
    expect(signature.children.map((c) => c.name)).toEqual(['签名规则', '签名时间', '签名人', '签名结果', '证书块', '签名算法标识']);
    const der = Buffer.from(textAt(signature, '签名结果'), 'base64').toString('hex');
    const message = new Uint8Array(signedObjectBytes(xml));
    // Verified by sm-crypto-v2 hashing the whole message itself (Z ‖ M), not by our streamed digest.
    expect(sm2.doVerifySignature(message, der, keys.publicKey, { der: true, hash: true, userId: '1234567812345678' })).toBe(true);
    const altered = Buffer.from(message);
    altered[altered.length - 20] = altered.at(-20)! ^ 1;
    expect(sm2.doVerifySignature(new Uint8Array(altered), der, keys.publicKey, { der: true, hash: true, userId: '1234567812345678' })).toBe(false);
    expect(verifyEepSignature(xml, keys.publicKey)).toBe('valid');
    expect(verifyEepSignature(Buffer.from(xml.toString('utf8').replace('<封装包类型>原始型', '<封装包类型>修改型')), keys.publicKey)).toBe('invalid');
    expect(verifyEepSignature(xml, sm2.generateKeyPairHex().publicKey)).toBe('invalid');
  });

  it('streams base64 as the file is read: no chunk holds the whole file', async () => {
    const big = randomBytes(1024 * 1024 + 1);
    const encoding = encodingOf('大文件.pdf', big, 64 * 1024 + 1);
    const { xml, chunks } = await write(inputOf([{ role: '正文', encodings: [encoding] }]));
    expect(encoding.reads.length).toBeGreaterThan(15);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(100 * 1024);
    const { root } = parseXml(xml.toString('utf8'));
    const coding = child(child(child(child(child(child(child(root, '被签名对象'), '封装内容'), '文件实体块'), '文件实体'), '文件数据'), '文档'), '文档数据');
    expect(Buffer.from(textAt(coding, '编码', '编码数据'), 'base64').equals(big)).toBe(true);
  });

  it('refuses a file whose bytes are not the ones declared', async () => {
    const doc = { role: '正文', encodings: [{ ...encodingOf('正文.pdf', body), sha256: sha256(annex) }] };
    await expect(write(inputOf([doc]))).rejects.toThrow(EepError);
    await expect(write(inputOf([doc]))).rejects.toThrow(/staged file changed/);
  });

  it('refuses a signing key that is not an SM2 key pair in hex', () => {
    expect(() => writeEep(inputOf([], { privateKeyHex: 'abc', publicKeyHex: '04', signer: 'x' }))).toThrow(/SM2 private key/);
  });
});
