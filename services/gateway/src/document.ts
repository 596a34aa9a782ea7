import { createHash } from 'node:crypto';
import { canonicalJson } from '@oa-archive/catalog';
import { isAllowedOrigin, type OaSource } from '@oa-archive/config';
import {
  CLOUDEVENTS_STRUCTURED_CONTENT_TYPE,
  documentFinalizedDataSchema,
  documentFinalizedEvent,
  formatBytes,
  ingestIdOf,
  parseDocumentFinalized,
  type DocumentFinalizedData,
  type DocumentFinalizedEvent,
} from '@oa-archive/contracts';
import { applyMapping, sourceFieldOf, type MappedDocument, type MappingIssue } from './mapping/apply.ts';
import type { Mapping } from './mapping/schema.ts';
import { COMPONENT_MD5_KEY } from './mapping/targets.ts';
import { decodePayload, PayloadError, type PayloadInput } from './payload.ts';

/**
 * From the OA's bytes to the canonical CloudEvent, or to every reason it cannot be one. Pure: decode
 * with the source's format, map with its mapping, judge with the contract, then with the limits
 * intake applies (components, declared bytes, allowed origins, record size), and finally read the
 * very record that would be published back through the contract's own parser. What passes here is
 * what intake accepts; nothing malformed reaches Kafka.
 */

export type DocumentIssue = MappingIssue;

export interface Limits {
  maxComponents: number;
  maxDeclaredBytes: number;
  /** Value, key and headers of the Kafka record (intake's INTAKE_MAX_MESSAGE_BYTES). */
  maxRecordBytes: number;
}

/** What the OA declared about one file: compared when the same version is sent again. */
export interface DeclaredFile {
  fileName: string;
  url: string;
  size: number | null;
  sha256: string | null;
  md5: string | null;
}

export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface CanonicalDocument {
  ingestId: string;
  event: DocumentFinalizedEvent;
  record: KafkaRecord;
  /** SHA-256 of the canonical JSON of `data`: the same document sent again has the same digest. */
  contentSha256: string;
  files: DeclaredFile[];
}

export type DocumentResult = { ok: true; document: CanonicalDocument } | { ok: false; kind: 'unreadable' | 'invalid' | 'too-large'; message: string; issues: DocumentIssue[] };

function summarize(issues: DocumentIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path}${i.sourceField ? ` (${i.sourceField})` : ''}: ${i.message}`);
  if (issues.length > 5) shown.push(`… and ${issues.length - 5} more`);
  return shown.join('; ');
}


/** Intake's own limits, checked here so that an accepted document is never dead-lettered for them. */
function limitIssues(data: DocumentFinalizedData, source: string, origins: OaSource, limits: Limits, sources: Map<string, string>): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  const at = (path: string) => {
    const sourceField = sourceFieldOf(sources, path);
    return sourceField ? { path, sourceField } : { path };
  };
  if (data.components.length > limits.maxComponents) issues.push({ ...at('components'), message: `${data.components.length} files, over the ${limits.maxComponents} one document may have` });
  const declared = data.components.reduce((sum, c) => sum + (c.size ?? 0), 0);
  if (declared > limits.maxDeclaredBytes) issues.push({ ...at('components'), message: `the files declare ${formatBytes(declared)}, over the ${formatBytes(limits.maxDeclaredBytes)} one document may carry` });
  data.components.forEach((component, index) => {
    const url = new URL(component.url);
    if (!isAllowedOrigin(origins, url)) {
      const where = url.protocol === 's3:' ? `${url.href} is not under an S3 prefix (allowedS3Prefixes)` : `${url.origin} is not an origin`;
      issues.push({ ...at(`components.${index}.url`), message: `${where} the archive fetches from for source ${source}; allowed: ${[...origins.allowedOrigins, ...(origins.allowedS3Prefixes ?? [])].join(', ')}` });
    }
  });
  return issues;
}

function declaredFiles(data: DocumentFinalizedData): DeclaredFile[] {
  const md5 = data.extra?.[COMPONENT_MD5_KEY];
  return data.components.map((c, index) => ({
    fileName: c.fileName,
    url: c.url,
    size: c.size ?? null,
    sha256: c.sha256 ?? null,
    md5: Array.isArray(md5) && typeof md5[index] === 'string' ? md5[index] : null,
  }));
}

/** What a middle-table row says of itself (doc_id, doc_version): the payload must agree. */
export interface ExpectedIdentity {
  documentId: string;
  version: number;
}

function identityIssues(data: DocumentFinalizedData, expected: ExpectedIdentity, sources: Map<string, string>): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  const at = (path: string) => {
    const sourceField = sources.get(path);
    return sourceField ? { path, sourceField } : { path };
  };
  if (data.documentId !== expected.documentId) issues.push({ ...at('documentId'), message: `the payload says ${JSON.stringify(data.documentId)} but the row's doc_id is ${JSON.stringify(expected.documentId)}` });
  if (data.version !== expected.version) issues.push({ ...at('version'), message: `the payload says version ${data.version} but the row's doc_version is ${expected.version}` });
  return issues;
}

