import { FINAL_STATUSES, type IngestStatus } from '@oa-archive/contracts';
import { classificationOf, type Catalog, type IngestRecord } from '@oa-archive/catalog';
import { isMessageCode, translator, type Locale, type Translate } from '@oa-archive/messages';
import { formatTable } from '../table.ts';

const stageOf = (t: Translate, stage: string | null) => (stage && isMessageCode(`stage.${stage}`) ? t(`stage.${stage}` as 'stage.fetch') : (stage ?? ''));

/** Where the document went, or why it went nowhere, in a line. */
async function whereFiled(catalog: Catalog, ingest: IngestRecord, t: Translate): Promise<string> {
  if (ingest.status === 'FAILED') return t('cli.failedAt', { stage: stageOf(t, ingest.failedStage), reason: ingest.failureReason });
  const classification = await classificationOf(catalog.pool, ingest.ingestId);
  if (ingest.status === 'EXCLUDED' || ingest.status === 'REVIEW') return classification?.explanation ?? '';
  const components = await catalog.listComponents(ingest.ingestId);
  const first = components.find((c) => c.archiveKey);
  if (!first) return ingest.currentStage ? t('cli.atStage', { stage: stageOf(t, ingest.currentStage) }) : '';
  // Filed documents are bags (<档号>/data/original/…); quarantined ones keep <…>/original/….
  const key = first.archiveKey!;
  const prefix = key.slice(0, key.includes('/data/original/') ? key.indexOf('/data/original/') : key.indexOf('/original/'));
  return `s3://${first.archiveBucket}/${prefix}/ (${t('cli.files', { count: components.length })})`;
}

/** The ingests as a table in the reader's language (ARCHIVE_LOCALE); statuses keep their code beside the word. */
export async function ingestTable(catalog: Catalog, ingests: IngestRecord[], locale: Locale = 'zh-CN'): Promise<string> {
  const t = translator(locale);
  const rows = await Promise.all(
    ingests.map(async (i) => [
      i.documentId,
      i.title,
      locale === 'en' ? i.status : `${t(`status.${i.status}`)} ${i.status}`,
      (await classificationOf(catalog.pool, i.ingestId))?.referenceCode ?? '',
      await whereFiled(catalog, i, t),
    ]),
  );
  return formatTable([t('cli.col.document'), t('cli.col.title'), t('cli.col.status'), t('cli.col.referenceCode'), t('cli.col.where')], rows, 76);
}

/** The outcomes a batch can end in, in the order a records officer reads them. */
const OUTCOME_STATUSES = ['FILED', 'EXCLUDED', 'REVIEW', 'QUARANTINED', 'FAILED'] as const satisfies readonly IngestStatus[];

/**
 * How a batch ended, every kind of outcome named, a zero included, so a missing kind shows:
 * 本批结果：已归档 18 · 不归档 5 · 待鉴定 3 · 已隔离 1 · 失败 0.
 */
export function outcomeSummary(ingests: readonly IngestRecord[], locale: Locale = 'zh-CN'): string {
  const t = translator(locale);
  const counts = OUTCOME_STATUSES.map((status) => `${t(`status.${status}`)} ${ingests.filter((i) => i.status === status).length}`);
  return t('cli.await.outcomes', { count: ingests.length, outcomes: counts.join(' · ') });
}

/** One source's share of a batch (one per way in, in the demo): how many arrived and how they ended. */
export function sourceOutcomes(source: string, ingests: readonly IngestRecord[], locale: Locale = 'zh-CN'): string {
  const t = translator(locale);
  const outcomes = [...Map.groupBy(ingests, (i) => i.status)].map(([status, list]) => `${t(`status.${status}`)} ${list.length}`).join(' · ');
  return `${source.padEnd(14)} ${t('cli.await.source', { count: String(ingests.length).padStart(3), outcomes })}`;
}

/** Waits until the given documents of a source have an outcome; returns them, or throws on timeout. */
export async function awaitOutcomes(catalog: Catalog, options: { source: string; documentIds: string[]; timeoutMs: number; onProgress?: (done: number) => void }): Promise<IngestRecord[]> {
  const deadline = Date.now() + options.timeoutMs;
  const wanted = new Set(options.documentIds);
  for (;;) {
    const ingests = (await catalog.listIngests({ source: options.source, limit: 100_000 })).filter((i) => wanted.has(i.documentId));
    const done = ingests.filter((i) => FINAL_STATUSES.includes(i.status) || i.status === ('REVIEW' satisfies IngestStatus));
    options.onProgress?.(done.length);
    if (done.length === wanted.size) return done.sort((a, b) => a.documentId.localeCompare(b.documentId));
    if (Date.now() > deadline) {
      throw new Error(`${wanted.size - done.length} of ${wanted.size} documents have no outcome after ${options.timeoutMs / 1000}s; see \`pnpm archive ingests\``);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
