/**
 * The JSON Schemas of the HTTP API: Fastify validates parameters and headers with them, serializes
 * answers with them, and @fastify/swagger turns them into /openapi.json.
 */

export const SOURCE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';

const issue = {
  type: 'object',
  required: ['path', 'message'],
  properties: {
    path: { type: 'string', description: 'The canonical field (contract of oa.document.finalized), e.g. components.1.url' },
    sourceField: { type: 'string', description: "The OA's own field it came from, e.g. 文件列表.文件[2].地址" },
    message: { type: 'string' },
  },
} as const;

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'Why a request was refused; `issues` names every invalid field.',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'A stable code: unauthorized, forbidden, unknown-source, unsupported-media-type, unreadable-body, invalid-document, too-large, version-conflict, unavailable, not-found' },
    message: { type: 'string' },
    issues: { type: 'array', items: issue },
    changed: { type: 'array', items: { type: 'string' }, description: 'For version-conflict: what differs from the accepted document' },
  },
} as const;

export const acceptedSchema = {
  $id: 'Accepted',
  type: 'object',
  required: ['status', 'ingestId', 'eventId', 'source', 'documentId', 'version', 'acceptedAt', 'statusUrl'],
  properties: {
    status: { type: 'string', enum: ['accepted', 'duplicate'], description: 'duplicate: this very document was accepted before; nothing was published again' },
    ingestId: { type: 'string', description: 'The ingest key, derived from (source, documentId, version)' },
    eventId: { type: 'string', description: 'The id of the CloudEvent published to Kafka' },
    source: { type: 'string' },
    documentId: { type: 'string' },
    version: { type: 'integer' },
    acceptedAt: { type: 'string', format: 'date-time' },
    statusUrl: { type: 'string', description: 'Where to ask what became of it' },
  },
} as const;

const fourPropertiesItem = {
  type: 'object',
  properties: { code: { type: 'string' }, property: { type: 'string' }, name: { type: 'string' }, result: { type: 'string' }, detail: { type: 'string' } },
} as const;

export const statusSchema = {
  $id: 'DocumentStatus',
  type: 'object',
  required: ['source', 'documentId', 'version', 'ingestId', 'status', 'final', 'reasons'],
  properties: {
    source: { type: 'string' },
    documentId: { type: 'string' },
    version: { type: 'integer' },
    ingestId: { type: 'string' },
    status: { type: 'string', enum: ['ACCEPTED', 'RECEIVED', 'IN_PROGRESS', 'FILED', 'EXCLUDED', 'QUARANTINED', 'REVIEW', 'FAILED'] },
    final: { type: 'boolean' },
    accepted: { type: ['object', 'null'], properties: { at: { type: 'string' }, channel: { type: 'string' }, eventId: { type: 'string' } } },
    referenceCode: { type: ['string', 'null'], description: '档号 of a filed document' },
    reasons: { type: 'array', items: { type: 'string' } },
    classification: {
      type: ['object', 'null'],
      properties: {
        outcome: { type: 'string' },
        category: { type: ['string', 'null'] },
        retention: { type: ['string', 'null'] },
        ruleIds: { type: 'array', items: { type: 'string' } },
        scheduleVersion: { type: 'string' },
        explanation: { type: 'string' },
      },
    },
    fourProperties: { type: ['object', 'null'], description: '四性检测 (DA/T 70)', properties: { passed: { type: 'boolean' }, items: { type: 'array', items: fourPropertiesItem } } },
    failure: { type: ['object', 'null'], properties: { stage: { type: ['string', 'null'] }, reason: { type: ['string', 'null'] }, retryable: { type: ['boolean', 'null'] } } },
    access: {
      type: ['object', 'null'],
      description: '限制利用: filed with DA/T 46 权限管理 · 控制标识 控制 (e.g. 内部); only minimumRole and above may use the content',
      properties: { restricted: { type: 'boolean' }, controlMark: { type: 'string' }, securityLevel: { type: 'string' }, minimumRole: { type: 'string' }, basis: { type: 'string' } },
    },
    waiting: {
      type: ['object', 'null'],
      description: 'what the document waits for (virus-scanner: clamd is down; it is never filed unscanned)',
      properties: { for: { type: 'string' }, since: { type: 'string' }, reason: { type: 'string' } },
    },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;

export const signedHeaders = {
  type: 'object',
  properties: {
    'x-oa-app-id': { type: 'string', description: 'HMAC: the app id the source was given' },
    'x-oa-timestamp': { type: 'string', description: 'HMAC: Unix time in seconds; ±5 min of the gateway clock' },
    'x-oa-nonce': { type: 'string', description: 'HMAC: 16–64 of A-Z a-z 0-9 _ -, never reused' },
    'x-oa-signature': { type: 'string', description: 'HMAC: hex HMAC-SHA256 of METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex SHA-256(body)' },
  },
} as const;

export const problemRef = { $ref: 'Problem#' } as const;
