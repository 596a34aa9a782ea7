import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import {
  appendAuditEvent,
  auditHeadOf,
  carriesSegment,
  GENESIS_HASH,
  inTransaction,
  recordAccessRestriction,
  recordAnchor,
  verifyChainSegment,
  type Catalog,
  type ChainedAuditEvent,
  type ClassificationRecord,
  type AipFile,
  type CharacterizationRecord,
} from '@oa-archive/catalog';
import { parseManifest } from '@oa-archive/aip';
import { isIncoming, orderComponents } from '@oa-archive/classify';
import type { DocumentFinalizedEvent } from '@oa-archive/contracts';
import { listKeys, type ObjectStore } from '@oa-archive/storage';
import { archiveComponentKeyOf, safeSegment, stagingKeyOf } from '../archiveLayout.ts';
import { readAuditAnchors } from '../auditAnchoring.ts';
import { custodyOfTrail } from './custodyTrail.ts';
import { accessRestrictionOfBag, CATALOG_RECORD_PATH, parseCatalogRecord, type CatalogRecord } from '../catalogRecord.ts';
import {
  insertAuditEvents,
  insertCharacterizations,
  insertClassification,
  insertCustody,
  insertComponents,
  insertIngest,
  insertMetadataRecord,
  insertPreservation,
  raiseCounter,
  type RestoredComponent,
} from './restoreRows.ts';

export interface RebuildSource {
  catalog: Catalog;
  store: ObjectStore;
  archiveBucket: string;
  quarantineBucket: string;
  /** 全宗号 of the item-number counters (the schedule's agency.fonds), for classes known only from the audit trail. */
  fonds: string;
  actor: string;
  progress?: (step: RebuildProgress) => void;
}

export class CatalogNotEmptyError extends Error {
  override readonly name = 'CatalogNotEmptyError';
}

/** What a rebuild restored, and what it could not: printed, kept in catalog_rebuilds and in the audit event. */
export interface RebuildSummary {
  bucket: string;
  anchors: number;
  /** Events of the chain replayed from the anchors: the trail up to the last anchor. */
  auditEvents: number;
  /** Where the replayed trail ends; events after it were never anchored and are lost. */
  trailEndsAt: number;
  /** Why the trail stops short of the last anchor, when it does. */
  trailProblem?: string;
  filed: number;
  quarantined: number;
  counters: number;
  /** Ingests the trail knows of that left nothing in the store to restore them from (excluded, review, failed, …). */
  notRestored: { ingestId: string; source: string; documentId: string; version: number; lastStatus: string }[];
  /** Restored from their bag, but filed after the last anchor: their trail is the bag's excerpt only. */
  filedAfterTrail: string[];
  /** Bags made before bags carried metadata/catalog.json: left out (their 档号 still count in the counters). */
  bagsWithoutRecord: string[];
  /** Holds placed (lifted ones too) and disposition decisions on restored items, from the trail; absent in summaries of older rebuilds. */
  holds?: number;
  dispositionDecisions?: number;
  /** Schedule versions admins made from learned rules, restored from their acceptance events. */
  scheduleVersions?: number;
  /** Versions accepted before the event carried the version's text: the catalog falls back to the latest one it has. */
  scheduleVersionsWithoutText?: string[];
  /** Items the trail says were destroyed (销毁): their objects are gone by decision, so nothing is there to restore. */
  destroyed?: { ingestId: string; referenceCode: string; at: string }[];
}

/** A step of a rebuild as it goes, for the caller to show (the CLI in the reader's language). */
export type RebuildProgress =
  | { step: 'trail'; replayedTo: number; anchor: number }
  | { step: 'bags' | 'quarantine'; done: number; total: number; restored: number }
  | { step: 'counters'; classes: number }
  | { step: 'custody'; holds: number; decisions: number; scheduleVersions: number };

type Progress = (step: RebuildProgress) => void;

