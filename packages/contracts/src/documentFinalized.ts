import { z } from 'zod';
import { archivalText, archivalUrl, storableJsonIssues } from './archivalText.ts';

/*
 * Every string of the event is archival metadata and follows one rule (see archivalText.ts): no U+0000
 * (NUL) and no unpaired UTF-16 surrogate, in any field, nor in any key or value of `extra`. An event that
 * breaks it is refused with the field named and goes to the dead-letter topic; it is never cleaned.
 * Numbers and dates are bounded by what the catalog's columns hold, for the same reason.
 */

/** Version of the `data` schema carried by `oa.document.finalized` events. */
export const DOCUMENT_FINALIZED_SCHEMA = 'urn:oa-archive:schema:document-finalized:1.0';
/** Every 1.x dataschema is accepted; a 2.x event is a contract violation. */
export const SUPPORTED_SCHEMA_PREFIX = 'urn:oa-archive:schema:document-finalized:1.';
export const DOCUMENT_FINALIZED_TYPE = 'oa.document.finalized';

/** An ISO 8601 instant with offset. Year 0000 is refused: it does not exist (1 BC is followed by AD 1) and PostgreSQL rejects it. */
const isoDateTime = z.iso.datetime({ offset: true }).refine((s) => !s.startsWith('0000'), 'year 0000 does not exist');

/** `extra` is stored as jsonb; deeper nesting than this is refused. */
export const MAX_EXTRA_DEPTH = 32;
/** The catalog keeps the version in a 32-bit integer column. */
const MAX_VERSION = 2_147_483_647;

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
  fileName: archivalText().min(1).max(255),
  mediaType: archivalText().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'sha256 must be 64 hexadecimal characters')
    .transform((hex) => hex.toLowerCase())
    .optional(),
  /**
   * Where the OA serves the bytes; fetched only from the source's allowed origins. `s3://bucket/key`
   * names an object in the archive's own store (files the gateway staged from a package drop), read
   * only under the source's allowedS3Prefixes.
   */
  url: archivalUrl(/^(https?|s3)$/),
});

/**
 * Each component is a distinct file: two pointing at the same URL are an OA error, or a way to make the
 * archive fetch one large file many times. Compared after URL normalisation (host case, default port).
 */
function refineDistinctUrls(components: { url: string }[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  components.forEach((component, index) => {
    // zod runs this even when an element failed its own checks: skip what is not a URL (already reported).
    if (typeof component?.url !== 'string' || !URL.canParse(component.url)) return;
    const normalised = new URL(component.url).href;
    const first = seen.get(normalised);
    if (first === undefined) seen.set(normalised, index);
    else ctx.addIssue({ code: 'custom', path: [index, 'url'], message: `same URL as component ${first}; each component must be a distinct file` });
  });
}

export const workflowStepSchema = z.object({
  step: archivalText().min(1),
  actor: archivalText().min(1),
  action: archivalText().min(1),
  at: isoDateTime,
  opinion: archivalText().optional(),
});

export const documentFinalizedDataSchema = z.object({
  documentId: archivalText().min(1).max(200),
  version: z.number().int().positive().max(MAX_VERSION),
  /** 题名 */
  title: archivalText().min(1).max(1000),
  /** 文号, absent for documents that carry none (e.g. 会议纪要 of some agencies). */
  documentNumber: archivalText().max(200).optional(),
  /** 文种 (通知, 请示, 批复, 会议纪要, 合同, 照片 …). */
  documentType: archivalText().min(1).max(50),
  /** 责任者 and its relation to this agency. */
  issuer: z.object({
    name: archivalText().min(1).max(500),
    relation: z.enum(ISSUER_RELATIONS),
  }),
  /** Owning department (organisation code used later for 档号). */
  departmentCode: archivalText().min(1).max(50),
  dates: z.object({
    created: isoDateTime,
    signed: isoDateTime.optional(),
    finalized: isoDateTime,
  }),
  securityLevel: z.enum(SECURITY_LEVELS),
  urgency: z.enum(URGENCY_LEVELS).default('普通'),
  /** 普发, 抄送, 越级抄报 … */
  distribution: archivalText().max(50).optional(),
  workflow: z.object({
    id: archivalText().min(1),
    /** e.g. 发文, 收文, 签报, 合同审批, 会议 */
    type: archivalText().min(1),
    steps: z.array(workflowStepSchema),
  }),
  components: z.array(componentSchema).min(1).max(500).superRefine(refineDistinctUrls),
  /** Anything else the OA knows; kept with the record and available to classification rules. */
  extra: z
    .record(z.string(), z.unknown())
    .superRefine((extra, ctx) => {
      for (const issue of storableJsonIssues(extra, MAX_EXTRA_DEPTH)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    })
    .optional(),
});

export type DocumentFinalizedData = z.infer<typeof documentFinalizedDataSchema>;
export type DocumentFinalizedInput = z.input<typeof documentFinalizedDataSchema>;
export type Component = z.infer<typeof componentSchema>;
export type ComponentRole = (typeof COMPONENT_ROLES)[number];
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];
