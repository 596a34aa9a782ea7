import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessRestrictionRecordOf, appendAuditEvent, inTransaction, type AccessRestrictionRecord, type ComponentRecord, type IngestRecord, type Role } from '@oa-archive/catalog';
import { mayUseContent } from '@oa-archive/classify';
import { RangeNotSatisfiableError, parseByteRange } from '@oa-archive/storage';
import { render } from '@oa-archive/messages';
import type { ConsoleDeps, ContentStore } from './deps.ts';
import { localeOf } from './locale.ts';

/**
 * 限制利用: a document filed with its use restricted (e.g. 内部) shows its metadata to every role,
 * but its content, and where the content lies, only to the role its schedule names and above.
 */

/** Where a detail view points at content: the AIP's location, each component's stored objects and source URL. */
interface ContentPointers {
  aip: unknown;
  components: { stagingKey?: unknown; archiveBucket?: unknown; archiveKey?: unknown; preservation?: unknown }[];
  event?: { data?: { components?: { url?: unknown }[] } };
  receipts?: unknown;
}

export interface AccessView {
  restricted: boolean;
  controlMark?: string;
  securityLevel?: string;
  minimumRole?: Role;
  basis?: string;
  /** Whether the asking principal may open, preview or download the content. */
  contentAvailable: boolean;
}

export function accessViewOf(restriction: AccessRestrictionRecord | null, role: Role): AccessView {
  if (!restriction) return { restricted: false, contentAvailable: true };
  return {
    restricted: true,
    controlMark: restriction.controlMark,
    securityLevel: restriction.securityLevel,
    minimumRole: restriction.minimumRole,
    basis: restriction.basis,
    contentAvailable: mayUseContent(role, restriction),
  };
}

/** The detail as a role below the restriction's sees it: metadata kept, every pointer to the content removed. */
export function withheldContent<T extends ContentPointers>(detail: T): T {
  return {
    ...detail,
    aip: null,
    components: detail.components.map((c) => ({ ...c, stagingKey: null, archiveBucket: null, archiveKey: null, preservation: c.preservation ? { ...(c.preservation as object), stagingKey: null, archiveKey: null } : c.preservation })),
    ...(detail.event ? { event: { ...detail.event, data: { ...detail.event.data, components: detail.event.data?.components?.map((c) => ({ ...c, url: null })) } } } : {}),
    receipts: [],
  };
}

/**
 * The ingest and the component a content request (download or preview) names, once the asking role may
 * use its content; otherwise the refusal (404, or 403 naming the restriction) is sent and undefined returned.
 */
export async function admittedComponent(
  deps: ConsoleDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  ordinal: string,
): Promise<{ ingest: IngestRecord; component: ComponentRecord; restricted: boolean } | undefined> {
  const ingest = await deps.catalog.getIngest(id);
  if (!ingest) {
    await reply.code(404).send({ error: `no ingest ${id}` });
    return undefined;
  }
  const restriction = await accessRestrictionRecordOf(deps.catalog.pool, id);
  const access = accessViewOf(restriction, request.principal!.role);
  if (!access.contentAvailable) {
    request.log.warn({ ingestId: id, principal: request.principal!.name, role: request.principal!.role, needed: access.minimumRole, url: request.url }, 'restricted content refused (403)');
    await auditContentUse(deps, request, id, { use: 'refused', ordinal: Number(ordinal), role: request.principal!.role, needed: access.minimumRole ?? null });
    await reply.code(403).send({ error: `限制利用：${access.basis}`, access });
    return undefined;
  }
  const component = (await deps.catalog.listComponents(id)).find((c) => String(c.ordinal) === ordinal);
  if (!component) {
    await reply.code(404).send({ error: `ingest ${id} has no component ${ordinal}` });
    return undefined;
  }
  return { ingest, component, restricted: restriction !== null };
}