/**
 * Rebuilds an empty catalog from the archive bucket (and the quarantine bucket): the audit trail from
 * the anchors' segments, every filed document from its bag, every quarantined one from its record, the
 * item-number counters from both. Each document is one transaction and restored only once, so a
 * rebuild that stopped is resumed by running it again. Refuses a catalog that holds anything but an
 * unfinished rebuild.
 */
export async function rebuildCatalog(source: RebuildSource): Promise<RebuildSummary> {
  const progress: Progress = source.progress ?? (() => undefined);
  const pool = source.catalog.pool;
  const rebuildId = await beginRebuild(source);
  const summary: RebuildSummary = { bucket: source.archiveBucket, anchors: 0, auditEvents: 0, trailEndsAt: 0, filed: 0, quarantined: 0, counters: 0, notRestored: [], filedAfterTrail: [], bagsWithoutRecord: [], holds: 0, dispositionDecisions: 0, scheduleVersions: 0, scheduleVersionsWithoutText: [], destroyed: [] };

  const trail = await replayTrail(source, summary, progress);
  const trailFacts = factsOf(trail);
  const custody = custodyOfTrail(trail);

  const bagRoots: string[] = [];
  for await (const key of listKeys(source.store.s3, source.archiveBucket, '')) {
    if (key.endsWith('/bagit.txt') && !key.startsWith('audit-anchors/')) bagRoots.push(key.slice(0, -'/bagit.txt'.length));
  }
  const bags = await Promise.all(bagRoots.map(async (prefix) => ({ prefix, classification: JSON.parse((await readText(source, prefix, 'metadata/classification.json')).toString('utf8')) as ClassificationRecord })));
  // A new version's decision refers to the item's earlier version: earlier versions first.
  bags.sort((a, b) => Number(a.classification.versionOf !== null) - Number(b.classification.versionOf !== null) || a.prefix.localeCompare(b.prefix));
  for (const [index, bag] of bags.entries()) {
    const restored = await restoreFiled(source, bag.prefix, trailFacts);
    if (restored === WITHOUT_RECORD) summary.bagsWithoutRecord.push(bag.prefix);
    else if (restored) {
      summary.filed++;
      if (!trailFacts.completedAt.has(restored)) summary.filedAfterTrail.push(restored);
    }
    if ((index + 1) % 10 === 0 || index + 1 === bags.length) progress({ step: 'bags', done: index + 1, total: bags.length, restored: summary.filed });
  }

  const records: string[] = [];
  for await (const key of listKeys(source.store.s3, source.quarantineBucket, '')) if (key.endsWith('/quarantine-record.json')) records.push(key);
  for (const [index, key] of records.entries()) {
    if (await restoreQuarantined(source, key, trailFacts)) summary.quarantined++;
    if ((index + 1) % 10 === 0 || index + 1 === records.length) progress({ step: 'quarantine', done: index + 1, total: records.length, restored: summary.quarantined });
  }

  summary.counters = await restoreCounters(source, trailFacts, bags.map((b) => b.classification));
  progress({ step: 'counters', classes: summary.counters });

  const { rows } = await pool.query<{ ingest_id: string }>('SELECT ingest_id FROM ingests');
  const present = new Set(rows.map((r) => r.ingest_id));
  summary.destroyed = [...custody.destroyed.values()].filter((d) => !present.has(d.ingestId));
  summary.notRestored = [...trailFacts.received].filter(([id]) => !present.has(id) && !custody.destroyed.has(id)).map(([ingestId, { at: _at, ...r }]) => ({ ingestId, ...r, lastStatus: trailFacts.lastStatus.get(ingestId) ?? 'RECEIVED' }));

  // With the rebuild's last event, in one transaction; a resumed rebuild finds them there and writes none twice.
  await inTransaction(pool, async (tx) => {
    const restoredCustody = await insertCustody(tx, custody, present);
    summary.holds = restoredCustody.holds;
    summary.dispositionDecisions = restoredCustody.decisions;
    summary.scheduleVersions = restoredCustody.scheduleVersions;
    summary.scheduleVersionsWithoutText = restoredCustody.scheduleVersionsWithoutText;
    progress({ step: 'custody', holds: summary.holds, decisions: summary.dispositionDecisions, scheduleVersions: summary.scheduleVersions });
    await appendAuditEvent(tx, {
      ingestId: null,
      type: 'catalog.rebuilt',
      actor: source.actor,
      payload: { ...summary, notRestored: summary.notRestored.length, filedAfterTrail: summary.filedAfterTrail.length, destroyed: summary.destroyed!.length },
    });
    await tx.query('UPDATE catalog_rebuilds SET finished_at = now(), summary = $2 WHERE id = $1', [rebuildId, summary]);
  });
  return summary;
}

