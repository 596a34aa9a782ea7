import { buildBag, toDa46Xml, toPremisXml, type PayloadFile, type PreservationEvent, type PremisObject, type PremisRepresentation } from '@oa-archive/aip';
import {
  accessRestrictionRecordOf,
  aipOf,
  auditEventsOf,
  characterizationsOf,
  classificationOf,
  metadataRecordOf,
  preservationCopiesOf,
  preservationEventsOf,
  recordAip,
  validationReportOf,
  type AipFile,
} from '@oa-archive/catalog';
import { agencyDate } from '@oa-archive/contracts';
import { isIncoming, orderComponents } from '@oa-archive/classify';
import { filedPrefixOf, filedVersionPrefixOf, safeSegment } from '../archiveLayout.ts';
import { CATALOG_RECORD_PATH, catalogRecordOf } from '../catalogRecord.ts';
import type { StageHandler } from '../context.ts';
import { forEachConcurrently } from '../concurrently.ts';
import { StageError } from '../errors.ts';
import { stageEep } from './packageEep.ts';

/** Tag files written to staging at once. */
const TAG_UPLOAD_CONCURRENCY = 4;

/** Bytes that come back unchanged from UTF-8 text the catalog can hold (jsonb has no NUL). */
function isPlainText(content: Buffer): boolean {
  const text = content.toString('utf8');
  return !text.includes('\u0000') && Buffer.from(text, 'utf8').equals(content);
}

/**
 * Builds the document's AIP: a BagIt 1.0 bag with the originals under data/original/, the
 * preservation copies under data/preservation/, and as tag files the DA/T 46 record (XML with the
 * standard's Chinese element names, and a JSON twin), the PREMIS events, the four-properties report,
 * the classification decision and the OA event. Payload bytes stay where they are staged; only the
 * tag files are written here. The bag is built once: a replay deposits exactly the same bag. A new
 * version of a filed item is a bag of its own beside the item's earlier ones (filedVersionPrefixOf),
 * whose PREMIS says which bag it is a new version of.
 */
