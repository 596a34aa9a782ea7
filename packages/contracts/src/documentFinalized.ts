import { z } from 'zod';

/** Version of the `data` schema carried by `oa.document.finalized` events. */
export const DOCUMENT_FINALIZED_SCHEMA = 'urn:oa-archive:schema:document-finalized:1.0';
/** Every 1.x dataschema is accepted; a 2.x event is a contract violation. */
export const SUPPORTED_SCHEMA_PREFIX = 'urn:oa-archive:schema:document-finalized:1.';
export const DOCUMENT_FINALIZED_TYPE = 'oa.document.finalized';

const isoDateTime = z.iso.datetime({ offset: true });

/** 密级, as the OA records it. Anything above 公开 never reaches the open archive. */
export const SECURITY_LEVELS = ['公开', '内部', '秘密', '机密', '绝密'] as const;
/** 紧急程度. */
export const URGENCY_LEVELS = ['特提', '特急', '加急', '平急', '普通'] as const;
/** The issuer's relation to this agency (本机关/上级/同级/下级/外部). */
export const ISSUER_RELATIONS = ['本机关', '上级', '同级', '下级', '外部'] as const;
/** The part a file plays in the document. */
export const COMPONENT_ROLES = ['正文', '附件', '定稿', '处理单', '发文稿纸', '其他'] as const;

export const componentSchema = z.object({
  role: z.enum(COMPONENT_ROLES),
  fileName: z
    .string()
    .min(1)
    .max(255)
    .refine((name) => !name.includes('\0'), 'file name contains a NUL byte'),
  mediaType: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'sha256 must be 64 hexadecimal characters')
    .transform((hex) => hex.toLowerCase())
    .optional(),
  /** Where the OA serves the bytes; fetched only from the source's allowed hosts. */
  url: z.url({ protocol: /^https?$/ }),
});

export const workflowStepSchema = z.object({
  step: z.string().min(1),
  actor: z.string().min(1),
  action: z.string().min(1),
  at: isoDateTime,
  opinion: z.string().optional(),
});

export const documentFinalizedDataSchema = z.object({
  documentId: z.string().min(1).max(200),
  version: z.number().int().positive(),
  /** 题名 */
  title: z.string().min(1).max(1000),
  /** 文号, absent for documents that carry none (e.g. 会议纪要 of some agencies). */
  documentNumber: z.string().max(200).optional(),
  /** 文种 (通知, 请示, 批复, 会议纪要, 合同, 照片 …). */
  documentType: z.string().min(1).max(50),
  /** 责任者 and its relation to this agency. */
  issuer: z.object({
    name: z.string().min(1).max(500),
    relation: z.enum(ISSUER_RELATIONS),
  }),
  /** Owning department (organisation code used later for 档号). */
  departmentCode: z.string().min(1).max(50),
  dates: z.object({
    created: isoDateTime,
    signed: isoDateTime.optional(),
    finalized: isoDateTime,
  }),
  securityLevel: z.enum(SECURITY_LEVELS),
  urgency: z.enum(URGENCY_LEVELS).default('普通'),
  /** 普发, 抄送, 越级抄报 … */
  distribution: z.string().max(50).optional(),
  workflow: z.object({
    id: z.string().min(1),
    /** e.g. 发文, 收文, 签报, 合同审批, 会议 */
    type: z.string().min(1),
    steps: z.array(workflowStepSchema),
  }),
  components: z.array(componentSchema).min(1).max(500),
  /** Anything else the OA knows; kept with the record and available to classification rules. */
  extra: z.record(z.string(), z.unknown()).optional(),
});

export type DocumentFinalizedData = z.infer<typeof documentFinalizedDataSchema>;
export type DocumentFinalizedInput = z.input<typeof documentFinalizedDataSchema>;
export type Component = z.infer<typeof componentSchema>;
export type ComponentRole = (typeof COMPONENT_ROLES)[number];
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];