/** Starts a rebuild, or finds the unfinished one to resume; anything else in the catalog is refused. */
async function beginRebuild(source: RebuildSource): Promise<number> {
  return inTransaction(source.catalog.pool, async (tx) => {
    await tx.query('LOCK TABLE catalog_rebuilds IN EXCLUSIVE MODE');
    const { rows } = await tx.query<{ id: string; finished_at: Date | null }>('SELECT id, finished_at FROM catalog_rebuilds ORDER BY id DESC LIMIT 1');
    if (rows[0] && !rows[0].finished_at) return Number(rows[0].id);
    const used = await tx.query<{ n: string }>('SELECT (SELECT count(*) FROM ingests) + (SELECT count(*) FROM audit_events) AS n');
    if (Number(used.rows[0]!.n) > 0) {
      throw new CatalogNotEmptyError('the catalog is not empty: a rebuild restores into an empty catalog only (create a new database, or drop this one and create it again)');
    }
    const inserted = await tx.query<{ id: string }>('INSERT INTO catalog_rebuilds (bucket) VALUES ($1) RETURNING id', [source.archiveBucket]);
    return Number(inserted.rows[0]!.id);
  });
}

/** Replays the chain from the anchors' segments, after whatever an earlier run of the rebuild replayed. */
async function replayTrail(source: RebuildSource, summary: RebuildSummary, progress: Progress): Promise<ChainedAuditEvent[]> {
  const pool = source.catalog.pool;
  const anchors = await readAuditAnchors(source.store, source.archiveBucket);
  summary.anchors = anchors.length;
  const head = await auditHeadOf(pool);
  let last = head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
  for (const anchor of anchors) {
    await recordAnchor(pool, anchor);
    // An anchor that carries no events (written before anchors did) is passed over: a later one's segment may cover it.
    if (anchor.seq <= last.seq || summary.trailProblem || !carriesSegment(anchor)) continue;
    if (anchor.from > last.seq) {
      summary.trailProblem = `events ${last.seq + 1}..${anchor.from} are in no anchor's segment (anchors written before anchors carried the chain), so the trail is restored up to event ${last.seq} only`;
      continue;
    }
    const events = anchor.events.filter((e) => e.seq > last.seq);
    const checked = verifyChainSegment(events, last);
    if (!checked.ok) {
      summary.trailProblem = `anchor ${anchor.seq}: its events do not continue the chain at event ${checked.break.seq} (${checked.break.reason}); the trail is restored up to event ${last.seq} only`;
      continue;
    }
    await inTransaction(pool, (tx) => insertAuditEvents(tx, events));
    last = checked.last;
    progress({ step: 'trail', replayedTo: last.seq, anchor: anchor.seq });
  }
  const lastAnchor = anchors.at(-1);
  if (!summary.trailProblem && lastAnchor && lastAnchor.seq > last.seq) {
    summary.trailProblem = `anchor ${lastAnchor.seq} carries no events (written before anchors carried the chain): events ${last.seq + 1}..${lastAnchor.seq} are not in the store, so the trail is restored up to event ${last.seq} only`;
  }
  summary.trailEndsAt = last.seq;
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
  summary.auditEvents = Number(rows[0]!.n);
  // The whole replayed trail, read back for the facts the documents need (small next to the bags).
  const all = await pool.query<{ seq: string; at: Date; ingest_id: string | null; type: string; actor: string; payload: Record<string, unknown>; prev_hash: string; hash: string }>(
    'SELECT seq, at, ingest_id, type, actor, payload, prev_hash, hash FROM audit_events ORDER BY seq',
  );
  return all.rows.map((r) => ({ seq: Number(r.seq), at: r.at.toISOString(), ingestId: r.ingest_id, type: r.type, actor: r.actor, payload: r.payload, prevHash: r.prev_hash, hash: r.hash }));
}

