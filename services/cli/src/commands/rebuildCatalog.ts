import { Catalog, createPool, migrate } from '@oa-archive/catalog';
import { s3SettingsOf } from '@oa-archive/config';
import { rebuildCatalog, type RebuildSummary } from '@oa-archive/pipeline';
import { createS3Client, ObjectStore } from '@oa-archive/storage';
import type { CliConfig } from '../config.ts';

/**
 * `archive rebuild-catalog --into <database url>`: an empty catalog (migrated here) rebuilt from the
 * archive and quarantine buckets. Run again after an interruption, it resumes.
 */
export async function rebuildCatalogCommand(config: CliConfig, into: string | undefined, fonds: string, actor: string, out: (line: string) => void): Promise<number> {
  if (!into) throw new Error('rebuild-catalog needs --into <database url>: the empty database to rebuild the catalog in');
  const catalog = new Catalog(createPool(into, 4));
  const s3 = createS3Client(s3SettingsOf(config));
  try {
    await migrate(catalog.pool);
    const summary = await rebuildCatalog({
      catalog,
      store: new ObjectStore(s3),
      archiveBucket: config.S3_ARCHIVE_BUCKET,
      quarantineBucket: config.S3_QUARANTINE_BUCKET,
      fonds,
      actor,
      progress: (line) => out(line),
    });
    summaryLines(summary).forEach((line) => out(line));
    return 0;
  } finally {
    s3.destroy();
    await catalog.close();
  }
}

/** What was restored and what was not, as a person reads it after a rebuild (and `audit verify` repeats). */
export function summaryLines(summary: RebuildSummary): string[] {
  return [
    `audit trail: ${summary.auditEvents} events replayed from ${summary.anchors} anchors in s3://${summary.bucket}/audit-anchors/, up to event ${summary.trailEndsAt}; events after the last anchor were never in the store and are lost`,
    ...(summary.trailProblem ? [`AUDIT TRAIL INCOMPLETE: ${summary.trailProblem}`] : []),
    `filed documents restored from their bags: ${summary.filed}; quarantined documents restored from their quarantine records: ${summary.quarantined}`,
    `item-number counters set for ${summary.counters} classes (the next document of a class takes the next number)`,
    ...(summary.bagsWithoutRecord?.length ? [`BAGS NOT RESTORED, made before bags carried metadata/catalog.json (their 档号 count in the counters): ${summary.bagsWithoutRecord.length}`, ...summary.bagsWithoutRecord.map((p) => `  s3://${summary.bucket}/${p}/`)] : []),
    ...(summary.filedAfterTrail.length ? [`filed after the last anchor (their trail is the excerpt in the bag's metadata/catalog.json only): ${summary.filedAfterTrail.join(', ')}`] : []),
    `not restored (excluded, waiting for review, failed or unfinished: nothing of them is in the store; have the OA send them again, or archive reconsume): ${summary.notRestored.length}`,
    ...summary.notRestored.map((n) => `  ${n.ingestId}  ${n.source} ${n.documentId} v${n.version}  last ${n.lastStatus}`),
    ...(summary.holds !== undefined ? [`holds restored from the trail (lifted ones too): ${summary.holds}; disposition decisions on restored items: ${summary.dispositionDecisions ?? 0}`] : []),
    ...(summary.scheduleVersions !== undefined ? [`schedule versions made from learned rules, restored from the trail: ${summary.scheduleVersions}`] : []),
    ...(summary.scheduleVersionsWithoutText?.length
      ? [`SCHEDULE VERSIONS NOT RESTORED (accepted before the trail carried their text; accept those rules again): ${summary.scheduleVersionsWithoutText.join(', ')}`]
      : []),
    ...(summary.destroyed?.length ? [`destroyed by disposition (销毁; their objects are gone by decision, the trail keeps the record): ${summary.destroyed.length}`, ...summary.destroyed.map((d) => `  ${d.ingestId}  ${d.referenceCode}  destroyed ${d.at}`)] : []),
    'not restored by design: fixity-audit history (in the trail; custody re-enrols every AIP), receipts and callbacks (already sent), gateway memory, rule proposals (their decisions are in the trail), API tokens (create them again)',
  ];
}