export const packageStage: StageHandler = async ({ ingest, deps }) => {
  const { catalog, store, settings, schedule, metadataReader } = deps;
  const pool = catalog.pool;
  const existing = await aipOf(pool, ingest.ingestId);
  if (existing) return { detail: { prefix: existing.prefix, files: existing.files.length, reused: true } };

  const [components, characterizations, copies, classification, metadata, report, events, runs] = await Promise.all([
    catalog.listComponents(ingest.ingestId),
    characterizationsOf(pool, ingest.ingestId),
    preservationCopiesOf(pool, ingest.ingestId),
    classificationOf(pool, ingest.ingestId),
    metadataRecordOf(pool, ingest.ingestId),
    validationReportOf(pool, ingest.ingestId),
    preservationEventsOf(pool, ingest.ingestId),
    catalog.stageRuns(ingest.ingestId),
  ]);
  if (!classification?.referenceCode || classification.outcome !== 'FILE') throw new StageError('package needs a FILE decision with its 档号; replay from classify', { retryable: false });
  if (!report?.passed) throw new StageError('package needs a passed four-properties report; replay from validate', { retryable: false });
  if (!metadata) throw new StageError('no DA/T 46 record; replay from characterize', { retryable: false });

  const itemPrefix = filedPrefixOf({ referenceCode: classification.referenceCode, year: classification.year!, category: classification.category!, retention: classification.retention! }, schedule.agency.fonds);
  const prefix = classification.versionOf ? filedVersionPrefixOf(itemPrefix, ingest.version) : itemPrefix;
  const [earlierAip, earlierIngest] = classification.versionOf ? await Promise.all([aipOf(pool, classification.versionOf), catalog.getIngest(classification.versionOf)]) : [];
  if (classification.versionOf && (!earlierAip || !earlierIngest)) {
    throw new StageError(`this is a new version of ingest ${classification.versionOf}, whose AIP the catalog does not hold; replay from classify`, { retryable: false });
  }
  const ordered = orderComponents(components, { incoming: isIncoming(ingest.event.data) });
  const files: AipFile[] = [];
  const objects: PremisObject[] = [];
  const pathOf = new Map<string, string>();
  for (const [index, component] of ordered.entries()) {
    const position = String(index + 1).padStart(3, '0');
    const original = characterizations.find((c) => c.ordinal === component.ordinal);
    const copy = copies.find((c) => c.ordinal === component.ordinal);
    if (!original || !copy || !component.stagingKey) throw new StageError(`component ${component.ordinal} lacks its characterization or preservation copy; replay from characterize`, { retryable: false });
    const originalPath = `data/original/${position}-${safeSegment(component.fileName)}`;
    files.push({ path: originalPath, kind: 'payload', stagingKey: component.stagingKey, size: original.size, sha256: original.sha256, sm3: original.sm3, ordinal: component.ordinal, role: 'original' });
    objects.push({ identifier: originalPath, originalName: component.fileName, size: original.size, sha256: original.sha256, sm3: original.sm3, formatName: original.formatName, puid: original.puid });
    pathOf.set(`${component.ordinal}:original`, originalPath);
    if (copy.action === 'convert') {
      const copyPath = `data/preservation/${position}-${safeSegment(copy.fileName)}`;
      files.push({ path: copyPath, kind: 'payload', stagingKey: copy.stagingKey, size: copy.size, sha256: copy.sha256, sm3: copy.sm3, ordinal: component.ordinal, role: 'preservation' });
      objects.push({ identifier: copyPath, originalName: copy.fileName, size: copy.size, sha256: copy.sha256, sm3: copy.sm3, formatName: copy.formatName, puid: copy.puid });
      pathOf.set(`${component.ordinal}:preservation`, copyPath);
    }
  }

  // PREMIS events from what the catalog recorded, with the times it recorded them.
  const stageEnd = (stage: string) => runs.filter((r) => r.stage === stage && r.status === 'SUCCEEDED').at(-1)?.finishedAt.toISOString() ?? ingest.receivedAt.toISOString();
  const exiftoolVersion = await metadataReader.version().catch(() => undefined);
  const premis: PreservationEvent[] = [
    {
      eventIdentifier: `${ingest.ingestId}-ingestion`,
      eventType: 'ingestion',
      eventDateTime: ingest.receivedAt.toISOString(),
      eventDetail: `文件从${ingest.source}接收（事件${ingest.eventId}）`,
      outcome: 'success',
      agent: { name: 'oa-archive intake', type: 'software' },
      objects: ordered.map((c) => ({ identifier: pathOf.get(`${c.ordinal}:original`)!, role: 'outcome' as const })),
    },
    ...ordered.map((c): PreservationEvent => ({
      eventIdentifier: `${ingest.ingestId}-fixity-${c.ordinal}`,
      eventType: 'message digest calculation',
      eventDateTime: stageEnd('fetch'),
      eventDetail: 'SHA-256 和 SM3 在接收时流式计算',
      outcome: 'success',
      agent: { name: 'oa-archive fetch', type: 'software' },
      objects: [{ identifier: pathOf.get(`${c.ordinal}:original`)!, role: 'source' }],
    })),
    ...ordered.map((c): PreservationEvent => {
      const ch = characterizations.find((x) => x.ordinal === c.ordinal)!;
      return {
        eventIdentifier: `${ingest.ingestId}-identification-${c.ordinal}`,
        eventType: 'format identification',
        eventDateTime: stageEnd('characterize'),
        eventDetail: `${ch.formatName}${ch.puid ? ` (${ch.puid})` : ''}`,
        outcome: ch.findings.some((f) => f.severity !== 'info') ? 'warning' : 'success',
        ...(ch.findings.length ? { outcomeDetail: ch.findings.map((f) => f.message).join('; ') } : {}),
        agent: { name: 'file-type + ExifTool', ...(exiftoolVersion ? { version: `ExifTool ${exiftoolVersion}` } : {}), type: 'software' },
        objects: [{ identifier: pathOf.get(`${c.ordinal}:original`)!, role: 'source' }],
      };
    }),
    ...events.map((e): PreservationEvent => ({
      eventIdentifier: `${ingest.ingestId}-event-${e.id}`,
      eventType: e.eventType,
      eventDateTime: e.eventAt,
      eventDetail: e.options?.length ? `${e.detail}; options: ${e.options.join(' ')}` : e.detail,
      outcome: e.outcome,
      ...(e.outcomeDetail ? { outcomeDetail: e.outcomeDetail } : {}),
      agent: { name: e.agentName, ...(e.agentVersion ? { version: e.agentVersion } : {}), type: 'software' },
      objects:
        e.ordinal === null
          ? []
          : [
              { identifier: pathOf.get(`${e.ordinal}:original`)!, role: 'source' as const },
              ...(pathOf.has(`${e.ordinal}:preservation`) && e.outcome === 'success' ? [{ identifier: pathOf.get(`${e.ordinal}:preservation`)!, role: 'outcome' as const }] : []),
            ],
    })),
  ];
  // The bags are named by where they lie in the archive bucket: the link between versions outlives the catalog.
  let representation: PremisRepresentation | undefined;
  if (earlierAip && earlierIngest) {
    representation = { identifier: prefix, relationships: [{ type: 'derivation', subType: 'is new version of', relatedIdentifier: earlierAip.prefix }] };
    premis.push({
      eventIdentifier: `${ingest.ingestId}-new-version`,
      eventType: 'information package creation',
      eventDateTime: stageEnd('classify'),
      eventDetail: `第${ingest.version}版，为第${earlierIngest.version}版（${earlierAip.prefix}，接收编号${earlierIngest.ingestId}）的新版本，沿用档号${classification.referenceCode}；原版本保持不变`,
      outcome: 'success',
      agent: { name: 'oa-archive package', type: 'software' },
      objects: [
        { identifier: earlierAip.prefix, role: 'source' },
        { identifier: prefix, role: 'outcome' },
      ],
    });
  }

  const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  // 限制利用 (e.g. 内部): DA/T 46 权限管理 beside the record, never a changed 密级.
  const restriction = await accessRestrictionRecordOf(pool, ingest.ingestId);
  const access = restriction ? { 控制标识: restriction.controlMark, 授权对象: restriction.minimumRole, 授权行为: `利用全文（浏览、预览、下载）；${restriction.basis}` } : undefined;
  const tagFiles = [
    { path: 'metadata/da46.xml', content: Buffer.from(toDa46Xml(metadata.record as never, { referenceCode: classification.referenceCode, fonds: schedule.agency.fonds, retention: classification.retention!, year: classification.year!, category: classification.category!, ...(access ? { access } : {}) })) },
    { path: 'metadata/da46.json', content: json({ 档号: classification.referenceCode, ...metadata.record, ...(access ? { 权限管理: access } : {}) }) },
    { path: 'metadata/premis.xml', content: Buffer.from(toPremisXml(premis, objects, representation ? { representation } : {})) },
    { path: 'metadata/four-properties.json', content: json(report.report) },
    { path: 'metadata/classification.json', content: json(classification) },
    { path: 'metadata/oa-event.json', content: json(ingest.event) },
    // What the catalog knew of the document when its bag was made, with its audit trail so far: what a
    // catalog rebuilt from the store restores (docs/custody.md, "Rebuilding the catalog").
    { path: CATALOG_RECORD_PATH, content: json(catalogRecordOf({ ingest, components, characterizations, copies, events, metadata, validation: report, access: restriction, runs, audit: await auditEventsOf(pool, ingest.ingestId) })) },
  ];
  const payload: PayloadFile[] = files.map(({ path, size, sha256, sm3 }) => ({ path, size, sha256, sm3 }));
  // DA/T 48 EEP beside the bag when the schedule asks for it: streamed to staging (every file in base64), listed in the tag manifests.
  const eep = schedule.output.eep
    ? await stageEep({
        deps,
        ingest,
        payload: files,
        describe: (file) => ({ formatInfo: objects.find((o) => o.identifier === file.path)?.formatName ?? '', role: ordered.find((c) => c.ordinal === file.ordinal)?.role ?? '' }),
        record: metadata.record,
        extra: { referenceCode: classification.referenceCode, fonds: schedule.agency.fonds, retention: classification.retention!, year: classification.year!, category: classification.category!, ...(access ? { access } : {}) },
      })
    : undefined;
  const data = ingest.event.data;
  const bag = buildBag({
    payload,
    tagFiles,
    ...(eep ? { stagedTagFiles: [eep.staged] } : {}),
    info: {
      referenceCode: classification.referenceCode,
      fonds: schedule.agency.fonds,
      sourceOrganization: schedule.agency.name,
      sourceSystem: ingest.source,
      externalIdentifier: ingest.ingestId,
      externalDescription: data.title,
      dates: { created: data.dates.created, ...(data.dates.signed ? { signed: data.dates.signed } : {}), finalized: data.dates.finalized },
      // The day the document was received, the agency's calendar day (BagIt: the bag's local date):
      // fixed, so the bag is the same bag whenever it is built.
      baggingDate: agencyDate(ingest.receivedAt, settings.agencyTimeZone),
    },
  });
  // Tag files are small and whole in memory: their text goes into the catalog with the AIP record, for
  // deposit to write, rather than through staging. One that is not plain UTF-8 text is staged instead.
  const staged = bag.files.filter((tag) => !isPlainText(tag.content)).map((tag) => ({ tag, stagingKey: `ingests/${ingest.ingestId}/aip/${tag.path}` }));
  await forEachConcurrently(staged, TAG_UPLOAD_CONCURRENCY, ({ tag, stagingKey }) =>
    store.putBuffer({ bucket: settings.stagingBucket, key: stagingKey, content: tag.content, sha256: tag.sha256, contentType: tag.path.endsWith('.xml') ? 'application/xml' : tag.path.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8' }),
  );
  for (const tag of bag.files) {
    const stagingKey = staged.find((s) => s.tag === tag)?.stagingKey;
    files.push({ path: tag.path, kind: 'tag', ...(stagingKey ? { stagingKey } : { content: tag.content.toString('utf8') }), size: tag.size, sha256: tag.sha256, sm3: tag.sm3 });
  }
  if (eep) files.push(eep.file);
  await recordAip(pool, ingest.ingestId, prefix, files);
  return { detail: { prefix, payload: payload.length, tagFiles: bag.files.length + bag.staged.length, ...(eep ? { eep: { path: eep.file.path, signed: eep.signed } } : {}) } };
};
