import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const formatList = z.array(z.string().min(1)).min(1);

export const CONVERSION_TARGETS = ['PDF/A-1b', 'PDF/A-2b', 'PDF/A-3b', 'PNG', 'TIFF', 'WAV', 'MP3', 'MP4'] as const;
export type ConversionTarget = (typeof CONVERSION_TARGETS)[number];

/** What each target produces: the file's extension and its media type (served as such, e.g. by the console's preview). */
export const TARGET_OUTPUTS: Record<ConversionTarget, { extension: string; mediaType: string }> = {
  'PDF/A-1b': { extension: 'pdf', mediaType: 'application/pdf' },
  'PDF/A-2b': { extension: 'pdf', mediaType: 'application/pdf' },
  'PDF/A-3b': { extension: 'pdf', mediaType: 'application/pdf' },
  PNG: { extension: 'png', mediaType: 'image/png' },
  TIFF: { extension: 'tif', mediaType: 'image/tiff' },
  WAV: { extension: 'wav', mediaType: 'audio/wav' },
  MP3: { extension: 'mp3', mediaType: 'audio/mpeg' },
  MP4: { extension: 'mp4', mediaType: 'video/mp4' },
};

/** The media type a recorded target produces; undefined for a name that is no target (an older policy's, say). */
export function mediaTypeOfTarget(target: string): string | undefined {
  return (TARGET_OUTPUTS as Record<string, { mediaType: string } | undefined>)[target]?.mediaType;
}
export type ConversionTool = 'libreoffice' | 'ghostscript' | 'ffmpeg';

const ruleSchema = z.discriminatedUnion('action', [
  z.object({ formats: formatList, videoCodecs: formatList.optional(), action: z.literal('keep') }).strict(),
  z
    .object({
      formats: formatList,
      videoCodecs: formatList.optional(),
      action: z.literal('convert'),
      tool: z.enum(['libreoffice', 'ghostscript', 'ffmpeg']),
      target: z.enum(CONVERSION_TARGETS),
    })
    .strict()
    .refine((r) => (r.tool === 'ffmpeg') === !r.target.startsWith('PDF/A'), { message: 'PDF/A targets need libreoffice or ghostscript; PNG/TIFF/WAV/MP3/MP4 need ffmpeg' }),
]);

export const conversionPolicySchema = z
  .object({
    schema: z.literal('oa-archive/conversion-policy@1'),
    version: z.string().min(1),
    accepted: formatList,
    unmatched: z.enum(['keep', 'review']),
    onFailure: z.enum(['review', 'fail']),
    rules: z.array(ruleSchema).min(1),
  })
  .strict();

export type ConversionPolicy = z.infer<typeof conversionPolicySchema>;
export type ConversionRule = z.infer<typeof ruleSchema>;

export const DEFAULT_POLICY_PATH = path.join(import.meta.dirname, '..', 'policies', 'default.yaml');

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

export async function loadConversionPolicy(file: string = DEFAULT_POLICY_PATH): Promise<ConversionPolicy> {
  const parsed = conversionPolicySchema.safeParse(parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new PolicyError(`conversion policy ${path.basename(file)} is not valid:\n  - ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  - ')}`);
  }
  return parsed.data;
}

/** `PDF/A-2*` matches PDF/A-2a, -2b, -2u; matching ignores case. */
export function formatMatches(pattern: string, formatName: string): boolean {
  const p = pattern.toLowerCase();
  const f = formatName.toLowerCase();
  return p.endsWith('*') ? f.startsWith(p.slice(0, -1)) : p === f;
}

export type ConversionPlan =
  | { action: 'keep'; rule: number | null }
  | { action: 'convert'; rule: number; tool: ConversionTool; target: ConversionTarget }
  | { action: 'review'; rule: null; reason: string };

/** What the policy says for one format (and video codec, when the rule cares). Pure. */
export function planFor(policy: ConversionPolicy, format: { formatName: string; videoCodec?: string | undefined }): ConversionPlan {
  const index = policy.rules.findIndex(
    (r) => r.formats.some((f) => formatMatches(f, format.formatName)) && (!r.videoCodecs || (format.videoCodec !== undefined && r.videoCodecs.some((c) => c.toLowerCase() === format.videoCodec!.toLowerCase()))),
  );
  const rule = policy.rules[index];
  if (!rule) {
    return policy.unmatched === 'keep'
      ? { action: 'keep', rule: null }
      : { action: 'review', rule: null, reason: `no conversion rule for ${format.formatName}; a person decides how to preserve it` };
  }
  return rule.action === 'keep' ? { action: 'keep', rule: index } : { action: 'convert', rule: index, tool: rule.tool, target: rule.target };
}

export function isAccepted(policy: ConversionPolicy, formatName: string): boolean {
  return policy.accepted.some((f) => formatMatches(f, formatName));
}
