import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseManifest } from '@oa-archive/aip';
import {
  aipsAwaitingCustody,
  claimAipForAudit,
  enrolInCustody,
  extendAuditLease,
  recordFixityAudit,
  type AuditSelection,
  type CopyAudit,
  type CustodyRecord,
  type FixityRepair,
} from '@oa-archive/catalog';
import { DigestingStream, isNotFound, listKeys, type ObjectStore } from '@oa-archive/storage';
import type { CustodyDeps } from './deps.ts';
import { compareCopy, firstAuditAt, isManifestPath, planRepairs, type CopyManifests, type ObjectReading } from './plan.ts';
import { copyVerified, RateLimiter } from './streams.ts';

/** Manifests larger than this are not parsed (a corrupted one could be anything); the object is still digested. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const AGENT = 'oa-archive fixity audit';

export interface AipAuditReport {
  ingestId: string;
  prefix: string;
  outcome: 'intact' | 'failed';
  copies: CopyAudit[];
  repairs: FixityRepair[];
  nextAuditAt: Date;
}

/** Puts FILED AIPs not yet under custody on the audit (and replication) schedule. Returns how many. */
export async function enrolFiledAips(deps: Pick<CustodyDeps, 'catalog' | 'settings'>, now = new Date()): Promise<number> {
  let enrolled = 0;
  for (;;) {
    const waiting = await aipsAwaitingCustody(deps.catalog.pool);
    if (waiting.length === 0) return enrolled;
    enrolled += await enrolInCustody(deps.catalog.pool, waiting.map((w) => ({ ...w, firstAuditAt: firstAuditAt(w.ingestId, now, deps.settings.cycleMs) })));
  }
}

/**
 * Audits AIPs one after another until none is left to take: those due (the scheduled pass) or a
 * hand-picked set. Each is claimed under a lease, so replicas and the CLI never audit one twice at
 * once; reads are paced by one rate limiter for the whole pass.
 */
export async function runFixityAudits(deps: CustodyDeps, selection: AuditSelection, opts: { actor: string; limit?: number; onReport?: (report: AipAuditReport) => void }): Promise<AipAuditReport[]> {
  await enrolFiledAips(deps);
  const startedAt = new Date();
  const limiter = new RateLimiter(deps.settings.maxBytesPerSecond);
  const reports: AipAuditReport[] = [];
  while (reports.length < (opts.limit ?? Number.POSITIVE_INFINITY)) {
    const record = await claimAipForAudit(deps.catalog.pool, selection, { now: new Date(), startedAt, leaseMs: 3_600_000 });
    if (!record) break;
    const bytes = record.files.reduce((sum, f) => sum + f.size, 0) * (deps.replica && record.replicationState === 'replicated' ? 2 : 1);
    // A large AIP at a low rate takes long: hold it for twice the time its reading should take.
    const readingMs = (bytes / deps.settings.maxBytesPerSecond) * 1000;
    if (readingMs > 1_800_000) await extendAuditLease(deps.catalog.pool, record.ingestId, new Date(Date.now() + 2 * readingMs));
    const report = await auditAip(deps, record, opts.actor, limiter);
    reports.push(report);
    opts.onReport?.(report);
  }
  return reports;
}

/**
 * Reads back every object of one AIP (and of its second copy, once replicated), compares each with
 * the catalog and the bag's manifests, repairs what the good copy allows, and records the audit.
 */
export async function auditAip(deps: CustodyDeps, record: CustodyRecord, actor: string, limiter = new RateLimiter(deps.settings.maxBytesPerSecond)): Promise<AipAuditReport> {
  const at = new Date();
  const primary = await auditCopy(deps, record, 'primary', deps.primary, record.bucket, limiter);
  const replicated = deps.replica && record.replicationState === 'replicated' ? deps.replica : undefined;
  const replica = replicated ? await auditCopy(deps, record, 'replica', replicated.store, replicated.bucket, limiter) : undefined;
  const copies = replica ? [primary, replica] : [primary];
  const repairs = await repair(deps, record, copies);
  const outcome = copies.some((c) => c.findings.length > 0) ? 'failed' : 'intact';
  const nextAuditAt = new Date(at.getTime() + deps.settings.cycleMs);
  const summary = (copy: CopyAudit) => ({ copy: copy.copy, bucket: copy.bucket, objectsChecked: copy.objectsChecked, bytesRead: copy.bytesRead, findings: copy.findings.slice(0, 50) });
  await recordFixityAudit(deps.catalog.pool, {
    ingestId: record.ingestId,
    actor,
    at,
    nextAuditAt,
    copies,
    repairs,
    premis: copies.map((copy) => ({
      ordinal: null,
      eventType: 'fixity check',
      eventAt: at.toISOString(),
      detail: `SHA-256 和 SM3 复核：${copy.objectsChecked} 个对象（s3://${copy.bucket}/${record.prefix}/，${copy.copy === 'primary' ? '主副本' : '异地副本'}），与 BagIt 清单及目录记录比对`,
      outcome: copy.findings.length ? 'failure' : 'success',
      outcomeDetail: copy.findings.length ? copy.findings.slice(0, 20).map((f) => `${f.path}: ${f.problem} (${f.detail})`).join('; ') : null,
      agentName: AGENT,
    })),
    auditEvent: { type: outcome === 'failed' ? 'aip.fixity-failed' : 'aip.fixity-checked', payload: { prefix: record.prefix, copies: copies.map(summary), repairs, nextAuditAt: nextAuditAt.toISOString() } },
  });
  for (const copy of copies) {
    const failed = new Set(copy.findings.map((f) => f.path)).size;
    deps.metrics?.objectsChecked.inc({ copy: copy.copy, result: 'failed' }, failed);
    deps.metrics?.objectsChecked.inc({ copy: copy.copy, result: 'intact' }, Math.max(0, copy.objectsChecked - failed));
    deps.metrics?.bytesRead.inc({ copy: copy.copy }, copy.bytesRead);
  }
  if (outcome === 'failed') deps.logger.error({ ingestId: record.ingestId, prefix: record.prefix, findings: copies.flatMap((c) => c.findings.map((f) => ({ copy: c.copy, ...f }))), repairs }, 'AIP failed its fixity audit');
  return { ingestId: record.ingestId, prefix: record.prefix, outcome, copies, repairs, nextAuditAt };
}

