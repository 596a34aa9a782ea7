import { createHash } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import {
  ANCHOR_SEGMENT_MAX_EVENTS,
  anchorBody,
  anchoredBefore,
  anchoringStateOf,
  anchorKeyOf,
  AUDIT_ANCHOR_PREFIX,
  auditHeadOf,
  auditSegmentOf,
  carriesSegment,
  checkAuditAnchors,
  parseAnchor,
  recordAnchor,
  withAnchorLock,
  type AuditAnchor,
  type AuditSegmentAnchor,
  type Catalog,
  type StoredAuditAnchor,
} from '@oa-archive/catalog';
import type { Logger } from '@oa-archive/observability';
import { PeriodicTask } from './periodic.ts';
import { listKeys, WriteOnceViolationError, type ObjectLock, type ObjectStore } from '@oa-archive/storage';

/** Where anchors go: the archive bucket, under AUDIT_ANCHOR_PREFIX; locked like archive objects where configured. */
export interface AnchorTarget {
  catalog: Catalog;
  store: ObjectStore;
  bucket: string;
  /** The archive's S3_OBJECT_LOCK: where it is on, an anchor gets a legal hold, which has no end date. */
  objectLock?: 'off' | 'governance' | 'compliance';
}

const lockOf = (mode: AnchorTarget['objectLock']): ObjectLock | undefined =>
  mode && mode !== 'off' ? { mode: mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE', legalHold: true } : undefined;

export type AnchorResult =
  | { outcome: 'written' | 'already-present'; anchor: AuditAnchor; key: string }
  /** The chain has no event yet. */
  | { outcome: 'empty' }
  /** Another process is anchoring right now. */
  | { outcome: 'busy' };

/**
 * Writes the chain's current head to the store, write-once (If-None-Match), carrying the events since
 * the anchor before it (at most ANCHOR_SEGMENT_MAX_EVENTS an object: a longer run is anchored in steps),
 * so that the store holds the whole trail for a rebuild of the catalog. The same head gives the same
 * bytes, so a second run or replica finds it already there; a head whose hash differs from the anchor
 * at its sequence number is a WriteOnceViolationError, never an overwrite.
 */
export async function anchorAuditChain(target: AnchorTarget): Promise<AnchorResult> {
  const result = await withAnchorLock(target.catalog.pool, async (): Promise<AnchorResult> => {
    const pool = target.catalog.pool;
    const head = await auditHeadOf(pool);
    if (!head) return { outcome: 'empty' };
    let from = await anchoredBefore(pool, head.seq);
    let last: AnchorResult = { outcome: 'empty' };
    while (from < head.seq) {
      const events = await auditSegmentOf(pool, from, Math.min(head.seq, from + ANCHOR_SEGMENT_MAX_EVENTS));
      const end = events.at(-1)!;
      const anchor: AuditSegmentAnchor = { seq: end.seq, hash: end.hash, at: end.at, from, events };
      last = { outcome: await writeAnchor(target, anchor), anchor: { seq: anchor.seq, hash: anchor.hash, at: anchor.at }, key: anchorKeyOf(anchor.seq) };
      await recordAnchor(pool, anchor);
      from = end.seq;
    }
    return last;
  });
  return result.ran ? result.value : { outcome: 'busy' };
}

async function writeAnchor(target: AnchorTarget, anchor: AuditSegmentAnchor): Promise<'written' | 'already-present'> {
  const key = anchorKeyOf(anchor.seq);
  const body = anchorBody(anchor);
  const lock = lockOf(target.objectLock);
  try {
    const stored = await target.store.depositOnce({
      bucket: target.bucket,
      key,
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      contentType: 'application/json',
      ...(lock ? { lock } : {}),
      open: async () => Readable.from([body]),
    });
    return stored.outcome;
  } catch (error) {
    // An anchor written before anchors carried their events, for this very head: it stands as it is.
    if (!(error instanceof WriteOnceViolationError)) throw error;
    const existing = parseAnchor(key, await text(await target.store.getStream(target.bucket, key)));
    if (carriesSegment(existing) || existing.hash !== anchor.hash) throw error;
    return 'already-present';
  }
}

/** Every anchor in the bucket, oldest first. A malformed one is an AuditAnchorError. */
export async function readAuditAnchors(store: ObjectStore, bucket: string): Promise<StoredAuditAnchor[]> {
  const anchors: StoredAuditAnchor[] = [];
  for await (const anchor of anchorsIn(store, bucket)) anchors.push(anchor);
  return anchors;
}

/** Every anchor, oldest first, read one at a time: a caller that keeps less than the whole holds one segment at most. */
async function* anchorsIn(store: ObjectStore, bucket: string): AsyncGenerator<StoredAuditAnchor> {
  for await (const key of listKeys(store.s3, bucket, AUDIT_ANCHOR_PREFIX)) yield parseAnchor(key, await text(await store.getStream(bucket, key)));
}

/** For `archive audit verify`: the chain recomputed against every anchor, as report lines. */
export async function verifyAuditAnchors(target: Pick<AnchorTarget, 'catalog' | 'store' | 'bucket'>): Promise<{ ok: boolean; lines: string[] }> {
  // Heads only: each anchor also carries up to ANCHOR_SEGMENT_MAX_EVENTS events, which checking the chain does not need.
  const anchors: AuditAnchor[] = [];
  for await (const { seq, hash, at } of anchorsIn(target.store, target.bucket)) anchors.push({ seq, hash, at });
  if (anchors.length === 0) return { ok: true, lines: [`no audit anchors under s3://${target.bucket}/${AUDIT_ANCHOR_PREFIX} yet (the worker writes one every AUDIT_ANCHOR_INTERVAL_MS; or run: archive audit anchor)`] };
  const mismatches = await checkAuditAnchors(target.catalog.pool, anchors);
  const last = anchors.at(-1)!;
  return {
    ok: mismatches.length === 0,
    lines: [
      ...mismatches.map((m) => `AUDIT CHAIN DOES NOT MATCH ITS ANCHOR at event ${m.seq}: ${m.reason}`),
      `audit anchors matching the recomputed chain: ${anchors.length - mismatches.length} of ${anchors.length} (latest at event ${last.seq}, ${last.at})`,
    ],
  };
}

/** How often a worker looks whether an anchor is due, at most. */
const ANCHOR_CHECK_MS = 60_000;

/**
 * Anchors every `intervalMs`, from every worker process. An anchor is due when the chain has grown since
 * the last one and the catalog recorded none for an interval, whichever process wrote it: so a worker
 * restarted more often than the interval (deploys, a crash loop) still anchors, a restart adds nothing
 * that is not due, and replicas do not multiply anchors (the advisory lock lets one write at a time).
 * Looked at on start and then every minute (or interval, if shorter). A failed round is logged and the
 * next look tries again.
 */
export function startAuditAnchoring(target: AnchorTarget & { intervalMs: number; logger: Logger }): { stop(): Promise<void> } {
  return new PeriodicTask('audit chain anchoring', Math.min(target.intervalMs, ANCHOR_CHECK_MS), async () => {
    const state = await anchoringStateOf(target.catalog.pool);
    const due = state.headSeq > state.anchoredSeq && (!state.lastAnchoredAt || Date.now() - state.lastAnchoredAt.getTime() >= target.intervalMs);
    if (!due) return;
    const result = await anchorAuditChain(target);
    if (result.outcome === 'written') target.logger.info({ seq: result.anchor.seq, key: result.key }, 'audit chain anchored');
  }, target.logger).start(0);
}
