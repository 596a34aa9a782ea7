import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { aipOf, characterizationsOf, classificationOf, metadataRecordOf, recordArchiveKeys, type ClassificationRecord, type IngestRecord } from '@oa-archive/catalog';
import { isIncoming, orderComponents } from '@oa-archive/classify';
import type { ObjectLock } from '@oa-archive/storage';
import { archiveComponentKeyOf, archivePrefixOf } from '../archiveLayout.ts';
import type { PipelineDeps, StageHandler, StageResult } from '../context.ts';
import { forEachConcurrently } from '../concurrently.ts';
import { StageError } from '../errors.ts';
import { openAipFile, openStaged } from '../stagedCopies.ts';

/** Objects of one AIP written at once. */
const DEPOSIT_CONCURRENCY = 4;
const YEARS = { D30: 30, D10: 10 } as const;

/** Object Lock for a filed object: 永久 → legal hold; D30/D10 → retention until that many years on. */
export function objectLockFor(mode: 'off' | 'governance' | 'compliance', retention: 'Y' | 'D30' | 'D10', from: Date): ObjectLock | undefined {
  if (mode === 'off') return undefined;
  const lockMode = mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE';
  if (retention === 'Y') return { mode: lockMode, legalHold: true };
  const until = new Date(from);
  until.setUTCFullYear(until.getUTCFullYear() + YEARS[retention]);
  return { mode: lockMode, retainUntil: until };
}

/**
 * Writes the document where it belongs, write-once and verified after writing: a FILE document's AIP
 * (its BagIt bag) into the archive bucket under fonds/year/category/retention/档号, with Object Lock
 * where configured; a QUARANTINE document's originals into the quarantine bucket, never the open
 * archive. A retried or replayed deposit finds its own objects and adds nothing; an object that exists
 * with other bytes is never overwritten.
 */
export const depositStage: StageHandler = async ({ ingest, deps, log, signal }) => {
  const classification = await classificationOf(deps.catalog.pool, ingest.ingestId);
  if (classification?.outcome === 'FILE') return depositAip(ingest, classification, deps, log, signal);
  if (classification?.outcome === 'QUARANTINE') return depositQuarantined(ingest, classification, deps, log);
  throw new StageError(`deposit needs a FILE or QUARANTINE decision, found ${classification?.outcome ?? 'none'}; replay from classify`, { retryable: false });
};

async function depositAip(ingest: IngestRecord, classification: ClassificationRecord, deps: PipelineDeps, log: PipelineDeps['logger'], signal: AbortSignal | undefined): Promise<StageResult> {
  const { catalog, store, settings } = deps;
  const aip = await aipOf(catalog.pool, ingest.ingestId);
  if (!aip) throw new StageError('no AIP was built; replay from package', { retryable: false });
  const lock = objectLockFor(settings.objectLock, classification.retention!, ingest.event.data.dates.signed ? new Date(ingest.event.data.dates.signed) : ingest.finalizedAt);
  const written: Record<string, number> = { written: 0, 'already-present': 0 };
  const originals: { ordinal: number; bucket: string; key: string }[] = [];
  const copies: { ordinal: number; archiveKey: string }[] = [];
  // A few objects at a time: each is one request or two, so the time is in the round trips.
  await forEachConcurrently(aip.files, DEPOSIT_CONCURRENCY, async (file) => {
    // Past the deadline the attempt has failed: write nothing more for it (a retry finds what was written).
    signal?.throwIfAborted();
    const key = `${aip.prefix}/${file.path}`;
    const result = await store.depositOnce({
      bucket: settings.archiveBucket,
      key,
      size: file.size,
      sha256: file.sha256,
      metadata: { 'ingest-id': ingest.ingestId, sm3: file.sm3 },
      ...(lock ? { lock } : {}),
      // A tag file's text from the catalog; payload from this host's copy when it has one (verified as it is read), else staging.
      open: () => openAipFile(deps, file),
    });
    written[result.outcome] = (written[result.outcome] ?? 0) + 1;
    if (file.role === 'original') originals.push({ ordinal: file.ordinal!, bucket: settings.archiveBucket, key });
    if (file.role === 'preservation') copies.push({ ordinal: file.ordinal!, archiveKey: key });
  });
  // Where each component went, once all are written (a retry writes nothing twice and records again).
  await recordArchiveKeys(catalog.pool, ingest.ingestId, { originals, copies });
  log.info({ bucket: settings.archiveBucket, prefix: aip.prefix, referenceCode: classification.referenceCode, ...written }, 'document filed');
  return {
    detail: { bucket: settings.archiveBucket, prefix: aip.prefix, referenceCode: classification.referenceCode, objects: aip.files.length, ...written, objectLock: lock ? settings.objectLock : 'off' },
    outcome: { status: 'FILED', payload: { bucket: settings.archiveBucket, prefix: aip.prefix, referenceCode: classification.referenceCode, objects: aip.files.length } },
  };
}

async function depositQuarantined(ingest: IngestRecord, classification: ClassificationRecord, deps: PipelineDeps, log: PipelineDeps['logger']): Promise<StageResult> {
  const { catalog, store, settings } = deps;
  const bucket = settings.quarantineBucket;
  const prefix = archivePrefixOf(ingest);
  const components = orderComponents(await catalog.listComponents(ingest.ingestId), { incoming: isIncoming(ingest.event.data) });
  const deposited: { ordinal: number; bucket: string; key: string }[] = [];
  for (const [index, component] of components.entries()) {
    if (!component.stagingKey || !component.sha256 || component.size === null) {
      throw new StageError(`component ${component.ordinal} was never staged; replay the ingest from fetch`, { retryable: false });
    }
    const staged = { key: component.stagingKey, sha256: component.sha256, size: component.size };
    const key = archiveComponentKeyOf(prefix, index + 1, component);
    const result = await store.depositOnce({
      bucket,
      key,
      size: component.size,
      sha256: component.sha256,
      contentType: component.declaredMediaType ?? undefined,
      metadata: { 'ingest-id': ingest.ingestId, ...(component.sm3 ? { sm3: component.sm3 } : {}) },
      open: () => openStaged(deps, staged),
    });
    deposited.push({ ordinal: component.ordinal, bucket: result.bucket, key: result.key });
  }
  // Where each went, once all are written (a retry finds them written and records again).
  await catalog.recordDepositedMany(ingest.ingestId, deposited);
  // Why it is here and what it is, beside the files: deterministic, so a replay finds the same object.
  const [metadata, characterizations] = await Promise.all([metadataRecordOf(catalog.pool, ingest.ingestId), characterizationsOf(catalog.pool, ingest.ingestId)]);
  const record = Buffer.from(JSON.stringify({ ingestId: ingest.ingestId, classification, metadata: metadata?.record ?? null, characterizations, event: ingest.event }, null, 2));
  await store.depositOnce({
    bucket,
    key: `${prefix}/quarantine-record.json`,
    size: record.length,
    sha256: createHash('sha256').update(record).digest('hex'),
    contentType: 'application/json',
    open: async () => Readable.from([record]),
  });
  log.info({ bucket, prefix }, 'document quarantined');
  return { detail: { bucket, prefix, objects: components.length + 1 }, outcome: { status: 'QUARANTINED', payload: { bucket, prefix, explanation: classification.explanation } } };
}
