import { createHash } from 'node:crypto';
import type { SimulatedDocument } from './documents.ts';

/**
 * A simulated document as two real OA systems would send it to the gateway, in their own field names
 * (read there by services/gateway/mappings/oa-json-nested.yaml and oa-xml.yaml): a nested JSON push
 * and an XML push. Pure. They say what such systems say: local time without offset, 成文日期 as a date,
 * 密级 非密, 紧急程度 一般, the files in an order of their own with md5 instead of sha256.
 */

export type PushShape = 'canonical' | 'json' | 'xml';

/** The OA's local wall-clock time (China Standard Time) of an ISO instant. */
function local(iso: string): { date: string; time: string; y: number; m: number; d: number } {
  const at = new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString();
  return { date: at.slice(0, 10), time: at.slice(11, 19), y: Number(at.slice(0, 4)), m: Number(at.slice(5, 7)), d: Number(at.slice(8, 10)) };
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
const OA_SECURITY: Record<string, string> = { 公开: '非密' };
const OA_URGENCY: Record<string, string> = { 普通: '一般' };
const fileUrl = (baseUrl: string, documentId: string, ordinal: number) => `${baseUrl}/files/${encodeURIComponent(documentId)}/${ordinal}`;

export function oaJsonPayloadOf(document: SimulatedDocument, baseUrl: string): Record<string, unknown> {
  const { data } = document;
  const created = local(data.dates.created);
  const finalized = local(data.dates.finalized);
  const steps = data.workflow.steps.map((s, i) => ({ 序号: i + 1, 环节: s.step, 办理人: s.actor, 操作: s.action, 办理时间: `${local(s.at).date} ${local(s.at).time}`, 意见: s.opinion ?? '' }));
  // The OA lists its files newest first; `order` says where each belongs.
  const files = document.components
    .map((c, i) => ({ role: c.role === '发文稿纸' ? '稿纸' : c.role, order: i + 1, name: c.fileName, contentType: c.mediaType, size: c.bytes.length, md5: md5(c.bytes), url: fileUrl(baseUrl, data.documentId, i + 1) }))
    .reverse();
  return {
    公文: {
      公文标识: data.documentId,
      版本号: data.version,
      标题: data.title,
      文号: data.documentNumber ?? '',
      文种: data.documentType,
      拟稿单位: data.issuer.name,
      ...(data.issuer.relation !== '本机关' ? { 来文关系: data.issuer.relation } : {}),
      部门代码: data.departmentCode,
      拟稿日期: `${created.date} ${created.time}`,
      ...(data.dates.signed ? { 成文日期: local(data.dates.signed).date } : {}),
      办结时间: `${finalized.date} ${finalized.time}`,
      密级: OA_SECURITY[data.securityLevel] ?? data.securityLevel,
      紧急程度: OA_URGENCY[data.urgency ?? '普通'] ?? data.urgency,
      发送范围: data.distribution ?? '',
      拟稿人: data.workflow.steps[0]?.actor ?? '',
      流程: { 流程编号: data.workflow.id, 流程类型: data.workflow.type, 办理记录: steps },
      files,
    },
  };
}

const escape = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
const element = (name: string, value: string | undefined) => (value === undefined || value === '' ? `<${name}/>` : `<${name}>${escape(value)}</${name}>`);

export function oaXmlPayloadOf(document: SimulatedDocument, baseUrl: string): string {
  const { data } = document;
  const created = local(data.dates.created);
  const finalized = local(data.dates.finalized);
  const signed = data.dates.signed ? local(data.dates.signed) : undefined;
  const steps = data.workflow.steps
    .map((s) => `    <步骤>${element('名称', s.step)}${element('办理人', s.actor)}${element('动作', s.action)}${element('时间', `${local(s.at).date} ${local(s.at).time}`)}${s.opinion ? element('意见', s.opinion) : ''}</步骤>`)
    .join('\n');
  const files = document.components
    .map(
      (c, i) =>
        `    <文件 序号="${i + 1}" 类型="${escape(c.role)}">${element('文件名', c.fileName)}${element('格式', c.mediaType)}${element('大小', String(c.bytes.length))}${element('MD5', md5(c.bytes))}${element('地址', fileUrl(baseUrl, data.documentId, i + 1))}</文件>`,
    )
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<归档数据 版本="1.0">',
    '  <文件信息>',
    `    ${element('唯一标识', data.documentId)}`,
    `    ${element('版本', String(data.version))}`,
    `    ${element('全宗号', 'A182')}`,
    `    ${element('题名', data.title)}`,
    `    ${element('文号', data.documentNumber)}`,
    `    ${element('文种', data.documentType)}`,
    `    <责任者 关系="${escape(data.issuer.relation)}">${escape(data.issuer.name)}</责任者>`,
    `    ${element('机构代码', data.departmentCode)}`,
    `    ${element('拟稿日期', `${created.date}T${created.time}`)}`,
    signed ? `    ${element('成文日期', `${signed.y}年${signed.m}月${signed.d}日`)}` : '',
    `    ${element('办结时间', `${finalized.date} ${finalized.time.slice(0, 5)}`)}`,
    `    ${element('密级', OA_SECURITY[data.securityLevel] ?? data.securityLevel)}`,
    `    ${element('紧急程度', OA_URGENCY[data.urgency ?? '普通'] ?? data.urgency)}`,
    `    ${element('发送范围', data.distribution)}`,
    '  </文件信息>',
    `  <流程 编号="${escape(data.workflow.id)}" 类型="${escape(data.workflow.type)}">`,
    steps,
    '  </流程>',
    `  <电子文件 数量="${document.components.length}">`,
    files,
    '  </电子文件>',
    '</归档数据>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
