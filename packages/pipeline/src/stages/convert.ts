import { rm } from 'node:fs/promises';
import path from 'node:path';
import { characterizationsOf, preservationCopiesOf, recordPreservationCopies, recordPreservationEvent, type PreservationCopyRecord } from '@oa-archive/catalog';
import { characterizeFile } from '@oa-archive/characterize';
import { ConversionError, planFor } from '@oa-archive/convert';
import type { StageHandler } from '../context.ts';
import { describeError, StageError } from '../errors.ts';
import { uploadWithFixity, withScratch } from '../scratch.ts';
import { localCopy } from '../stagedCopies.ts';
import { extractSearchText } from '../searchText.ts';

const MEDIA_TYPES: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', tif: 'image/tiff', wav: 'audio/wav', mp3: 'audio/mpeg', mp4: 'video/mp4' };

/**
 * Makes each component's preservation copy as the conversion policy says: kept as it is (PDF/A,
 * OFD, JPEG …), or converted (office formats → PDF/A-2b with the LibreOffice pool, PDF → PDF/A-2b
 * with Ghostscript, other images, audio and video with ffmpeg). The original is never changed and is
 * deposited beside the copy. Every conversion is a PREMIS event with tool, version, options and both
 * digests. A conversion that cannot succeed sends the document to review (or fails it, per policy);
 * one that may succeed on another try (a hung or crashed instance) is retried first.
 */