export function canonicalDocument(args: { source: string; origins: OaSource; mapping: Mapping; body: PayloadInput; limits: Limits; receivedAt: Date; expected?: ExpectedIdentity }): DocumentResult {
  const { mapping } = args;
  let payload: unknown;
  try {
    payload = decodePayload(args.body, mapping.format);
  } catch (error) {
    if (error instanceof PayloadError) return { ok: false, kind: 'unreadable', message: error.message, issues: [{ path: '(body)', message: error.message }] };
    throw error;
  }
  return judgeMapped({ ...args, mapped: applyMapping(mapping, payload) });
}

/**
 * A mapped document judged and made into the event: the part after decoding and mapping, shared with
 * package drops, whose files the gateway stages (and whose URLs it fills in) between the two.
 */
export function judgeMapped(args: { source: string; origins: OaSource; mapped: MappedDocument; limits: Limits; receivedAt: Date; expected?: ExpectedIdentity }): DocumentResult {
  const { source, mapped, limits } = args;
  // Without the document element there is nothing to judge field by field.
  const unplaced = mapped.issues.filter((i) => i.path === '(document)');
  if (unplaced.length > 0) return { ok: false, kind: 'invalid', message: unplaced[0]!.message, issues: unplaced };
  const checked = documentFinalizedDataSchema.safeParse(mapped.data);
  const contractIssues: DocumentIssue[] = checked.success
    ? []
    : checked.error.issues.map((issue) => {
        const path = issue.path.map(String).join('.') || '(document)';
        const sourceField = sourceFieldOf(mapped.sources, path);
        return { path, ...(sourceField ? { sourceField } : {}), message: issue.message };
      });
  // A field the mapping could not convert is absent from the candidate: the contract would name it again as missing.
  const converted = new Set(mapped.issues.map((i) => i.path));
  const issues = [...mapped.issues, ...contractIssues.filter((i) => !converted.has(i.path))];
  if (!checked.success || issues.length > 0) return { ok: false, kind: 'invalid', message: `the document does not meet the contract: ${summarize(issues)}`, issues };

  const data = checked.data;
  const mismatched = args.expected ? identityIssues(data, args.expected, mapped.sources) : [];
  if (mismatched.length > 0) return { ok: false, kind: 'invalid', message: `the payload is not the row's document: ${summarize(mismatched)}`, issues: mismatched };
  const limited = limitIssues(data, source, args.origins, limits, mapped.sources);
  if (limited.length > 0) return { ok: false, kind: 'invalid', message: `the document is over the archive's limits: ${summarize(limited)}`, issues: limited };

  const ingestId = ingestIdOf({ source, documentId: data.documentId, version: data.version });
  const contentSha256 = createHash('sha256').update(canonicalJson(data)).digest('hex');
  // The same document always makes the same event id, so a retried publish is recognisably the same event.
  const eventId = `gw_${createHash('sha256').update(`${ingestId}\n${contentSha256}`).digest('hex').slice(0, 32)}`;
  const event = documentFinalizedEvent({ id: eventId, source, time: args.receivedAt.toISOString(), data });
  const record: KafkaRecord = { key: data.documentId, value: JSON.stringify(event), headers: { 'content-type': CLOUDEVENTS_STRUCTURED_CONTENT_TYPE } };
  const recordBytes = Buffer.byteLength(record.key) + Buffer.byteLength(record.value) + Object.entries(record.headers).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (recordBytes > limits.maxRecordBytes) {
    const message = `the event would be ${formatBytes(recordBytes)}, over the ${formatBytes(limits.maxRecordBytes)} one event may take; shorten the metadata (workflow opinions, extra)`;
    return { ok: false, kind: 'too-large', message, issues: [{ path: '(document)', message }] };
  }
  // The record exactly as intake will read it: the contract's parser is the last word.
  const reread = parseDocumentFinalized({ value: Buffer.from(record.value), headers: record.headers });
  if (!reread.ok) return { ok: false, kind: 'invalid', message: reread.reason, issues: reread.issues.map((i) => ({ path: i.path, message: i.message })) };
  return { ok: true, document: { ingestId, event: reread.event, record, contentSha256, files: declaredFiles(data) } };
}
