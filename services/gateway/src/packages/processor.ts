import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { claimPackage, decidePackage, packageMoved, releasePackage, type GatewayPackage, type PackageKey, type PackageProblem, type PackageRejection } from '@oa-archive/catalog';
import type { Logger } from '@oa-archive/observability';
import type { ObjectStore } from '@oa-archive/storage';
import { judgeMapped } from '../document.ts';
import type { MappedDocument } from '../mapping/apply.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { GatewaySource, PackageDropSettings } from '../sources.ts';
import type { Submitter } from '../submit.ts';
import { MetadataTooLargeError, type DropEntry, type DropFile, type PackageDrop } from './drop.ts';
import { instanceOf, stagedKeyOf, stagedUrlOf } from './layout.ts';
import { readManifest, type PlannedFile } from './manifest.ts';
import { documentProblems, receiptNotes, rejectionNotes, rejectionOf } from './notes.ts';
import { stageFile, type StagedFile } from './stage.ts';

/**
 * One package, from incoming/ to done/ or rejected/: claimed (a catalog row, so that several gateways
 * share a drop), its metadata read with the source's mapping, every file checked and staged, the
 * document judged and published like a push, the outcome recorded, then the files moved with a
 * receipt or the reasons beside them. A package still being uploaded is left for a later scan; one
 * whose gateway died is finished by the next claim, from where the record says it stood.
 */

export type PackageResult =
  | { outcome: 'done'; movedTo: string; ingestId: string; duplicate: boolean }
  | { outcome: 'rejected'; movedTo: string; rejection: PackageRejection }
  /** Not complete yet (metadata or files missing while the package is younger than settleMs): left for a later scan. */
  | { outcome: 'waiting'; reason: string }
  /** Another gateway holds it, or it left incoming/ meanwhile. */
  | { outcome: 'skipped'; reason: string };

export interface PackageProcessorOptions {
  source: GatewaySource;
  settings: PackageDropSettings;
  drop: PackageDrop;
  submitter: Submitter;
  /** The staging bucket and the prefix package files are staged under (GATEWAY_PACKAGE_PREFIX). */
  store: ObjectStore;
  staging: { bucket: string; prefix: string };
  pool: pg.Pool;
  gatewayId: string;
  logger: Logger;
  metrics: GatewayMetrics;
}

type Decision =
  | { kind: 'wait'; reason: string }
  | { kind: 'gone' }
  | { kind: 'done'; ingestId: string; eventId: string; documentId: string; version: number; duplicate: boolean; unreferenced: string[] }
  | { kind: 'rejected'; rejection: PackageRejection; documentId?: string; version?: number };

const FILE_CODES = new Set(['file-missing', 'size-mismatch', 'digest-mismatch']);

export class PackageProcessor {
  readonly #o: PackageProcessorOptions;

  constructor(options: PackageProcessorOptions) {
    this.#o = options;
  }

  async handle(entry: DropEntry): Promise<PackageResult> {
    const { source, settings, pool, gatewayId, drop } = this.#o;
    const metadataPath = entry.kind === 'folder' ? settings.metadataFile : entry.name;
    let files = await drop.files(entry);
    if (files.length === 0) return { outcome: 'skipped', reason: 'no longer in incoming/' };
    let instance = instanceOf(files, metadataPath);
    let claim = await claimPackage(pool, { source: source.id, package: entry.name, instance, claimedBy: gatewayId, leaseMs: settings.leaseMs });
    // Handled already, yet here: either it left incoming/ since it was listed (another gateway moved it),
    // or it was moved back unchanged (a directory's mv keeps the times): then it is a drop of its own.
    for (let again = 0; claim.kind === 'handled' && again < 10; again++) {
      files = await drop.files(entry);
      if (files.length === 0) return { outcome: 'skipped', reason: 'no longer in incoming/' };
      instance = `${instance} again after ${claim.record.movedAt?.toISOString()}`;
      claim = await claimPackage(pool, { source: source.id, package: entry.name, instance, claimedBy: gatewayId, leaseMs: settings.leaseMs });
    }
    if (claim.kind !== 'claimed') return { outcome: 'skipped', reason: claim.kind === 'busy' ? `claimed by ${claim.record.claimedBy}` : 'handled already' };
    const key = { source: source.id, package: entry.name, instance, claimedBy: gatewayId };
    try {
      if (claim.record.state !== 'claimed') return await this.#move(entry, key, claim.record);
      const decision = await this.#decide(entry, files, metadataPath);
      if (decision.kind === 'wait' || decision.kind === 'gone') {
        await releasePackage(pool, key);
        return decision.kind === 'wait' ? { outcome: 'waiting', reason: decision.reason } : { outcome: 'skipped', reason: 'no longer in incoming/' };
      }
      const recorded = await decidePackage(
        pool,
        key,
        decision.kind === 'done'
          ? { state: 'done', ingestId: decision.ingestId, documentId: decision.documentId, version: decision.version }
          : { state: 'rejected', reason: decision.rejection, ...(decision.documentId ? { documentId: decision.documentId } : {}), ...(decision.version ? { version: decision.version } : {}) },
      );
      if (!recorded) return { outcome: 'skipped', reason: 'the claim ran out and another gateway took the package' };
      this.#count(decision);
      return await this.#move(entry, key, recorded, decision.kind === 'done' ? decision : undefined);
    } catch (error) {
      // Taken again by the next scan: from the start, or, when decided, only the move.
      await releasePackage(pool, key).catch(() => undefined);
      throw error;
    }
  }

