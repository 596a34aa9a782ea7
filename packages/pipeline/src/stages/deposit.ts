import { Readable } from 'node:stream';
import { archiveComponentKeyOf, archivePrefixOf } from '../archiveLayout.ts';
import type { StageHandler } from '../context.ts';
import { StageError } from '../errors.ts';
import { createHash } from 'node:crypto';

/**
 * Copies each staged component into the archive bucket, write-once and verified, plus a record of
 * the document (the event as received and the components' digests). Everything written is
 * deterministic, so a retried or replayed deposit finds its own objects and adds nothing.
 */
export const depositStage: StageHandler = async ({ ingest, deps, log }) => {
  const { catalog, store, settings } = deps;
  const prefix = archivePrefixOf(ingest);
  const components = await catalog.listComponents(ingest.ingestId);
  const deposited = [];
  for (const component of components) {
    if (!component.stagingKey || !component.sha256 || component.size === null) {
      throw new StageError(`component ${component.ordinal} was never staged; replay the ingest from fetch`, { retryable: false });
    }
    const stagingKey = component.stagingKey;
    const key = archiveComponentKeyOf(prefix, component);
    const result = await store.depositOnce({
      bucket: settings.archiveBucket,
      key,
      size: component.size,
      sha256: component.sha256,
      contentType: component.declaredMediaType ?? undefined,
      metadata: { 'ingest-id': ingest.ingestId, role: encodeURIComponent(component.role) },
      open: () => store.getStream(settings.stagingBucket, stagingKey),
    });
    await catalog.recordDeposited(ingest.ingestId, component.ordinal, { bucket: result.bucket, key: result.key });
    deposited.push({ ordinal: component.ordinal, key, outcome: result.outcome, verifiedBy: result.verifiedBy });
  }

  const record = Buffer.from(
    JSON.stringify(
      {
        ingestId: ingest.ingestId,
        event: ingest.event,
        components: components.map((c) => ({
          ordinal: c.ordinal,
          role: c.role,
          fileName: c.fileName,
          size: c.size,
          sha256: c.sha256,
          key: archiveComponentKeyOf(prefix, c),
        })),
      },
      null,
      2,
    ),
  );
  const recordKey = `${prefix}/ingest.json`;
  await store.depositOnce({
    bucket: settings.archiveBucket,
    key: recordKey,
    size: record.length,
    sha256: createHash('sha256').update(record).digest('hex'),
    contentType: 'application/json',
    open: async () => Readable.from([record]),
  });

  if (ingest.status !== 'FILED') {
    await catalog.recordOutcome(ingest.ingestId, 'FILED', { bucket: settings.archiveBucket, prefix, objects: deposited.length + 1 });
  }
  log.info({ bucket: settings.archiveBucket, prefix }, 'document filed');
  return { detail: { bucket: settings.archiveBucket, prefix, objects: deposited, record: recordKey } };
};
