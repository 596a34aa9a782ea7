import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiToken, createHold, planCallbackDeliveries, recordAip, recordClassification, recordReplication, type AipFile } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { uniqueName } from '@oa-archive/testing';
import type { ConsoleDeps } from '../src/index.ts';
import { startTestConsole } from './harness.ts';

/**
 * Issue 14's measure of done: no English left on a zh-CN page but product names and codes. Every
 * page the console serves is fetched in zh-CN with data in every state, its text read as a person
 * reads it (no tags, scripts, styles or attribute values), and each English word must be a product
 * name, a standard's or a format's name, or a code. Against the real PostgreSQL and Redis.
 */

/** Product, standard and format names, and the language switch's own name: English on any page. */
const ALLOWED = new Set(
  [
    'PDF/A', 'PDF', 'BagIt', 'SHA-256', 'SM3', 'SM2', 'OIDC', 'CSV', 'S3', 'AIP', 'EEP', 'Kafka', 'Redis', 'PostgreSQL', 'PREMIS', 'PRONOM',
    'veraPDF', 'ClamAV', 'clamd', 'LibreOffice', 'bull-board', 'BullMQ', 'OFD', 'JSON', 'XML', 'API', 'OA', 'URL', 'HTTP', 'HTTPS', 'English',
    'Object', 'Lock', 'MinIO', 'Ceph', 'Siegfried', 'ExifTool', 'Prometheus', 'Chromium', 'UTC',
  ].map((word) => word.toLowerCase()),
);

/** The text a reader sees: no markup, no scripts or styles, no attribute values, entities decoded. */
function visibleText(page: string): string {
  return page
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    // Code stays code: s3:// keys, JSON of a rule's conditions, ids, and the codes pages set in
    // small print beside a name (<span class="muted code">fetch</span>).
    .replace(/<code\b[\s\S]*?<\/code>/gi, ' ')
    .replace(/<span class="[^"]*\bcode\b[^"]*">[^<]*<\/span>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, ' ')
    .replace(/\s+/g, ' ');
}

/**
 * English words in the text that are neither allowed names nor codes. A code is a token with a digit,
 * an underscore or a dot in it (ing_1, SIM-7-00012, D30, v1.2), in capitals (FILED, WS, GD-2-4), a
 * configured identifier in lower case joined by hyphens (oa-sim-json), or an s3:// or http:// address.
 */