  #count(decision: Decision): void {
    const { metrics, source, logger } = this.#o;
    if (decision.kind === 'done') {
      metrics.accepted(source.id, 'package', decision.duplicate);
      logger.info({ source: source.id, ingestId: decision.ingestId, documentId: decision.documentId, version: decision.version, duplicate: decision.duplicate }, 'package published');
    } else if (decision.kind === 'rejected') {
      metrics.refused(source.id, decision.rejection.problems[0]?.code ?? 'rejected', 'package');
      logger.warn({ source: source.id, problems: decision.rejection.problems.slice(0, 10) }, `package rejected: ${decision.rejection.summary}`);
    }
  }

  /** The decided package's files out of incoming/, with its receipt or reasons beside them. */
  async #move(entry: DropEntry, key: PackageKey & { claimedBy: string }, record: GatewayPackage, done?: { eventId: string; duplicate: boolean; unreferenced: string[] }): Promise<PackageResult> {
    const { drop, pool, source } = this.#o;
    const decision = `${source.id}/${entry.name}@${record.decidedAt?.toISOString() ?? 'unknown'}`;
    if (record.state === 'done') {
      const notes = receiptNotes({
        source: source.id,
        package: entry.name,
        decision,
        ingestId: record.ingestId!,
        documentId: record.documentId!,
        version: record.version!,
        ...(done ? { eventId: done.eventId, duplicate: done.duplicate, unreferenced: done.unreferenced } : {}),
      });
      const movedTo = await drop.move(entry, 'done', notes);
      await packageMoved(pool, key, movedTo);
      return { outcome: 'done', movedTo, ingestId: record.ingestId!, duplicate: done?.duplicate ?? false };
    }
    const rejection = record.reason ?? rejectionOf('rejected', []);
    const movedTo = await drop.move(entry, 'rejected', rejectionNotes({ source: source.id, package: entry.name, decision, rejection }));
    await packageMoved(pool, key, movedTo);
    return { outcome: 'rejected', movedTo, rejection };
  }

  async #decide(entry: DropEntry, files: DropFile[], metadataPath: string): Promise<Decision> {
    const { drop, settings, source } = this.#o;
    const reject = (summary: string, problems: PackageProblem[], identity: { documentId?: string; version?: number } = {}): Decision => ({ kind: 'rejected', rejection: rejectionOf(summary, problems), ...identity });
    const format = source.mapping.format;
    if (entry.kind === 'file' && !entry.name.toLowerCase().endsWith(`.${format}`)) {
      return reject('not a package', [{ code: 'not-a-package', file: entry.name, message: `a package is a folder with ${settings.metadataFile} and its files, or one .${format} file that embeds them; ${entry.name} is neither` }]);
    }
    const now = Date.now();
    const metadataFile = files.find((f) => f.path === metadataPath);
    const newest = Math.max(...files.map((f) => f.modifiedAt.getTime()));
    if (!metadataFile) {
      if (now - newest < settings.settleMs) return { kind: 'wait', reason: `no ${metadataPath} yet` };
      return reject(`no ${metadataPath}`, [{ code: 'metadata-missing', file: metadataPath, message: `the package has no ${metadataPath}; the OA writes it last, once every file is in place` }]);
    }
    const settled = now - Math.max(metadataFile.modifiedAt.getTime(), newest) >= settings.settleMs;
    let metadata: Buffer | undefined;
    try {
      metadata = await drop.read(entry, metadataPath, settings.maxMetadataBytes);
    } catch (error) {
      if (error instanceof MetadataTooLargeError) return reject('metadata too large', [{ code: 'metadata-too-large', file: metadataPath, message: error.message }]);
      throw error;
    }
    if (!metadata) return { kind: 'gone' };

    const manifest = readManifest({ mapping: source.mapping, metadata, metadataPath, files });
    const identity = { ...(manifest.documentId ? { documentId: manifest.documentId } : {}), ...(manifest.version ? { version: manifest.version } : {}) };
    if (!manifest.ok) {
      if (!settled && manifest.problems.some((p) => FILE_CODES.has(p.code))) return { kind: 'wait', reason: manifest.problems[0]!.message };
      return reject(summaryOf(manifest.problems), manifest.problems, identity);
    }

    // Judged before any file is staged, with stand-in URLs: a package the contract refuses costs no copying.
    const judge = this.#o.submitter.judgeArgs(source);
    const { bucket, prefix } = this.#o.staging;
    const placeholders = manifest.files.map((f) => ({ url: stagedUrlOf(bucket, stagedKeyOf(prefix, source.id, `pending-${f.ordinal}`)) }));
    const first = judgeMapped({ ...judge, mapped: withFiles(manifest.mapped, placeholders), receivedAt: new Date() });
    if (!first.ok) return reject(first.message, documentProblems(first.kind === 'unreadable' ? 'unreadable-metadata' : first.kind === 'too-large' ? 'too-large' : 'invalid-document', metadataPath, first.issues), identity);

    const staged: StagedFile[] = [];
    const problems: PackageProblem[] = [];
    const token = randomUUID();
    for (const file of manifest.files) {
      const result = await stageFile({ store: this.#o.store, bucket, prefix, source: source.id, token, file, body: await this.#open(entry, file) });
      if (result.ok) staged.push(result.staged);
      else problems.push(...result.problems);
    }
    if (problems.length > 0) {
      if (!settled && entry.kind === 'folder') return { kind: 'wait', reason: problems[0]!.message };
      return reject(summaryOf(problems), problems, identity);
    }

    const judged = judgeMapped({ ...judge, mapped: withFiles(manifest.mapped, staged), receivedAt: new Date() });
    const outcome = await this.#o.submitter.submitDocument(source, judged, 'package');
    switch (outcome.kind) {
      case 'accepted':
        return { kind: 'done', ingestId: outcome.ingestId, eventId: outcome.eventId, documentId: outcome.documentId, version: outcome.version, duplicate: outcome.duplicate, unreferenced: manifest.unreferenced };
      case 'conflict':
        return reject('version conflict', [{ code: 'version-conflict', file: metadataPath, message: outcome.message }], identity);
      case 'refused':
        return reject(outcome.message, documentProblems(outcome.reason === 'too-large' ? 'too-large' : 'invalid-document', metadataPath, outcome.issues), identity);
    }
  }

  async #open(entry: DropEntry, file: PlannedFile): Promise<Readable> {
    return file.source.kind === 'path' ? this.#o.drop.open(entry, file.source.path) : Readable.from([Buffer.from(file.source.base64, 'base64')]);
  }
}

/** The mapped document with each component's URL (and, once staged, its true size and SHA-256). */
function withFiles(mapped: MappedDocument, files: { url: string; size?: number; sha256?: string }[]): MappedDocument {
  const components = Array.isArray(mapped.data.components) ? (mapped.data.components as Record<string, unknown>[]) : [];
  return {
    ...mapped,
    data: {
      ...mapped.data,
      components: components.map((component, index) => {
        const file = files[index];
        return file ? { ...component, url: file.url, ...(file.size === undefined ? {} : { size: file.size }), ...(file.sha256 === undefined ? {} : { sha256: file.sha256 }) } : component;
      }),
    },
  };
}

function summaryOf(problems: PackageProblem[]): string {
  const first = problems[0]?.message ?? 'rejected';
  return problems.length > 1 ? `${first} (and ${problems.length - 1} more)` : first;
}
