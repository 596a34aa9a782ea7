/**
 * The archive's command line: `archive <command>`. The commands, and what each does, are in usage.ts
 * (printed by `archive` alone, in the reader's language); docs/operator.md explains their options.
 */
import { parseArgs } from 'node:util';
import { text } from 'node:stream/consumers';
import { auditEventsOf, Catalog, characterizationsOf, classificationOf, createPool, metadataRecordOf, migrate } from '@oa-archive/catalog';
import { loadSchedule } from '@oa-archive/classify';
import { s3SettingsOf } from '@oa-archive/config';
import { INGEST_STATUSES, type IngestStatus } from '@oa-archive/contracts';
import { translator } from '@oa-archive/messages';
import { createS3Client, ObjectStore } from '@oa-archive/storage';
import { anchorAuditChain } from '@oa-archive/pipeline';
import { auditVerify } from './commands/auditVerify.ts';
import { classifyDryRun } from './commands/classifyDryRun.ts';
import { kafkaRepairCommand, replayCommand, reviewCommand, tokenCommand } from './commands/operate.ts';
import { awaitOutcomes, ingestTable, outcomeSummary, sourceOutcomes } from './commands/ingests.ts';
import { reconcileJobsCommand } from './commands/recovery.ts';
import { reconcileCommand } from './commands/completeness.ts';
import { fixityCommand } from './commands/fixity.ts';
import { callbacksCommand } from './commands/callbacks.ts';
import { dispositionCommand, holdsCommand } from './commands/disposition.ts';
import { proposalsCommand } from './commands/proposals.ts';
import { rebuildCatalogCommand } from './commands/rebuildCatalog.ts';
import { loadCliConfig, localeOfEnv, type CliConfig } from './config.ts';
import { usageText } from './usage.ts';


const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    status: { type: 'string' },
    source: { type: 'string' },
    limit: { type: 'string', default: '200' },
    documents: { type: 'string' },
    timeout: { type: 'string', default: '120' },
    'read-back': { type: 'boolean', default: false },
    schedule: { type: 'string' },
    from: { type: 'string' },
    bulk: { type: 'boolean', default: false },
    stage: { type: 'string' },
    'error-class': { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    rate: { type: 'string' },
    file: { type: 'string' },
    exclude: { type: 'string' },
    quarantine: { type: 'string' },
    retry: { type: 'boolean', default: false },
    note: { type: 'string' },
    confirm: { type: 'boolean', default: false },
    name: { type: 'string' },
    role: { type: 'string' },
    as: { type: 'string' },
    json: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    ingest: { type: 'string' },
    state: { type: 'string' },
    'as-of': { type: 'string' },
    decision: { type: 'string' },
    reason: { type: 'string' },
    years: { type: 'string' },
    csv: { type: 'boolean', default: false },
    pdf: { type: 'boolean', default: false },
    out: { type: 'string' },
    code: { type: 'string' },
    class: { type: 'string' },
    into: { type: 'string' },
  },
});
const [command, sub] = positionals;
// `archive ingests | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const out = (line: string) => process.stdout.write(`${line}\n`);

/** The dry run needs no database or store: it must run on a records officer's laptop. */
async function classifyCommand(): Promise<number> {
  const schedule = await loadSchedule(values.schedule ?? process.env.RETENTION_SCHEDULE);
  const { lines, invalid, outcomes, unknownDocumentTypes } = await classifyDryRun(process.stdin, process.stdout, schedule);
  // The dry run needs no database: the language comes from ARCHIVE_LOCALE or the shell, as for every command.
  const t = translator(localeOfEnv(process.env));
  const counts = Object.entries(outcomes).map(([o, n]) => `${o} ${n}`);
  if (invalid) counts.push(`INVALID ${invalid}`);
  process.stderr.write(`${t('cli.classify.summary', { lines, version: schedule.version, counts: counts.join(' · ') })}\n`);
  const unknown = Object.entries(unknownDocumentTypes).map(([type, n]) => `${type} (${n})`);
  if (unknown.length > 0) process.stderr.write(`${t('cli.classify.unknownTypes', { types: unknown.join(', ') })}\n`);
  return invalid > 0 ? 1 : 0;
}

