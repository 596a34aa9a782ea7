import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { da46Elements, type Da46Extra } from './da46Xml.ts';
import { comment, el, escapeAttr, escapeText, renderFragment, XmlValueError } from './xml.ts';

/**
 * The document as a DA/T 48-2009 electronic file encapsulation package (EEP, 电子文件封装包), written
 * as a stream of UTF-8 chunks so that the base64 of a large file is never held whole in memory.
 *
 * Structure (DA/T 48-2009 §5–§7 and its Annex A schema, element order as the standard gives it):
 *
 *   电子文件封装包 (xmlns EEP_NAMESPACE)
 *     封装包格式描述, 版本
 *     被签名对象 @eep版本
 *       封装包类型, 封装包类型描述, 封装包创建时间, 封装包创建单位
 *       封装内容
 *         文件实体块/文件实体: the DA/T 46 record's elements (as metadata/da46.xml writes them, without
 *           电子属性, 机构人员 and 业务, which have their own places), then 文件数据/文档 per component:
 *           文档标识符, 文档序号, 文档数据 with one 编码 per file — the original (编码ID 1), then its
 *           preservation copy (2) — each 电子属性 (格式信息, 计算机文件名, 计算机文件大小, 数字摘要),
 *           编码描述, 反编码关键字 base64, 编码数据
 *         业务实体块/业务实体: 业务标识符, 机构人员标识符, 业务状态, 业务行为, 行为时间, 行为依据, 行为描述
 *         机构人员实体块/机构人员实体: 机构人员标识符, 机构人员类型, 机构人员名称, 组织机构代码
 *     电子签名块/电子签名 @签名ID: 签名规则, 签名时间, 签名人, 签名结果, 证书块, 签名算法标识
 *
 * The paths the archive gateway reads (services/gateway/mappings/eep.yaml) are the same, with its
 * documented extensions (版本, 拟稿日期, 办结时间, 责任者@关系, 文档@角色, 业务实体块@流程编号/@流程类型),
 * so a package written here is one the gateway can take in.
 *
 * Signature: SM2 with SM3 (GB/T 32918.2, user ID 1234567812345678) over the UTF-8 bytes of the
 * `<被签名对象 …>…</被签名对象>` element exactly as written, digested as it streams. Without a key
 * the 电子签名块 is empty and says so in a comment: no signature is ever made up.
 */

export const EEP_NAMESPACE = 'http://www.saac.gov.cn/standards/ERM/encapsulation';
export const EEP_VERSION = '2009';
/** GB/T 35276 default SM2 user ID. */
const SM2_USER_ID = '1234567812345678';
const SIGNED_OBJECT_RULE =
  '对本封装包中<被签名对象>元素（自起始标签“<”至结束标签“>”）按写入时的UTF-8字节，以SM2/SM3（GB/T 32918.2，用户标识1234567812345678）签名，签名结果为DER编码的Base64';

export class EepError extends Error {
  override name = 'EepError';
}

/** One encoding of a document: the original file, or its preservation copy; its bytes read on demand. */
export interface EepEncoding {
  fileName: string;
  size: number;
  /** 格式信息 */
  formatInfo: string;
  sha256: string;
  sm3: string;
  /** 编码描述 beyond the base64 note, e.g. that this is the preservation copy converted from encoding 1. */
  description?: string;
  /** The file's bytes; read once, while the package is written. */
  open(): AsyncIterable<Uint8Array>;
}

/**
 * One document (component) of the item: 文档 with its 文档数据, whose 编码 are the original first and
 * then its preservation copy, as DA/T 48 lets one 文档数据 carry several encodings of the same content.
 */
export interface EepDocument {
  /** 文档@角色 (正文, 附件, 处理单 …). */
  role: string;
  encodings: readonly EepEncoding[];
}

export interface EepStep {
  业务状态: string;
  业务行为: string;
  /** The actor: the 机构人员标识符 of one of the agents. */
  机构人员标识符: string;
  /** ISO 8601 with offset. */
  行为时间: string;
  行为依据?: string;
  行为描述?: string;
}

export interface EepAgent {
  机构人员标识符: string;
  机构人员类型: string;
  机构人员名称: string;
  组织机构代码?: string;
}