/** One use of a component's bytes; `range` when the reader asked for part of them (a player seeking, a download resumed). */
export interface ContentUse {
  use: 'download' | 'preview';
  ordinal: number;
  copy: 'original' | 'preservation';
  restricted: boolean;
  range?: string;
}

/**
 * Opens what a content request asks for, the whole object or the one byte range its `Range` header names,
 * records the use, and sets the status and length headers (206 and Content-Range for a range). Answers
 * 503 when this console has no object store and 416 for a range past the object's end, and then returns
 * undefined; otherwise the caller adds its own headers and sends the body. Every read is a use on the
 * trail, a player's seek included: it read those bytes.
 */
export async function openContent(
  deps: ConsoleDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  ingestId: string,
  object: { bucket: string; key: string },
  use: Omit<ContentUse, 'range'>,
): Promise<Readable | undefined> {
  if (!deps.contentStore) {
    await reply.code(503).send({ error: render('content.noStore', {}, localeOf(request)), code: 'content.noStore' });
    return undefined;
  }
  const range = parseByteRange(request.headers.range);
  let opened: Awaited<ReturnType<ContentStore['open']>>;
  try {
    opened = await deps.contentStore.open(object.bucket, object.key, range);
  } catch (error) {
    if (!(error instanceof RangeNotSatisfiableError)) throw error;
    await reply.code(416).header('content-range', `bytes */${error.size}`).send({ error: error.message });
    return undefined;
  }
  const partial = opened.contentRange !== undefined;
  // A HEAD request (a download manager sizing the file) reads no content: answered with the headers alone, and no use recorded.
  const bodyless = request.method === 'HEAD';
  if (bodyless) opened.body.destroy();
  else await auditContentUse(deps, request, ingestId, { ...use, ...(partial ? { range: opened.contentRange } : {}) }, opened.body);
  reply.code(partial ? 206 : 200).header('accept-ranges', 'bytes').header('content-length', opened.contentLength);
  if (partial) reply.header('content-range', opened.contentRange);
  return bodyless ? Readable.from([]) : opened.body;
}

/**
 * 利用登记: every use of archived content through the console — a download, a preview, a refusal under
 * an access restriction — is an audit event with who, what and how, so the trail answers "who read
 * this document" as a records office must be able to.
 */
export async function auditContentUse(
  deps: ConsoleDeps,
  request: FastifyRequest,
  ingestId: string,
  detail: ContentUse | { use: 'refused'; ordinal: number; role: Role; needed: Role | null },
  /** The content already opened for this use: closed when the use cannot be recorded, since it is then not served. */
  body?: Readable,
): Promise<void> {
  const type = detail.use === 'refused' ? 'content.refused' : 'content.used';
  try {
    await inTransaction(deps.catalog.pool, (tx) => appendAuditEvent(tx, { ingestId, type, actor: `person:${request.principal!.name}`, payload: { ...detail } }));
  } catch (error) {
    body?.destroy();
    throw error;
  }
}

/**
 * `GET /api/ingests/:id/components/:ordinal/content`: the archived component's bytes, for a role the
 * document's access restriction admits; 403 naming the restriction for anyone below it.
 */
export function registerContentRoute(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get<{ Params: { id: string; ordinal: string } }>('/api/ingests/:id/components/:ordinal/content', { config: { role: 'viewer' } }, async (request, reply) => {
    const { id, ordinal } = request.params;
    const admitted = await admittedComponent(deps, request, reply, id, ordinal);
    if (!admitted) return reply;
    const { ingest, component, restricted } = admitted;
    if (!component.archiveBucket || !component.archiveKey) return reply.code(404).send({ error: `component ${ordinal} of ${id} is not in the archive (status ${ingest.status})` });
    const body = await openContent(deps, request, reply, id, { bucket: component.archiveBucket, key: component.archiveKey }, { use: 'download', ordinal: component.ordinal, copy: 'original', restricted });
    if (!body) return reply;
    return reply
      .header('content-type', component.declaredMediaType ?? 'application/octet-stream')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(component.fileName)}`)
      .send(body);
  });
}