async function catalogCommand(config: CliConfig, catalog: Catalog): Promise<number> {
  if (command === 'migrate') {
    const { applied } = await migrate(catalog.pool);
    const t = translator(config.ARCHIVE_LOCALE);
    out(applied.length ? t('cli.migrate.applied', { migrations: applied.join(', ') }) : t('cli.migrate.upToDate'));
    return 0;
  }
  if (command === 'audit' && sub === 'verify') {
    const s3 = createS3Client(s3SettingsOf(config));
    try {
      const report = await auditVerify(catalog, new ObjectStore(s3), { readBack: values['read-back'], anchorBucket: config.S3_ARCHIVE_BUCKET, locale: config.ARCHIVE_LOCALE });
      report.lines.forEach((line) => out(line));
      return report.ok ? 0 : 1;
    } finally {
      s3.destroy();
    }
  }
  if (command === 'audit' && sub === 'anchor') {
    const s3 = createS3Client(s3SettingsOf(config));
    try {
      const result = await anchorAuditChain({ catalog, store: new ObjectStore(s3), bucket: config.S3_ARCHIVE_BUCKET, objectLock: config.S3_OBJECT_LOCK });
      out(result.outcome === 'written' || result.outcome === 'already-present' ? `anchor ${result.outcome}: event ${result.anchor.seq}, hash ${result.anchor.hash} → s3://${config.S3_ARCHIVE_BUCKET}/${result.key}` : result.outcome === 'empty' ? 'the audit chain is empty: nothing to anchor' : 'another process is anchoring right now; try again');
      return result.outcome === 'busy' ? 1 : 0;
    } finally {
      s3.destroy();
    }
  }
  if (command === 'ingests') {
    const status = values.status?.toUpperCase();
    if (status && !INGEST_STATUSES.includes(status as IngestStatus)) throw new Error(`--status must be one of ${INGEST_STATUSES.join(', ')}`);
    const ingests = await catalog.listIngests({ ...(status ? { status: status as IngestStatus } : {}), ...(values.source ? { source: values.source } : {}), limit: Number(values.limit) });
    out(await ingestTable(catalog, ingests, config.ARCHIVE_LOCALE));
    out(`\n${Object.entries(await catalog.countByStatus(values.source)).map(([s, n]) => `${s} ${n}`).join(' · ') || translator(config.ARCHIVE_LOCALE)('cli.ingests.none')}`);
    return 0;
  }
  if (command === 'show' && sub) {
    const { rows } = await catalog.pool.query<{ ingest_id: string }>('SELECT ingest_id FROM ingests WHERE ingest_id = $1 OR document_id = $1 ORDER BY version DESC', [sub]);
    if (rows.length === 0) throw new Error(`no ingest with id or document id "${sub}"`);
    for (const { ingest_id } of rows) {
      const { event: _event, ...summary } = (await catalog.getIngest(ingest_id))!;
      out(
        JSON.stringify(
          {
            ...summary,
            classification: await classificationOf(catalog.pool, ingest_id),
            components: await catalog.listComponents(ingest_id),
            characterizations: await characterizationsOf(catalog.pool, ingest_id),
            metadata: await metadataRecordOf(catalog.pool, ingest_id),
            stageRuns: await catalog.stageRuns(ingest_id),
            audit: await auditEventsOf(catalog.pool, ingest_id),
          },
          null,
          2,
        ),
      );
    }
    return 0;
  }
  if (command === 'token') return tokenCommand(catalog, sub, values, out, config.ARCHIVE_LOCALE);
  if (command === 'callbacks') return callbacksCommand(catalog, sub, positionals.slice(2), values, values.as ?? process.env.USER ?? 'cli', out, config.ARCHIVE_LOCALE);
  if (command === 'redrive' || command === 'reconsume') return kafkaRepairCommand(config, catalog, command, values, out);
  if (command === 'replay') return replayCommand(config, catalog, sub, values, out);
  if (command === 'review') return reviewCommand(config, catalog, sub, positionals[2], values, out);
  if (command === 'proposals') return proposalsCommand(config, catalog, sub, positionals[2], values, values.as ?? process.env.USER ?? 'cli', out);
  if (command === 'disposition') return dispositionCommand(config, catalog, sub, positionals[2], values, out);
  if (command === 'holds') return holdsCommand(config, catalog, sub, values, out);
  if (command === 'fixity') return fixityCommand(config, catalog, sub, positionals[2], values, out);
  if (command === 'reconcile') return reconcileCommand(config, catalog, values, out);
  if (command === 'reconcile-jobs') return reconcileJobsCommand(config, catalog, values.as ?? process.env.USER ?? 'cli', out);
  if (command === 'await') {
    // Ids as a list, or the simulator's JSON lines (documentId, and the source when it says) on stdin.
    const fallback = values.source ?? 'oa-simulator';
    const wanted = values.documents
      ? values.documents.split(',').map((s) => s.trim()).filter(Boolean).map((documentId) => ({ source: fallback, documentId }))
      : (await text(process.stdin))
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean)
          .map((line) => (line.startsWith('{') ? { source: String(JSON.parse(line).source ?? fallback), documentId: String(JSON.parse(line).documentId) } : { source: fallback, documentId: line }));
    if (wanted.length === 0) throw new Error('no document ids given (--documents a,b or one per line on stdin)');
    const bySource = Map.groupBy(wanted, (w) => w.source);
    const progress = new Map<string, number>();
    const groups = await Promise.all(
      [...bySource].map(([source, documents]) =>
        awaitOutcomes(catalog, {
          source,
          documentIds: documents.map((d) => d.documentId),
          timeoutMs: Number(values.timeout) * 1000,
          onProgress: (n) => {
            progress.set(source, n);
            process.stderr.write(`\r${[...progress.values()].reduce((a, b) => a + b, 0)}/${wanted.length} documents have an outcome`);
          },
        }),
      ),
    );
    process.stderr.write('\n');
    const done = groups.flat();
    out(await ingestTable(catalog, done, config.ARCHIVE_LOCALE));
    if (bySource.size > 1) {
      // Per source (one per way in, in the demo): how many arrived and how they ended.
      for (const [source, ingests] of Map.groupBy(done, (i) => i.source)) out(sourceOutcomes(source, ingests, config.ARCHIVE_LOCALE));
    }
    out(outcomeSummary(done, config.ARCHIVE_LOCALE));
    return done.every((i) => i.status !== 'FAILED') ? 0 : 1;
  }
  process.stderr.write(usageText(config.ARCHIVE_LOCALE));
  return 2;
}

try {
  if (command === undefined || command === 'help') {
    // Needs no database: the help must show even where nothing is configured yet.
    process.stdout.write(usageText(localeOfEnv(process.env)));
    process.exitCode = command === undefined ? 2 : 0;
  } else if (command === 'classify') {
    process.exitCode = await classifyCommand();
  } else if (command === 'rebuild-catalog') {
    // Into another database than DATABASE_URL's, which is never migrated or touched here.
    const schedule = await loadSchedule(values.schedule ?? process.env.RETENTION_SCHEDULE);
    process.exitCode = await rebuildCatalogCommand(loadCliConfig(), values.into, schedule.agency.fonds, `cli:${values.as ?? process.env.USER ?? 'cli'}`, out);
  } else {
    const config = loadCliConfig();
    const catalog = new Catalog(createPool(config.DATABASE_URL, 4));
    try {
      // A catalog behind the code is brought up to date first (idempotent, under an advisory lock).
      if (command !== 'migrate') await migrate(catalog.pool);
      process.exitCode = await catalogCommand(config, catalog);
    } finally {
      await catalog.close();
    }
  }
} catch (error) {
  process.stderr.write(`archive: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
