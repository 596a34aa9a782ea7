import { rm } from 'node:fs/promises';
import path from 'node:path';
import { recordCharacterizationRun, type CharacterizationRecord, type PreservationEventRecord } from '@oa-archive/catalog';
import { buildMetadataRecord, characterizeFile, missingElements, type ComponentForRecord } from '@oa-archive/characterize';
import type { StageHandler } from '../context.ts';
import { StageError } from '../errors.ts';
import { withScratch } from '../scratch.ts';
import { localCopy } from '../stagedCopies.ts';
import { checkForViruses, withScanner } from '../virusCheck.ts';

/**
 * Identifies every component from its bytes, reads its technical metadata, re-computes SHA-256 and
 * SM3 (a fixity check of the staged copy), records every risk found, and builds the document's
 * DA/T 46 metadata record. The staged bytes are put in a scratch file only for the readers that
 * need a path (linked from this host's cache when fetch ran here); the file is named by ordinal,
 * never by the OA's file name.
 */
export const characterizeStage: StageHandler = async ({ ingest, deps, log, signal }) => {
  const { catalog, settings, metadataReader, schedule } = deps;
  const forRecord: ComponentForRecord[] = [];
  const summary: Record<string, unknown>[] = [];
  // Recorded together in one statement once every component is characterized.
  const characterizations: CharacterizationRecord[] = [];
  const events: PreservationEventRecord[] = [];
  // Asked first, so an unreachable clamd defers the document before any component is recorded.
  const scanner = deps.virusScanner;
  if (settings.virusScanning === 'clamd' && !scanner) throw new StageError('CLAMAV_MODE=clamd but this worker has no virus scanner; the document waits for one that has', { retryable: true });
  const scannerVersion = scanner ? await withScanner(catalog.pool, ingest.ingestId, () => scanner.version(), { clearOnAnswer: true }) : undefined;
  await withScratch(settings.scratchDir, ingest.ingestId, async (dir) => {
    for (const component of await catalog.listComponents(ingest.ingestId)) {
      // Past the deadline the attempt has failed: start nothing more for it.
      signal?.throwIfAborted();
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
        const scan = await withScanner(catalog.pool, ingest.ingestId, () => checkForViruses(scanner, scannerVersion, { ordinal: component.ordinal, file, sha256: fixity.sha256 }), { clearOnAnswer: false });
        if (scan.finding) result.findings.push(scan.finding);
        events.push(scan.event);
      }
      characterizations.push({
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
  const record = buildMetadataRecord({ ingestId: ingest.ingestId, agencyName: schedule.agency.name, sourceSystem: ingest.source, data: ingest.event.data, components: forRecord, timeZone: settings.agencyTimeZone });
  const missing = missingElements(record, settings.mandatoryMetadata);
  await recordCharacterizationRun(catalog.pool, ingest.ingestId, { characterizations, events, metadata: { record: { ...record }, missing } });
  if (missing.length > 0) log.warn({ missing }, 'mandatory metadata missing');
  return { detail: { components: summary, missingMetadata: missing } };
};