export const convertStage: StageHandler = async ({ ingest, deps, attempt, log, signal }) => {
  const { catalog, store, settings, converter, metadataReader, conversionPolicy: policy } = deps;
  if (!converter) throw new StageError('this worker runs no converter (WORKER_STAGES without convert?)', { retryable: true });
  const components = await catalog.listComponents(ingest.ingestId);
  const characterizations = await characterizationsOf(catalog.pool, ingest.ingestId);
  const done = new Set((await preservationCopiesOf(catalog.pool, ingest.ingestId)).map((c) => c.ordinal));
  const summary: Record<string, unknown>[] = [];

  const unresolvable: string[] = [];
  const failedOrdinals: number[] = [];
  // Originals kept as their own preservation copy: recorded together after the loop (cheap to redo on a retry).
  const kept: Omit<PreservationCopyRecord, 'archiveKey'>[] = [];
  // Copies made in this attempt, still in scratch: their text is read from here, not downloaded again.
  const onDisk = new Map<number, string>();
  let extraction: Awaited<ReturnType<typeof extractSearchText>> = [];
  await withScratch(settings.scratchDir, ingest.ingestId, async (dir) => {
    for (const component of components) {
      // Past the deadline the attempt has failed: start nothing more for it.
      signal?.throwIfAborted();
      const original = characterizations.find((c) => c.ordinal === component.ordinal);
      if (!original || !component.stagingKey) throw new StageError(`component ${component.ordinal} was not characterized; replay from characterize`, { retryable: false });
      // A retry does not redo copies already made.
      if (done.has(component.ordinal)) {
        summary.push({ ordinal: component.ordinal, reused: true });
        continue;
      }
      const plan = planFor(policy, { formatName: original.formatName, videoCodec: original.technical.videoCodec as string | undefined });
      if (plan.action === 'review') {
        unresolvable.push(`组件${component.ordinal}（${original.formatName}）：${plan.reason}`);
        continue;
      }
      if (plan.action === 'keep') {
        kept.push({
          ordinal: component.ordinal,
          action: 'keep',
          target: null,
          stagingKey: component.stagingKey,
          fileName: component.fileName,
          size: original.size,
          sha256: original.sha256,
          sm3: original.sm3,
          formatName: original.formatName,
          puid: original.puid,
          technical: original.technical,
          findings: original.findings,
        });
        summary.push({ ordinal: component.ordinal, action: 'keep', format: original.formatName });
        continue;
      }

      const input = path.join(dir, `${component.ordinal}-in`);
      const fixity = await localCopy(deps, { key: component.stagingKey, sha256: original.sha256, size: original.size }, input);
      if (fixity.sha256 !== original.sha256) throw new StageError(`staged copy of component ${component.ordinal} changed since characterization; replay from fetch`, { retryable: false });
      const eventAt = new Date().toISOString();
      try {
        const result = await converter.convert({ input, outputDir: path.join(dir, 'out'), stem: String(component.ordinal), tool: plan.tool, target: plan.target, signal });
        const extension = path.extname(result.output).slice(1);
        const stagingKey = `ingests/${ingest.ingestId}/preservation/${component.ordinal}.${extension}`;
        const copy = await uploadWithFixity(store, settings.stagingBucket, stagingKey, result.output, MEDIA_TYPES[extension] ?? 'application/octet-stream');
        // Package and deposit on this host read it from here.
        await deps.cache?.addFile(result.output, copy.sha256, copy.size);
        const characterized = await characterizeFile({ filePath: result.output, fileName: `${component.ordinal}.${extension}`, fixity: copy, declared: {}, limits: settings.riskLimits, reader: metadataReader });
        const stem = component.fileName.replace(/\.[^.]{1,10}$/, '');
        // The copy with its migration event, in one statement, as soon as it is made: a retry does not make it again.
        const copyRecord: Omit<PreservationCopyRecord, 'archiveKey'> = {
          ordinal: component.ordinal,
          action: 'convert',
          target: plan.target,
          stagingKey,
          fileName: `${stem}.${extension}`,
          size: copy.size,
          sha256: copy.sha256,
          sm3: copy.sm3,
          formatName: characterized.format.formatName,
          puid: characterized.format.puid,
          technical: { ...characterized.technical },
          findings: characterized.findings,
        };
        await recordPreservationCopies(catalog.pool, ingest.ingestId, [copyRecord], [{
          ordinal: component.ordinal,
          eventType: 'migration',
          eventAt,
          detail: `${original.formatName} → ${plan.target} (${plan.tool})`,
          outcome: 'success',
          outcomeDetail: `${characterized.format.formatName}${characterized.format.puid ? ` (${characterized.format.puid})` : ''}, ${copy.size} bytes, ${result.ms} ms`,
          agentName: plan.tool,
          agentVersion: result.toolVersion,
          options: result.options,
          sourceSha256: original.sha256,
          outcomeSha256: copy.sha256,
        }]);
        onDisk.set(component.ordinal, result.output);
        summary.push({ ordinal: component.ordinal, action: 'convert', tool: plan.tool, target: plan.target, format: characterized.format.formatName, ms: result.ms });
      } catch (error) {
        const retryable = error instanceof ConversionError ? error.retryable : true;
        const { reason } = describeError(error);
        await recordPreservationEvent(catalog.pool, ingest.ingestId, {
          ordinal: component.ordinal,
          eventType: 'migration',
          eventAt,
          detail: `${original.formatName} → ${plan.target} (${plan.tool})`,
          outcome: 'failure',
          outcomeDetail: reason,
          agentName: plan.tool,
          agentVersion: await converter.version(plan.tool).catch(() => null),
          sourceSha256: original.sha256,
        });
        // Another attempt may help with a hung or crashed instance; a file the tool cannot read will not change.
        if (retryable && attempt < settings.convertAttempts) throw new StageError(reason, { retryable: true, cause: error });
        if (policy.onFailure === 'fail') throw new StageError(`conversion of component ${component.ordinal} failed: ${reason}`, { retryable, cause: error });
        unresolvable.push(`组件${component.ordinal}（${original.formatName}）转换失败：${reason}`);
        failedOrdinals.push(component.ordinal);
      } finally {
        await rm(input, { force: true });
      }
    }
    await recordPreservationCopies(catalog.pool, ingest.ingestId, kept);
    // Text for search (docs/search.md), once, while this attempt's copies are still in scratch.
    extraction = await extractSearchText({ deps, ingestId: ingest.ingestId, components, copies: await preservationCopiesOf(catalog.pool, ingest.ingestId), onDisk, dir, log, signal });
  });
  const text = { extracted: extraction.filter((e) => e.outcome === 'extracted').length, without: extraction.filter((e) => e.outcome !== 'extracted').map((e) => ({ ordinal: e.ordinal, outcome: e.outcome, reason: e.reason })) };

  if (unresolvable.length > 0) {
    const explanation = `无法生成长期保存格式，原件已保留，请人工处理：${unresolvable.join('；')}`;
    log.warn({ unresolvable }, 'conversion needs a person');
    // code + params beside the sentence: the console renders it in the reader's language (packages/messages).
    const params = { components: failedOrdinals.join(', '), reasons: unresolvable.join('；') };
    return { detail: { components: summary, review: unresolvable, text }, outcome: { status: 'REVIEW', payload: { stage: 'convert', explanation, code: 'review.why.convertFailed', params } } };
  }
  return { detail: { components: summary, policy: policy.version, text } };
};