interface TrailFacts {
  completedAt: Map<string, string>;
  received: Map<string, { source: string; documentId: string; version: number; at: string }>;
  lastStatus: Map<string, string>;
  /** The highest item number each class handed out, as the classification events say. */
  items: Map<string, { category: string; year: number; retention: string; org: string; lastItem: number }>;
}

function factsOf(trail: readonly ChainedAuditEvent[]): TrailFacts {
  const facts: TrailFacts = { completedAt: new Map(), received: new Map(), lastStatus: new Map(), items: new Map() };
  for (const e of trail) {
    if (!e.ingestId) continue;
    const p = e.payload;
    if (e.type === 'ingest.received') facts.received.set(e.ingestId, { source: String(p.source), documentId: String(p.documentId), version: Number(p.version), at: e.at });
    if (typeof p.to === 'string') facts.lastStatus.set(e.ingestId, p.to);
    if (e.type === 'ingest.filed' || e.type === 'ingest.quarantined') facts.completedAt.set(e.ingestId, e.at);
    if (e.type === 'ingest.classified' && typeof p.itemNumber === 'number' && !p.versionOf) {
      const cls = { category: String(p.category), year: Number(p.year), retention: String(p.retention), org: String(p.organisationCode) };
      const key = `${cls.category}|${cls.year}|${cls.retention}|${cls.org}`;
      facts.items.set(key, { ...cls, lastItem: Math.max(facts.items.get(key)?.lastItem ?? 0, p.itemNumber) });
    }
  }
  return facts;
}

async function readText(source: RebuildSource, prefix: string, path: string, bucket = source.archiveBucket): Promise<Buffer> {
  return buffer(await source.store.getStream(bucket, `${prefix}/${path}`));
}

const digestsOf = (content: Buffer) => ({ size: content.length, sha256: createHash('sha256').update(content).digest('hex'), sm3: createHash('sm3').update(content).digest('hex') });

/** The bag's tag files in the order package writes them; any other tag file after them, by name. */
const TAG_ORDER = ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt', 'manifest-sm3.txt', 'metadata/da46.xml', 'metadata/da46.json', 'metadata/premis.xml', 'metadata/four-properties.json', 'metadata/classification.json', 'metadata/oa-event.json', CATALOG_RECORD_PATH];

const WITHOUT_RECORD = Symbol('bag without catalog record');