export interface EepSigner {
  /** SM2 private key, 64 hex digits. */
  privateKeyHex: string;
  /** SM2 public key, uncompressed (04‖x‖y, 130 hex digits). */
  publicKeyHex: string;
  /** 签名人 */
  signer: string;
  /** The signing certificate (DER, base64), written into 证书块 when given. */
  certificateBase64?: string;
}

export interface EepInput {
  /** 封装包创建时间, ISO 8601 with offset; chosen by the caller so a rebuild gives the same bytes. */
  createdAt: string;
  /** 封装包创建单位 */
  creator: string;
  /** The DA/T 46 record (characterize's MetadataRecord), whose 文件-level elements become the 文件实体. */
  record: object;
  /** 档号 and its parts, as for metadata/da46.xml. */
  extra?: Da46Extra;
  /** Extensions the gateway reads beside DA/T 48 (docs/oa-integration.md, EEP subset). */
  extension: { 版本: number; 拟稿日期: string; 办结时间: string; 责任者关系: string };
  documents: readonly EepDocument[];
  business: { 流程编号: string; 流程类型: string; steps: readonly EepStep[] };
  agents: readonly EepAgent[];
  signer?: EepSigner;
}

/** Elements of the DA/T 46 record that DA/T 48 places elsewhere (文件数据, 业务实体块, 机构人员实体块). */
const PLACED_ELSEWHERE = new Set(['电子属性', '机构人员', '业务']);

function fileEntityRecord(input: EepInput): object {
  const record = Object.fromEntries(Object.entries(input.record).filter(([key]) => !PLACED_ELSEWHERE.has(key)));
  const description = record['内容描述'];
  if (!description || typeof description !== 'object') throw new EepError('the DA/T 46 record has no 内容描述; the EEP 文件实体 needs one');
  const { 责任者: issuer, ...rest } = description as Record<string, unknown>;
  // 电子文件号, then 版本 (extension), then the rest in the record's order.
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === '内容描述') {
      out[key] = { ...rest, 责任者: { 关系: input.extension.责任者关系, 值: issuer }, 拟稿日期: input.extension.拟稿日期, 办结时间: input.extension.办结时间 };
    } else out[key] = value;
    if (key === '电子文件号') out['版本'] = input.extension.版本;
  }
  return out;
}

function documentOpen(doc: EepDocument, ordinal: number, id: string, depth: number): string {
  const pad = (n: number) => '  '.repeat(depth + n);
  return [
    `${pad(0)}<文档 角色="${escapeAttr(doc.role)}">`,
    `${pad(1)}<文档标识符>${escapeText(`${id}-${ordinal}`)}</文档标识符>`,
    `${pad(1)}<文档序号>${ordinal}</文档序号>`,
    `${pad(1)}<文档数据 文档数据ID="${escapeAttr(`${id}-${ordinal}-1`)}">`,
    '',
  ].join('\n');
}

function encodingOpen(encoding: EepEncoding, ordinal: number, depth: number): string {
  const pad = (n: number) => '  '.repeat(depth + n);
  return [
    `${pad(0)}<编码 编码ID="${ordinal}">`,
    renderFragment(
      el('电子属性', [
        el('格式信息', encoding.formatInfo),
        el('计算机文件名', encoding.fileName),
        el('计算机文件大小', String(encoding.size)),
        el('数字摘要', encoding.sm3, [['算法', 'SM3']]),
        el('数字摘要', encoding.sha256, [['算法', 'SHA-256']]),
      ]),
      depth + 1,
    ),
    `${pad(1)}<编码描述>${escapeText(`本封装包中“编码数据”元素存储的是计算机文件二进制流的Base64编码${encoding.description ? `；${encoding.description}` : ''}`)}</编码描述>`,
    `${pad(1)}<反编码关键字>base64</反编码关键字>`,
    `${pad(1)}<编码数据>`,
  ].join('\n');
}

const encodingClose = (depth: number) => `</编码数据>\n${'  '.repeat(depth)}</编码>\n`;
const documentClose = (depth: number) => `${'  '.repeat(depth + 1)}</文档数据>\n${'  '.repeat(depth)}</文档>\n`;

