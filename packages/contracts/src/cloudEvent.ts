import { z } from 'zod';
import {
  DOCUMENT_FINALIZED_SCHEMA,
  DOCUMENT_FINALIZED_TYPE,
  SUPPORTED_SCHEMA_PREFIX,
  documentFinalizedDataSchema,
  type DocumentFinalizedData,
  type DocumentFinalizedInput,
} from './documentFinalized.ts';

/** CloudEvents 1.0 context attributes we rely on (structured JSON mode). */
const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(200),
  source: z.string().min(1).max(500),
  type: z.literal(DOCUMENT_FINALIZED_TYPE),
  time: z.iso.datetime({ offset: true }).optional(),
  subject: z.string().optional(),
  datacontenttype: z.string().optional(),
  dataschema: z
    .string()
    .refine((s) => s.startsWith(SUPPORTED_SCHEMA_PREFIX), {
      message: `unsupported dataschema; this intake reads ${SUPPORTED_SCHEMA_PREFIX}x`,
    })
    .optional(),
  data: z.unknown(),
});

export interface DocumentFinalizedEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: typeof DOCUMENT_FINALIZED_TYPE;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  data: DocumentFinalizedData;
}

export interface ContractIssue {
  path: string;
  message: string;
}

export type ParseResult =
  | { ok: true; event: DocumentFinalizedEvent }
  | { ok: false; reason: string; issues: ContractIssue[] };

/** A Kafka record as far as the contract cares: value bytes and string headers. */
export interface RawMessage {
  value: Buffer | null;
  headers: Record<string, string | undefined>;
}

function fail(reason: string, issues: ContractIssue[] = []): ParseResult {
  return { ok: false, reason, issues };
}

function toIssues(error: z.ZodError, prefix: string): ContractIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

function parseJson(value: Buffer): { ok: true; json: unknown } | { ok: false; reason: string } {
  const text = value.toString('utf8');
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
}

/**
 * Reads a "document finalized" event from a Kafka record, in either CloudEvents Kafka binding:
 * structured (the whole event as JSON value) or binary (attributes in `ce_*` headers, data as value).
 * Never throws: a violation comes back with a reason fit for the dead-letter topic.
 */
export function parseDocumentFinalized(message: RawMessage): ParseResult {
  if (!message.value || message.value.length === 0) return fail('empty message value');
  const parsed = parseJson(message.value);
  if (!parsed.ok) return fail(parsed.reason);

  const contentType = message.headers['content-type'] ?? '';
  let candidate: unknown;
  if (message.headers['ce_specversion'] !== undefined) {
    const attributes: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(message.headers)) {
      if (name.startsWith('ce_') && value !== undefined) attributes[name.slice(3)] = value;
    }
    if (contentType) attributes.datacontenttype = contentType;
    candidate = { ...attributes, data: parsed.json };
  } else if (contentType === '' || contentType.startsWith('application/cloudevents+json')) {
    candidate = parsed.json;
  } else {
    return fail(`content-type ${contentType} is neither CloudEvents structured JSON nor binary mode`);
  }

  const envelope = envelopeSchema.safeParse(candidate);
  if (!envelope.success) {
    const issues = toIssues(envelope.error, '');
    return fail(`not a ${DOCUMENT_FINALIZED_TYPE} CloudEvent: ${summarize(issues)}`, issues);
  }
  const data = documentFinalizedDataSchema.safeParse(envelope.data.data);
  if (!data.success) {
    const issues = toIssues(data.error, 'data');
    return fail(`data violates ${DOCUMENT_FINALIZED_SCHEMA}: ${summarize(issues)}`, issues);
  }
  const { data: _raw, ...attributes } = envelope.data;
  return { ok: true, event: { ...attributes, type: DOCUMENT_FINALIZED_TYPE, data: data.data } };
}

function summarize(issues: ContractIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || '(event)'}: ${i.message}`);
  if (issues.length > 5) shown.push(`… and ${issues.length - 5} more`);
  return shown.join('; ');
}

/** Builds a structured-mode event, as an OA system (or our simulator) publishes it. */
export function documentFinalizedEvent(args: {
  id: string;
  source: string;
  time: string;
  data: DocumentFinalizedInput;
}): { specversion: '1.0'; type: string; datacontenttype: string; dataschema: string; subject: string; id: string; source: string; time: string; data: DocumentFinalizedInput } {
  return {
    specversion: '1.0',
    id: args.id,
    source: args.source,
    type: DOCUMENT_FINALIZED_TYPE,
    time: args.time,
    subject: args.data.documentId,
    datacontenttype: 'application/json',
    dataschema: DOCUMENT_FINALIZED_SCHEMA,
    data: args.data,
  };
}

export const CLOUDEVENTS_STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
