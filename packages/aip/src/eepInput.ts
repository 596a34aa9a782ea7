import type { Da46Extra } from './da46Xml.ts';
import type { EepAgent, EepDocument, EepInput, EepSigner } from './eep.ts';

/**
 * What the EEP is made from: the OA's document (the `oa.document.finalized` data, structurally), the
 * DA/T 46 record and the AIP's files. The workflow becomes the 业务实体块 as the gateway's EEP reader
 * reads it back (业务状态 ← step, 业务行为 ← action, services/gateway/mappings/eep.yaml); the
 * department is the first 机构人员实体, then the 责任者, then each person who acted.
 */
export interface EepDocumentLike {
  version: number;
  issuer: { name: string; relation: string };
  departmentCode: string;
  dates: { created: string; finalized: string };
  workflow: { id: string; type: string; steps: readonly { step: string; actor: string; action: string; at: string; opinion?: string | undefined }[] };
}

export function eepInputOf(args: {
  data: EepDocumentLike;
  record: object;
  extra?: Da46Extra;
  /** 封装包创建时间: fixed by the caller (the bag's own date), so the package does not depend on when it is built. */
  createdAt: string;
  creator: string;
  /** OA department code → its name (schedule agency.departmentNames); the code stands in when absent. */
  departmentName?: string;
  documents: readonly EepDocument[];
  signer?: EepSigner;
}): EepInput {
  const { data } = args;
  const actors = [...new Set(data.workflow.steps.map((s) => s.actor))];
  const agents: EepAgent[] = [
    { 机构人员标识符: data.departmentCode, 机构人员类型: '内设机构', 机构人员名称: args.departmentName ?? data.departmentCode, 组织机构代码: data.departmentCode },
    { 机构人员标识符: data.issuer.name, 机构人员类型: '责任者', 机构人员名称: data.issuer.name },
    ...actors.filter((a) => a !== data.issuer.name && a !== data.departmentCode).map((a) => ({ 机构人员标识符: a, 机构人员类型: '个人', 机构人员名称: a })),
  ];
  return {
    createdAt: args.createdAt,
    creator: args.creator,
    record: args.record,
    ...(args.extra ? { extra: args.extra } : {}),
    extension: { 版本: data.version, 拟稿日期: data.dates.created, 办结时间: data.dates.finalized, 责任者关系: data.issuer.relation },
    documents: args.documents,
    business: {
      流程编号: data.workflow.id,
      流程类型: data.workflow.type,
      steps: data.workflow.steps.map((s) => ({ 业务状态: s.step, 业务行为: s.action, 机构人员标识符: s.actor, 行为时间: s.at, ...(s.opinion ? { 行为描述: s.opinion } : {}) })),
    },
    agents,
    ...(args.signer ? { signer: args.signer } : {}),
  };
}