/** One filed document from its bag; returns its ingest id, or undefined when an earlier run restored it. */
async function restoreFiled(source: RebuildSource, prefix: string, trail: TrailFacts): Promise<string | undefined | typeof WITHOUT_RECORD> {
  const pool = source.catalog.pool;
  if ((await pool.query('SELECT 1 FROM aips WHERE prefix = $1', [prefix])).rowCount) return undefined;
  const tagManifest = parseManifest((await readText(source, prefix, 'tagmanifest-sha256.txt')).toString('utf8'));
  const tagPaths = [...tagManifest.keys(), 'tagmanifest-sha256.txt', 'tagmanifest-sm3.txt'];
  const tags = new Map<string, Buffer>();
  for (const path of tagPaths) tags.set(path, await readText(source, prefix, path));
  const text = (path: string) => {
    const content = tags.get(path);
    if (!content) throw new Error(`bag s3://${source.archiveBucket}/${prefix}/ has no ${path}`);
    return content.toString('utf8');
  };
  const json = (path: string) => JSON.parse(text(path)) as Record<string, unknown>;
  if (!tags.has(CATALOG_RECORD_PATH)) return WITHOUT_RECORD;
  const record = parseCatalogRecord(text(CATALOG_RECORD_PATH), `s3://${source.archiveBucket}/${prefix}/${CATALOG_RECORD_PATH}`);
  const event = json('metadata/oa-event.json') as unknown as DocumentFinalizedEvent;
  const classification = json('metadata/classification.json') as unknown as ClassificationRecord;
  const ingestId = record.ingest.ingestId;
  const manifest = parseManifest(text('manifest-sha256.txt'));
  const access = accessRestrictionOfBag(record, json('metadata/da46.json'), {
    securityLevel: event.data.securityLevel,
    scheduleVersion: classification.scheduleVersion,
    where: `s3://${source.archiveBucket}/${prefix}/`,
  });

  // Payload files where package put them: DA/T 22 order, originals and then each converted copy.
  const files: AipFile[] = [];
  const originalKeys = new Map<number, string>();
  const copyKeys = new Map<number, string>();
  const ordered = orderComponents(record.components, { incoming: isIncoming(event.data) });
  for (const [index, component] of ordered.entries()) {
    const position = String(index + 1).padStart(3, '0');
    const original = record.characterizations.find((c) => c.ordinal === component.ordinal);
    const copy = record.preservationCopies.find((c) => c.ordinal === component.ordinal);
    if (!original || !copy) throw new Error(`bag ${prefix}: component ${component.ordinal} lacks its characterization or preservation copy in ${CATALOG_RECORD_PATH}`);
    const originalPath = `data/original/${position}-${safeSegment(component.fileName)}`;
    files.push({ path: originalPath, kind: 'payload', stagingKey: component.stagingKey ?? stagingKeyOf(ingestId, component.ordinal), size: original.size, sha256: original.sha256, sm3: original.sm3, ordinal: component.ordinal, role: 'original' });
    originalKeys.set(component.ordinal, `${prefix}/${originalPath}`);
    if (copy.action === 'convert') {
      const copyPath = `data/preservation/${position}-${safeSegment(copy.fileName)}`;
      files.push({ path: copyPath, kind: 'payload', stagingKey: copy.stagingKey, size: copy.size, sha256: copy.sha256, sm3: copy.sm3, ordinal: component.ordinal, role: 'preservation' });
      copyKeys.set(component.ordinal, `${prefix}/${copyPath}`);
    }
  }
  for (const file of files) {
    if (manifest.get(file.path) !== file.sha256) throw new Error(`bag ${prefix}: ${file.path} is not in manifest-sha256.txt with the digest its catalog record gives`);
  }
  const rank = (path: string) => (TAG_ORDER.includes(path) ? TAG_ORDER.indexOf(path) : path.startsWith('tagmanifest-') ? 1000 : 500);
  for (const path of tagPaths.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
    const content = tags.get(path)!;
    files.push({ path, kind: 'tag', content: content.toString('utf8'), ...digestsOf(content) });
  }

  const completedAt = trail.completedAt.get(ingestId) ?? null;
  await inTransaction(pool, async (tx) => {
    await insertIngest(tx, { ingestId, event, status: 'FILED', receivedAt: record.ingest.receivedAt, enqueuedAt: record.ingest.enqueuedAt, completedAt });
    const components: RestoredComponent[] = record.components.map((c) => ({ ...c, archiveBucket: source.archiveBucket, archiveKey: originalKeys.get(c.ordinal) ?? null }));
    await insertComponents(tx, ingestId, components, completedAt);
    await insertCharacterizations(tx, ingestId, record.characterizations);
    await insertMetadataRecord(tx, ingestId, record.metadata.record, record.metadata.missing);
    await insertClassification(tx, ingestId, classification);
    // A 内部 document stays restricted: a rebuild that opened its content to every viewer would leak it.
    if (access) await recordAccessRestriction(tx, ingestId, access);
    await insertPreservation(tx, ingestId, record, copyKeys, json('metadata/four-properties.json'));
    await tx.query('INSERT INTO aips (ingest_id, prefix, files) VALUES ($1, $2, $3)', [ingestId, prefix, JSON.stringify(files)]);
  });
  return ingestId;
}

