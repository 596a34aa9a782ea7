import { z } from 'zod';
import { archivalText } from './archivalText.ts';
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
  id: archivalText().min(1).max(200),
  source: archivalText().min(1).max(500),
  type: z.literal(DOCUMENT_FINALIZED_TYPE),
  time: z.iso.datetime({ offset: true }).optional(),
  subject: archivalText().max(1000).optional(),
  datacontenttype: archivalText().max(200).optional(),
  dataschema: archivalText()
    .max(500)
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

/**
 * A Kafka record as far as the contract cares: value bytes and headers (names lower-cased), as text or
 * as the bytes Kafka delivered; the contract decodes the ones it reads and refuses those that are not UTF-8.
 */
export interface RawMessage {
  value: Buffer | null;
  headers: Record<string, string | Buffer | undefined>;
}

/** Input echoed in a reason: quoted, shortened, control characters and lone surrogates escaped (JSON does C0 and surrogates). */
function quoted(text: string, max = 100): string {
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return shown.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text, or undefined for bytes that are not: decoding them leniently would silently replace characters. */
function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function parseJson(value: Buffer): { ok: true; json: unknown } | { ok: false; reason: string } {
  const text = decodeUtf8(value);
  if (text === undefined) return { ok: false, reason: 'value is not UTF-8 text (JSON must be UTF-8)' };
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
}

/**
 * Reads a "document finalized" event from a Kafka record, in either CloudEvents Kafka binding:
 * structured (the whole event as JSON value) or binary (attributes in `ce_*` headers, data as value).
 * Never throws: a violation comes back with a reason fit for the dead-letter topic. A check that breaks
 * on hostile input is a violation too, so that no record can stop the consumer that reads it.
 */
export function parseDocumentFinalized(message: RawMessage): ParseResult {
  try {
    return parseRecord(message);
  } catch (error) {
    return fail(`the contract check could not read this record: ${(error as Error).message}`);
  }
}

function parseRecord(message: RawMessage): ParseResult {
  if (!message.value || message.value.length === 0) return fail('empty message value');
  const parsed = parseJson(message.value);
  if (!parsed.ok) return fail(parsed.reason);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined || (name !== 'content-type' && !name.startsWith('ce_'))) continue;
    const text = typeof value === 'string' ? value : decodeUtf8(value);
    if (text === undefined) return fail(`header ${quoted(name)} is not UTF-8 text`, [{ path: quoted(name.startsWith('ce_') ? name.slice(3) : name), message: 'not UTF-8 text' }]);
    headers[name] = text;
  }

  const contentType = headers['content-type'] ?? '';
  let candidate: unknown;
  // Any ce_ header means binary mode: a missing ce_specversion is then a violation named as such.
  if (Object.keys(headers).some((name) => name.startsWith('ce_'))) {
    const attributes: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name.startsWith('ce_')) attributes[name.slice(3)] = value;
    }
    if (contentType) attributes.datacontenttype = contentType;
    candidate = { ...attributes, data: parsed.json };
  } else if (contentType === '' || contentType.startsWith('application/cloudevents+json')) {
    candidate = parsed.json;
  } else {
    return fail(`content-type ${quoted(contentType)} is neither CloudEvents structured JSON nor binary mode`);
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
