import { Catalog, createPool, migrate } from '@oa-archive/catalog';
import { s3SettingsOf } from '@oa-archive/config';
import { rebuildCatalog, type RebuildProgress, type RebuildSummary } from '@oa-archive/pipeline';
import { createS3Client, ObjectStore } from '@oa-archive/storage';
import { translator, type Locale } from '@oa-archive/messages';
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
      progress: (step) => out(progressLine(step, config.ARCHIVE_LOCALE)),
    });
    summaryLines(summary, config.ARCHIVE_LOCALE).forEach((line) => out(line));
    return 0;
  } finally {
    s3.destroy();
    await catalog.close();
  }
}

/** One step of a rebuild as it goes, in the reader's language. */
export function progressLine(step: RebuildProgress, locale: Locale): string {
  const t = translator(locale);
  switch (step.step) {
    case 'trail':
      return t('cli.rebuild.progress.trail', { replayedTo: step.replayedTo, anchor: step.anchor });
    case 'bags':
    case 'quarantine':
      return t(`cli.rebuild.progress.${step.step}`, { done: step.done, total: step.total, restored: step.restored });
    case 'counters':
      return t('cli.rebuild.progress.counters', { classes: step.classes });
    case 'custody':
      return t('cli.rebuild.progress.custody', { holds: step.holds, decisions: step.decisions, scheduleVersions: step.scheduleVersions });
  }
}

/** What was restored and what was not, as a person reads it after a rebuild (and `audit verify` repeats). */
export function summaryLines(summary: RebuildSummary, locale: Locale): string[] {
  const t = translator(locale);
  return [
    t('cli.rebuild.trail', { events: summary.auditEvents, anchors: summary.anchors, bucket: summary.bucket, end: summary.trailEndsAt }),
    ...(summary.trailProblem ? [t('cli.rebuild.trailIncomplete', { problem: summary.trailProblem })] : []),
    t('cli.rebuild.restored', { filed: summary.filed, quarantined: summary.quarantined }),
    t('cli.rebuild.counters', { classes: summary.counters }),
    ...(summary.bagsWithoutRecord?.length ? [t('cli.rebuild.bagsWithoutRecord', { count: summary.bagsWithoutRecord.length }), ...summary.bagsWithoutRecord.map((p) => `  s3://${summary.bucket}/${p}/`)] : []),
    ...(summary.filedAfterTrail.length ? [t('cli.rebuild.filedAfterTrail', { ingests: summary.filedAfterTrail.join(', ') })] : []),
    t('cli.rebuild.notRestored', { count: summary.notRestored.length }),
    ...summary.notRestored.map((n) => t('cli.rebuild.notRestoredItem', { ingest: n.ingestId, source: n.source, document: n.documentId, version: n.version, status: n.lastStatus })),
    // Summaries of rebuilds made before these were restored have none of the fields below.
    ...(summary.holds !== undefined ? [t('cli.rebuild.custody', { holds: summary.holds, decisions: summary.dispositionDecisions ?? 0 })] : []),
    ...(summary.scheduleVersions !== undefined ? [t('cli.rebuild.scheduleVersions', { count: summary.scheduleVersions })] : []),
    ...(summary.scheduleVersionsWithoutText?.length ? [t('cli.rebuild.scheduleVersionsMissing', { versions: summary.scheduleVersionsWithoutText.join(', ') })] : []),
    ...(summary.destroyed?.length
      ? [t('cli.rebuild.destroyed', { count: summary.destroyed.length }), ...summary.destroyed.map((d) => t('cli.rebuild.destroyedItem', { ingest: d.ingestId, referenceCode: d.referenceCode, at: d.at }))]
      : []),
    t('cli.rebuild.byDesign'),
  ];
}