/**
 * Base64 of a file, chunk by chunk (a remainder of fewer than 3 bytes is carried to the next chunk),
 * checking the bytes are the ones declared: a changed staged file never goes out under the old digest.
 */
async function* base64Of(doc: EepEncoding): AsyncGenerator<string> {
  const sha256 = createHash('sha256');
  let carry = Buffer.alloc(0);
  let size = 0;
  for await (const chunk of doc.open()) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    sha256.update(bytes);
    size += bytes.length;
    const joined = carry.length ? Buffer.concat([carry, bytes]) : bytes;
    const whole = joined.length - (joined.length % 3);
    if (whole > 0) yield joined.subarray(0, whole).toString('base64');
    carry = Buffer.from(joined.subarray(whole));
  }
  if (carry.length) yield carry.toString('base64');
  const digest = sha256.digest('hex');
  if (size !== doc.size || digest !== doc.sha256.toLowerCase()) {
    throw new EepError(`${doc.fileName}: read ${size} bytes with SHA-256 ${digest}, but the package declares ${doc.size} bytes with ${doc.sha256}; the staged file changed — replay from fetch`);
  }
}

function signatureBlock(input: EepInput, signatureBase64: string | undefined): string {
  if (!input.signer || signatureBase64 === undefined) {
    return ['  <电子签名块>', `    ${comment('未配置签名密钥：本封装包未签名（电子签名块为空），不作伪签')}`, '  </电子签名块>'].join('\n');
  }
  const { signer } = input;
  return renderFragment(
    el('电子签名块', [
      el(
        '电子签名',
        [
          el('签名规则', SIGNED_OBJECT_RULE),
          el('签名时间', input.createdAt),
          el('签名人', signer.signer),
          el('签名结果', signatureBase64),
          el('证书块', signer.certificateBase64 ? [el('证书', signer.certificateBase64)] : [el('证书引用', `SM2公钥 ${signer.publicKeyHex}`)]),
          el('签名算法标识', 'SM2/SM3 (1.2.156.10197.1.501)'),
        ],
        [['签名ID', '1']],
      ),
    ]),
    1,
  );
}

export interface EepResult {
  /** Whether the 电子签名块 holds a signature. */
  signed: boolean;
}

/**
 * Writes the EEP. Chunks are yielded as they are made; `result` resolves when the last one is out.
 * The caller pipes the chunks to storage (package stage) or a file.
 */