async function auditCopy(deps: CustodyDeps, record: CustodyRecord, copy: 'primary' | 'replica', store: ObjectStore, bucket: string, limiter: RateLimiter): Promise<CopyAudit> {
  const readings = new Map<string, ObjectReading>();
  const manifestTexts = new Map<string, string>();
  let bytesRead = 0;
  // Manifests first: the other files are checked against them.
  const ordered = [...record.files].sort((a, b) => Number(isManifestPath(b.path)) - Number(isManifestPath(a.path)));
  for (const file of ordered) {
    const key = `${record.prefix}/${file.path}`;
    let body: Readable;
    try {
      body = await store.getStream(bucket, key);
    } catch (error) {
      readings.set(file.path, isNotFound(error) ? { state: 'missing' } : { state: 'unreadable', reason: `${(error as Error).name}: ${(error as Error).message}` });
      continue;
    }
    const digest = new DigestingStream();
    const chunks: Buffer[] = [];
    const keep = isManifestPath(file.path) && file.size <= MAX_MANIFEST_BYTES;
    let kept = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (keep && kept <= MAX_MANIFEST_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        done();
      },
    });
    try {
      await pipeline(body, limiter.stream(), digest, sink);
      const fixity = digest.result();
      bytesRead += fixity.size;
      readings.set(file.path, { state: 'read', ...fixity });
      if (keep && kept <= MAX_MANIFEST_BYTES) manifestTexts.set(file.path, Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      bytesRead += digest.result().size;
      readings.set(file.path, { state: 'unreadable', reason: `${(error as Error).name}: ${(error as Error).message}` });
    }
  }
  const parse = (path: string) => {
    const content = manifestTexts.get(path);
    if (content === undefined) return undefined;
    try {
      return parseManifest(content);
    } catch {
      // The manifest object's own digest finding says it is damaged.
      return undefined;
    }
  };
  const manifests: CopyManifests = {
    payload: { sha256: parse('manifest-sha256.txt'), sm3: parse('manifest-sm3.txt') },
    tag: { sha256: parse('tagmanifest-sha256.txt'), sm3: parse('tagmanifest-sm3.txt') },
  };
  const listed = new Set(record.files.map((f) => f.path));
  const unexpectedPaths: string[] = [];
  for await (const key of listKeys(store.s3, bucket, `${record.prefix}/`)) {
    const path = key.slice(record.prefix.length + 1);
    if (!listed.has(path)) unexpectedPaths.push(path);
  }
  const findings = compareCopy({ prefix: record.prefix, files: record.files, readings, manifests, unexpectedPaths });
  return { copy, bucket, objectsChecked: record.files.length, bytesRead, findings };
}

/** Carries out the repair plan: restores a missing object from the intact copy; the rest is for an operator. */
async function repair(deps: CustodyDeps, record: CustodyRecord, copies: CopyAudit[]): Promise<FixityRepair[]> {
  const [primary, replica] = copies;
  if (primary!.findings.length === 0 && (!replica || replica.findings.length === 0)) return [];
  const plans = planRepairs(primary!.findings, replica?.findings);
  const repairs: FixityRepair[] = [];
  for (const plan of plans) {
    if (plan.action === 'needs-operator') {
      repairs.push({ copy: plan.copy, path: plan.path, action: 'needs-operator', detail: plan.reason });
      continue;
    }
    const file = record.files.find((f) => f.path === plan.path)!;
    const key = `${record.prefix}/${file.path}`;
    const [target, source] =
      plan.copy === 'primary'
        ? [{ store: deps.primary, bucket: record.bucket }, { store: deps.replica!.store, bucket: deps.replica!.bucket }]
        : [{ store: deps.replica!.store, bucket: deps.replica!.bucket }, { store: deps.primary, bucket: record.bucket }];
    try {
      const written = await copyVerified((verifiedOpen) =>
        target.store.depositOnce({
          bucket: target.bucket,
          key,
          size: file.size,
          sha256: file.sha256,
          metadata: { 'ingest-id': record.ingestId, sm3: file.sm3 },
          open: () => verifiedOpen(() => source.store.getStream(source.bucket, key), `s3://${source.bucket}/${key}`, file),
        }),
      );
      repairs.push({ copy: plan.copy, path: plan.path, action: 'restored', detail: `written again from s3://${source.bucket}/${key} (${written.outcome}, verified by ${written.verifiedBy})` });
    } catch (error) {
      repairs.push({ copy: plan.copy, path: plan.path, action: 'needs-operator', detail: `restoring from the other copy failed: ${(error as Error).name}: ${(error as Error).message}` });
    }
  }
  return repairs;
}
