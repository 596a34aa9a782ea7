import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { characterizationsOf, classificationOf, metadataRecordOf } from '@oa-archive/catalog';
import { isIncoming, orderComponents } from '@oa-archive/classify';
import { archiveComponentKeyOf, archivePrefixOf, filedPrefixOf } from '../archiveLayout.ts';
import type { StageHandler } from '../context.ts';
import { StageError } from '../errors.ts';

/**
 * Copies each staged component, in DA/T 22 order, write-once and verified: a FILE document into the
 * archive bucket under its 档号, a QUARANTINE document into the quarantine bucket, never the open
 * archive. Beside them goes a record of the document (event, classification, DA/T 46 metadata,
 * characterization). Everything written is deterministic, so a retried or replayed deposit finds its
 * own objects and adds nothing.
 */
export const depositStage: StageHandler = async ({ ingest, deps, log }) => {
  const { catalog, store, settings, schedule } = deps;
  const classification = await classificationOf(catalog.pool, ingest.ingestId);
  if (!classification || (classification.outcome !== 'FILE' && classification.outcome !== 'QUARANTINE')) {
    throw new StageError(`deposit needs a FILE or QUARANTINE decision, found ${classification?.outcome ?? 'none'}; replay from classify`, { retryable: false });
  }
  const quarantined = classification.outcome === 'QUARANTINE';
  const bucket = quarantined ? settings.quarantineBucket : settings.archiveBucket;
  const prefix = quarantined
    ? archivePrefixOf(ingest)
    : filedPrefixOf({ referenceCode: classification.referenceCode!, year: classification.year!, category: classification.category!, retention: classification.retention! }, schedule.agency.fonds);
  const components = orderComponents(await catalog.listComponents(ingest.ingestId), { incoming: isIncoming(ingest.event.data) });

  const deposited = [];
  for (const [index, component] of components.entries()) {
    if (!component.stagingKey || !component.sha256 || component.size === null) {
      throw new StageError(`component ${component.ordinal} was never staged; replay the ingest from fetch`, { retryable: false });
    }
    const stagingKey = component.stagingKey;
    const key = archiveComponentKeyOf(prefix, index + 1, component);
    const result = await store.depositOnce({
      bucket,
      key,
      size: component.size,
      sha256: component.sha256,
      contentType: component.declaredMediaType ?? undefined,
      metadata: { 'ingest-id': ingest.ingestId, role: encodeURIComponent(component.role), ...(component.sm3 ? { sm3: component.sm3 } : {}) },
      open: () => store.getStream(settings.stagingBucket, stagingKey),
    });
    await catalog.recordDeposited(ingest.ingestId, component.ordinal, { bucket: result.bucket, key: result.key });
    deposited.push({ ordinal: component.ordinal, position: index + 1, key, outcome: result.outcome, verifiedBy: result.verifiedBy });
  }

  const [metadata, characterizations] = await Promise.all([metadataRecordOf(catalog.pool, ingest.ingestId), characterizationsOf(catalog.pool, ingest.ingestId)]);
  const record = Buffer.from(
    JSON.stringify(
      {
        ingestId: ingest.ingestId,
        referenceCode: classification.referenceCode,
        classification,
        metadata: metadata?.record ?? null,
        event: ingest.event,
        components: components.map((c, index) => ({
          position: index + 1,
          ordinal: c.ordinal,
          role: c.role,
          fileName: c.fileName,
          size: c.size,
          sha256: c.sha256,
          sm3: c.sm3,
          key: archiveComponentKeyOf(prefix, index + 1, c),
          characterization: characterizations.find((x) => x.ordinal === c.ordinal) ?? null,
        })),
      },
      null,
      2,
    ),
  );
  const recordKey = `${prefix}/ingest.json`;
  await store.depositOnce({
    bucket,
    key: recordKey,
    size: record.length,
    sha256: createHash('sha256').update(record).digest('hex'),
    contentType: 'application/json',
    open: async () => Readable.from([record]),
  });

  const outcome = quarantined ? 'QUARANTINED' : 'FILED';
  if (ingest.status !== outcome) {
    await catalog.recordOutcome(ingest.ingestId, outcome, { bucket, prefix, referenceCode: classification.referenceCode, objects: deposited.length + 1 });
  }
  log.info({ bucket, prefix, referenceCode: classification.referenceCode }, quarantined ? 'document quarantined' : 'document filed');
  return { detail: { bucket, prefix, referenceCode: classification.referenceCode, objects: deposited, record: recordKey }, nextJobKey: outcome.toLowerCase() };
};