export function writeEep(input: EepInput): { chunks: AsyncIterable<Buffer>; result: Promise<EepResult> } {
  if (input.signer && (!/^[0-9a-f]{64}$/i.test(input.signer.privateKeyHex) || !/^04[0-9a-f]{128}$/i.test(input.signer.publicKeyHex))) {
    throw new EepError('the EEP signing key must be an SM2 private key of 64 hex digits and its uncompressed public key (04 followed by 128 hex digits)');
  }
  let settle: (r: EepResult) => void = () => undefined;
  let fail: (e: unknown) => void = () => undefined;
  const result = new Promise<EepResult>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Nobody may be waiting on result when a write fails; the error reaches the reader of chunks anyway.
  result.catch(() => undefined);
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      const signed = input.signer ? createHash('sm3').update(sm2.getZ(input.signer.publicKeyHex, SM2_USER_ID)) : undefined;
      const part = (text: string, inSignedObject: boolean): Buffer => {
        const bytes = Buffer.from(text, 'utf8');
        if (inSignedObject) signed?.update(bytes);
        return bytes;
      };
      const id = String((input.record as Record<string, unknown>)['电子文件号'] ?? '');
      if (!id) throw new EepError('the DA/T 46 record has no 电子文件号; the EEP needs one');
      yield part(
        [
          '<?xml version="1.0" encoding="UTF-8"?>',
          `<电子文件封装包 xmlns="${EEP_NAMESPACE}">`,
          renderFragment(el('封装包格式描述', '本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成'), 1),
          renderFragment(el('版本', EEP_VERSION), 1),
          '  ',
        ].join('\n'),
        false,
      );
      const head = [
        `<被签名对象 eep版本="${EEP_VERSION}">`,
        renderFragment(el('封装包类型', '原始型'), 2),
        renderFragment(el('封装包类型描述', '本封装包包含电子文件数据及其元数据，系原始封装，未经修改'), 2),
        renderFragment(el('封装包创建时间', input.createdAt), 2),
        renderFragment(el('封装包创建单位', input.creator), 2),
        '    <封装内容>',
        '      <文件实体块>',
        '        <文件实体>',
        ...da46Elements(fileEntityRecord(input), input.extra ?? {}).map((element) => renderFragment(element, 5)),
        '          <文件数据>',
        '',
      ].join('\n');
      yield part(head, true);
      for (const [i, doc] of input.documents.entries()) {
        if (doc.encodings.length === 0) throw new EepError(`document ${i + 1} (${doc.role}) has no file`);
        yield part(documentOpen(doc, i + 1, id, 6), true);
        for (const [j, encoding] of doc.encodings.entries()) {
          yield part(encodingOpen(encoding, j + 1, 8), true);
          for await (const text of base64Of(encoding)) yield part(text, true);
          yield part(encodingClose(8), true);
        }
        yield part(documentClose(6), true);
      }
      const steps = input.business.steps.map((step, i) =>
        el('业务实体', [
          el('业务标识符', `${input.business.流程编号}-${i + 1}`),
          el('机构人员标识符', step.机构人员标识符),
          el('业务状态', step.业务状态),
          el('业务行为', step.业务行为),
          el('行为时间', step.行为时间),
          ...(step.行为依据 ? [el('行为依据', step.行为依据)] : []),
          ...(step.行为描述 ? [el('行为描述', step.行为描述)] : []),
        ]),
      );
      const agents = input.agents.map((agent) =>
        el('机构人员实体', [
          el('机构人员标识符', agent.机构人员标识符),
          el('机构人员类型', agent.机构人员类型),
          el('机构人员名称', agent.机构人员名称),
          ...(agent.组织机构代码 ? [el('组织机构代码', agent.组织机构代码)] : []),
        ]),
      );
      const tail = [
        '          </文件数据>',
        '        </文件实体>',
        '      </文件实体块>',
        renderFragment(el('业务实体块', steps, [['流程编号', input.business.流程编号], ['流程类型', input.business.流程类型]]), 3),
        renderFragment(el('机构人员实体块', agents), 3),
        '    </封装内容>',
        '  </被签名对象>',
      ].join('\n');
      yield part(tail, true);
      let signature: string | undefined;
      if (input.signer && signed) {
        // e = SM3(Z ‖ M) was computed as M streamed; SM2 signs e itself (hash: false).
        signature = Buffer.from(sm2.doSignature(new Uint8Array(signed.digest()), input.signer.privateKeyHex, { hash: false, der: true }), 'hex').toString('base64');
      }
      yield part(`\n${signatureBlock(input, signature)}\n</电子文件封装包>\n`, false);
      settle({ signed: signature !== undefined });
    } catch (error) {
      fail(error instanceof XmlValueError ? new EepError(error.message) : error);
      throw error;
    }
  }
  return { chunks: chunks(), result };
}

/**
 * Checks an EEP's 电子签名 against `publicKeyHex`: the bytes of its 被签名对象 as written and the
 * 签名结果. Reads the package whole: for checking what this module wrote (tests, audits of a few
 * packages), not for streaming gigabytes. `unsigned` when the 电子签名块 holds no signature.
 */
export function verifyEepSignature(xml: Buffer, publicKeyHex: string): 'valid' | 'invalid' | 'unsigned' {
  const text = xml.toString('utf8');
  const start = text.indexOf('<被签名对象');
  const endTag = '</被签名对象>';
  const end = text.lastIndexOf(endTag);
  if (start < 0 || end < start) throw new EepError('not an EEP: no 被签名对象 element');
  const result = /<电子签名块>[\s\S]*?<签名结果>([^<]*)<\/签名结果>/.exec(text.slice(end));
  if (!result) return 'unsigned';
  const message = new Uint8Array(Buffer.from(text.slice(start, end + endTag.length), 'utf8'));
  const der = Buffer.from(result[1]!.trim(), 'base64').toString('hex');
  return sm2.doVerifySignature(message, der, publicKeyHex, { der: true, hash: true, userId: SM2_USER_ID }) ? 'valid' : 'invalid';
}