function englishWords(text: string): string[] {
  const tokens = text.split(/[\s，。、；：（）「」“”‘’《》【】·—…,;:()[\]{}<>|!?'"=+*]+/).filter(Boolean);
  const found: string[] = [];
  for (const raw of tokens) {
    const token = raw.replace(/[.…]+$/, '');
    if (/^(s3|https?):\/\//i.test(token)) continue;
    // Configured identifiers: OA source names (oa-sim-json), the Kafka consumer group (archive-intake).
    if (/^[a-z0-9]+(-[a-z0-9]+)+$/.test(token)) continue;
    if (ALLOWED.has(token.toLowerCase())) continue;
    for (const word of token.match(/[A-Za-z][A-Za-z/-]*[A-Za-z]|[A-Za-z]/g) ?? []) {
      if (word.length < 3) continue;
      if (ALLOWED.has(word.toLowerCase())) continue;
      if (/[\d_.]/.test(token) && !/^[A-Za-z]+$/.test(token)) continue;
      if (word === word.toUpperCase()) continue;
      found.push(word);
    }
  }
  return found;
}

let db: Awaited<ReturnType<typeof createTestCatalog>>;
let app: FastifyInstance;
let deps: ConsoleDeps;
let redis: Redis;
let admin = '';
const ids: Record<string, string> = {};

/** A document taken to `status` as the pipeline would, its department and title set. */
async function seeded(documentId: string, status: 'FILED' | 'EXCLUDED' | 'QUARANTINED' | 'REVIEW' | 'FAILED' | 'IN_PROGRESS', departmentCode = 'BGS') {
  const event = exampleEventFor(documentId);
  event.data.departmentCode = departmentCode;
  const ingestId = `ing_${documentId}`;
  if (status === 'FAILED') {
    await db.catalog.recordIngest(ingestId, event);
    await db.catalog.markFailed(ingestId, { stage: 'fetch', reason: 'FetchHttpError: the OA answered 503 Service Unavailable for http://127.0.0.1:8088/files/1', retryable: true, attempts: 5 });
  } else {
    await seedIngestAt(db.catalog, ingestId, event, { status });
  }
  ids[documentId] = ingestId;
  return ingestId;
}

/** A filed item of 2015 kept 10 years: due for appraisal, with an AIP in custody whose replication failed. */
async function filedItem(documentId: string) {
  const ingestId = await seeded(documentId, 'FILED');
  const decision = await recordClassification(
    db.catalog.pool,
    ingestId,
    { outcome: 'FILE', category: 'WS', retention: 'D10', organisationCode: 'BGS', year: 2015, ruleIds: ['D10-OWN-ROUTINE'], scheduleVersion: 't', explanation: '归档，保管期限D10：本机关一般性事务文件' },
    { itemClass: { fonds: 'A182', category: 'WS', year: 2015, retention: 'D10', org: 'BGS' }, format: (n) => `A182-WS·2015-D10-BGS-${String(n).padStart(4, '0')}` },
  );
  const prefix = `A182/2015/WS/D10/${decision.referenceCode}`;
  const files: AipFile[] = [{ path: 'bagit.txt', kind: 'tag', content: 'BagIt-Version: 1.0\n', size: 19, sha256: 'a'.repeat(64), sm3: 'b'.repeat(64) }];
  await recordAip(db.catalog.pool, ingestId, prefix, files);
  await recordReplication(db.catalog.pool, { ingestId, actor: 'worker:custody', replicaBucket: 'archive-replica', at: new Date(), state: 'failed', reason: '副本存储不可达', retryAt: new Date(Date.now() + 3_600_000) });
  return decision.referenceCode!;
}

beforeAll(async () => {
  db = await createTestCatalog();
  ({ app, deps, redis } = await startTestConsole(db, { QUEUE_PREFIX: uniqueName('console-zh') }));
  admin = (await createApiToken(db.catalog.pool, '档案员', 'admin')).token;
  const code = await filedItem('ZH-FILED-1');
  await seeded('ZH-EXCLUDED-1', 'EXCLUDED', 'CWK');
  await seeded('ZH-QUARANTINED-1', 'QUARANTINED', 'XXZX');
  await seeded('ZH-REVIEW-1', 'REVIEW', 'RSK');
  await seeded('ZH-FAILED-1', 'FAILED', 'ZHK');
  await seeded('ZH-PROGRESS-1', 'IN_PROGRESS');
  await createHold(db.catalog.pool, { name: '审计-2026', reason: '审计署专项审计', selectors: [{ kind: 'reference-code', value: code }], actor: 'console:档案员' });
  await planCallbackDeliveries(db.catalog.pool, { [exampleEventFor('x').source]: 'http://127.0.0.1:9/receipts' });
});

afterAll(async () => {
  await app?.close();
  await deps?.queues.close();
  await redis?.quit();
  await db?.drop();
});

/** Every page the console serves to a person (route registrations in src/*.ts), bull-board aside. */
const PAGES = () => [
  '/',
  '/ingests',
  `/ingests/${ids['ZH-FILED-1']}`,
  `/ingests/${ids['ZH-FAILED-1']}`,
  `/ingests/${ids['ZH-REVIEW-1']}`,
  `/ingests/${ids['ZH-QUARANTINED-1']}`,
  '/review',
  '/review/proposals',
  '/timeliness',
  '/completeness',
  '/custody/fixity',
  '/custody/replication',
  '/disposition',
  '/disposition?state=all',
  '/holds',
  '/callbacks',
  '/reconciler',
];

describe('zh-CN pages', () => {
  it('tells code from prose', () => {
    expect(englishWords(visibleText('<p title="Not shown">已归档 FILED · ing_ZH-1 · A182-WS·2015-D10-BGS-0001 · PDF/A · <code>{"when": 1}</code> 获取 <span class="muted code">fetch</span></p>'))).toEqual([]);
    expect(englishWords(visibleText('<p>Nothing to recover lately.</p><td>document</td>'))).toEqual(['Nothing', 'recover', 'lately', 'document']);
  });

  it('has no English on any page but product names and codes', async () => {
    const found: Record<string, string[]> = {};
    for (const url of PAGES()) {
      const response = await app.inject({ url, headers: { authorization: `Bearer ${admin}`, 'accept-language': 'zh-CN' } });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain('<html lang="zh-CN">');
      const words = englishWords(visibleText(response.body));
      if (words.length > 0) found[url] = [...new Set(words)];
    }
    expect(found).toEqual({});
  });

  it('explains a stage failure in Chinese and keeps the tool\'s own words beside it as code', async () => {
    const response = await app.inject({ url: `/ingests/${ids['ZH-FAILED-1']}`, headers: { authorization: `Bearer ${admin}`, 'accept-language': 'zh-CN' } });
    expect(response.body).toContain('<span class="failure">OA系统未能提供文件（HTTP错误）</span>');
    expect(response.body).toContain('<code lang="en">FetchHttpError: the OA answered 503 Service Unavailable for http://127.0.0.1:8088/files/1</code>');
  });

  it('says in Chinese that the intake topic is not there yet, as on a new installation before any OA has sent an event', async () => {
    const fresh = await startTestConsole(db, { QUEUE_PREFIX: uniqueName('console-zh'), KAFKA_TOPIC_FINALIZED: uniqueName('oa.never.sent') });
    try {
      const response = await fresh.app.inject({ url: '/', headers: { authorization: `Bearer ${admin}`, 'accept-language': 'zh-CN' } });
      expect(response.statusCode).toBe(200);
      expect(englishWords(visibleText(response.body))).toEqual([]);
      expect(response.body).toContain('尚未创建');
    } finally {
      await fresh.app.close();
      await fresh.deps.queues.close();
      await fresh.redis.quit();
    }
  });

  it('shows the login page in Chinese too', async () => {
    const response = await app.inject({ url: '/login', headers: { 'accept-language': 'zh-CN' } });
    expect(englishWords(visibleText(response.body))).toEqual([]);
  });
});
