import { rm } from 'node:fs/promises';
import path from 'node:path';
import { recordCharacterization, recordMetadataRecord, recordPreservationEvent } from '@oa-archive/catalog';
import { buildMetadataRecord, characterizeFile, missingElements, type ComponentForRecord } from '@oa-archive/characterize';
import type { StageHandler } from '../context.ts';
import { StageError } from '../errors.ts';
import { withScratch } from '../scratch.ts';
import { localCopy } from '../stagedCopies.ts';
import { checkForViruses } from '../virusCheck.ts';

/**
 * Identifies every component from its bytes, reads its technical metadata, re-computes SHA-256 and
 * SM3 (a fixity check of the staged copy), records every risk found, and builds the document's
 * DA/T 46 metadata record. The staged bytes are put in a scratch file only for the readers that
 * need a path (linked from this host's cache when fetch ran here); the file is named by ordinal,
 * never by the OA's file name.
 */
export const characterizeStage: StageHandler = async ({ ingest, deps, log }) => {
  const { catalog, settings, metadataReader, schedule } = deps;
  const forRecord: ComponentForRecord[] = [];
  const summary: Record<string, unknown>[] = [];
  // Asked first, so an unreachable clamd fails the attempt before any component is recorded.
  const scanner = deps.virusScanner;
  const scannerVersion = scanner ? await scanner.version() : undefined;
  await withScratch(settings.scratchDir, ingest.ingestId, async (dir) => {
    for (const component of await catalog.listComponents(ingest.ingestId)) {
      if (!component.stagingKey || !component.sha256 || component.size === null) {
        throw new StageError(`component ${component.ordinal} was never staged; replay the ingest from fetch`, { retryable: false });
      }
      const file = path.join(dir, String(component.ordinal));
      // This host's copy from fetch when it has one, else staging's; hashed again as it is read.
      const fixity = await localCopy(deps, { key: component.stagingKey, sha256: component.sha256, size: component.size }, file);
      if (fixity.sha256 !== component.sha256) {
        throw new StageError(`staged copy of component ${component.ordinal} no longer matches the SHA-256 taken at fetch; replay from fetch`, { retryable: false });
      }
      const result = await characterizeFile({
        filePath: file,
        fileName: component.fileName,
        fixity,
        declared: { mediaType: component.declaredMediaType, size: component.declaredSize, sha256: component.declaredSha256 },
        limits: settings.riskLimits,
        reader: metadataReader,
      });
      if (scanner && scannerVersion) {
        const scan = await checkForViruses(scanner, scannerVersion, { ordinal: component.ordinal, file, sha256: fixity.sha256 });
        if (scan.finding) result.findings.push(scan.finding);
        await recordPreservationEvent(catalog.pool, ingest.ingestId, scan.event);
      }
      await recordCharacterization(catalog.pool, ingest.ingestId, {
        ordinal: component.ordinal,
        formatName: result.format.formatName,
        mediaType: result.format.mediaType,
        puid: result.format.puid,
        format: { ...result.format },
        size: fixity.size,
        sha256: fixity.sha256,
        sm3: fixity.sm3,
        technical: { ...result.technical },
        findings: result.findings,
      });
      forRecord.push({ ordinal: component.ordinal, role: component.role, fileName: component.fileName, size: fixity.size, sha256: fixity.sha256, sm3: fixity.sm3, format: result.format, technical: result.technical });
      summary.push({ ordinal: component.ordinal, format: result.format.formatName, puid: result.format.puid, findings: result.findings.map((f) => f.code) });
      await rm(file, { force: true });
    }
  });
  const record = buildMetadataRecord({ ingestId: ingest.ingestId, agencyName: schedule.agency.name, sourceSystem: ingest.source, data: ingest.event.data, components: forRecord });
  const missing = missingElements(record, settings.mandatoryMetadata);
  await recordMetadataRecord(catalog.pool, ingest.ingestId, { ...record }, missing);
  if (missing.length > 0) log.warn({ missing }, 'mandatory metadata missing');
  return { detail: { components: summary, missingMetadata: missing } };
};