/** One quarantined document from the record deposit writes beside its originals. */
async function restoreQuarantined(source: RebuildSource, key: string, trail: TrailFacts): Promise<boolean> {
  const pool = source.catalog.pool;
  const prefix = key.slice(0, -'/quarantine-record.json'.length);
  const record = JSON.parse((await buffer(await source.store.getStream(source.quarantineBucket, key))).toString('utf8')) as {
    ingestId: string;
    classification: ClassificationRecord;
    metadata: Record<string, unknown> | null;
    characterizations: CharacterizationRecord[];
    event: DocumentFinalizedEvent;
  };
  if ((await pool.query('SELECT 1 FROM ingests WHERE ingest_id = $1', [record.ingestId])).rowCount) return false;
  const data = record.event.data;
  const declared = data.components.map((c, index) => ({ ordinal: index + 1, role: c.role, fileName: c.fileName, c }));
  const positions = new Map(orderComponents(declared, { incoming: isIncoming(data) }).map((c, index) => [c.ordinal, index + 1]));
  const components: RestoredComponent[] = declared.map(({ ordinal, role, fileName, c }) => {
    const ch = record.characterizations.find((x) => x.ordinal === ordinal);
    return {
      ordinal,
      role,
      fileName,
      declaredMediaType: c.mediaType ?? null,
      declaredSize: c.size ?? null,
      declaredSha256: c.sha256 ?? null,
      sourceUrl: c.url,
      stagingKey: stagingKeyOf(record.ingestId, ordinal),
      size: ch?.size ?? null,
      sha256: ch?.sha256 ?? null,
      sm3: ch?.sm3 ?? null,
      archiveBucket: source.quarantineBucket,
      archiveKey: archiveComponentKeyOf(prefix, positions.get(ordinal)!, { fileName }),
    };
  });
  const completedAt = trail.completedAt.get(record.ingestId) ?? null;
  // When it arrived is the trail's; without the trail, the OA event's time is all there is.
  await inTransaction(pool, async (tx) => {
    await insertIngest(tx, { ingestId: record.ingestId, event: record.event, status: 'QUARANTINED', receivedAt: trail.received.get(record.ingestId)?.at ?? record.event.time ?? data.dates.finalized, enqueuedAt: null, completedAt });
    await insertComponents(tx, record.ingestId, components, completedAt);
    await insertCharacterizations(tx, record.ingestId, record.characterizations);
    if (record.metadata) await insertMetadataRecord(tx, record.ingestId, record.metadata, []);
    await insertClassification(tx, record.ingestId, record.classification);
  });
  return true;
}

/** Each class's counter at the highest number it gave: from the restored decisions and from the trail. */
async function restoreCounters(source: RebuildSource, trail: TrailFacts, inBags: readonly ClassificationRecord[]): Promise<number> {
  const pool = source.catalog.pool;
  const { rows } = await pool.query<{ category: string; year: number; retention: string; org: string; last_item: number }>(
    `SELECT category, year, retention, organisation_code AS org, max(item_number) AS last_item FROM classifications
      WHERE item_number IS NOT NULL AND version_of IS NULL GROUP BY 1, 2, 3, 4`,
  );
  const classes = new Map(trail.items);
  // Every bag's decision, those left out included: their numbers are taken.
  const fromBags = inBags
    .filter((c) => c.itemNumber !== null && !c.versionOf)
    .map((c) => ({ category: c.category!, year: c.year!, retention: c.retention!, org: c.organisationCode!, last_item: c.itemNumber! }));
  for (const r of [...rows, ...fromBags]) {
    const key = `${r.category}|${r.year}|${r.retention}|${r.org}`;
    classes.set(key, { category: r.category, year: r.year, retention: r.retention, org: r.org, lastItem: Math.max(classes.get(key)?.lastItem ?? 0, r.last_item) });
  }
  await inTransaction(pool, async (tx) => {
    for (const c of classes.values()) await raiseCounter(tx, { fonds: source.fonds, category: c.category, year: c.year, retention: c.retention, org: c.org }, c.lastItem);
  });
  return classes.size;
}

export type { CatalogRecord };
