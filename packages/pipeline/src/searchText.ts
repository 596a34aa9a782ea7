import path from 'node:path';
import type { Logger } from '@oa-archive/observability';
import { recordExtractedText, type ComponentRecord, type ComponentTextExtraction, type PreservationCopyRecord } from '@oa-archive/catalog';
import { extractPdfText, type TextExtractionLimits } from '@oa-archive/convert';
import type { PipelineDeps } from './context.ts';
import { describeError, StageError } from './errors.ts';
import { localCopy } from './stagedCopies.ts';

/** A copy whose text Ghostscript can read: any PDF, PDF/A or not (a kept PDF/A original is one). */
const isPdf = (copy: Pick<PreservationCopyRecord, 'formatName' | 'target'>) => copy.formatName === 'PDF' || copy.formatName.startsWith('PDF/A') || (copy.target?.startsWith('PDF/A') ?? false);

/**
 * Extracts the text of each component's preservation copy for search (docs/search.md) and records it
 * with what became of every component. A copy this stage just made is read where it lies in scratch
 * (`onDisk`); a kept original or a copy made by an earlier attempt is read from this host's cache or
 * staging. Text is a finding aid, not part of the archive: a copy whose text cannot be read is
 * recorded with the reason and the document files all the same. Only the stage's own deadline stops it.
 */
export async function extractSearchText(args: {
  deps: Pick<PipelineDeps, 'catalog' | 'store' | 'settings' | 'cache'>;
  ingestId: string;
  components: readonly Pick<ComponentRecord, 'ordinal'>[];
  copies: readonly PreservationCopyRecord[];
  onDisk: ReadonlyMap<number, string>;
  dir: string;
  log: Logger;
  limits?: TextExtractionLimits;
  signal?: AbortSignal;
}): Promise<ComponentTextExtraction[]> {
  const { deps, ingestId, dir, log, signal } = args;
  const texts: { ordinal: number; text: string }[] = [];
  const extraction: ComponentTextExtraction[] = [];
  for (const { ordinal } of [...args.components].sort((a, b) => a.ordinal - b.ordinal)) {
    signal?.throwIfAborted();
    const copy = args.copies.find((c) => c.ordinal === ordinal);
    if (!copy) {
      extraction.push({ ordinal, outcome: 'not-text', source: null, chars: 0, truncated: false, reason: 'no preservation copy (conversion failed or waits for a person)' });
      continue;
    }
    const source = copy.action === 'keep' ? 'original' : 'preservation';
    if (!isPdf(copy)) {
      extraction.push({ ordinal, outcome: 'not-text', source, chars: 0, truncated: false, reason: `${copy.formatName}: no text is extracted from this format` });
      continue;
    }
    try {
      let file = args.onDisk.get(ordinal);
      if (!file) {
        file = path.join(dir, `text-${ordinal}.pdf`);
        const fixity = await localCopy(deps, { key: copy.stagingKey, sha256: copy.sha256, size: copy.size }, file);
        if (fixity.sha256 !== copy.sha256) throw new StageError(`staged copy of component ${ordinal} changed since it was made`, { retryable: false });
      }
      const { text, truncated } = await extractPdfText(file, { ...(args.limits ? { limits: args.limits } : {}), ...(signal ? { signal } : {}) });
      texts.push({ ordinal, text });
      extraction.push(
        text
          ? { ordinal, outcome: 'extracted', source, chars: text.length, truncated }
          : { ordinal, outcome: 'empty', source, chars: 0, truncated: false, reason: 'the PDF holds no text Ghostscript can read (a scan, or glyphs without a Unicode map)' },
      );
    } catch (error) {
      // The stage's deadline passed: the attempt has failed, do not record half an answer.
      if (signal?.aborted) throw error;
      const { reason } = describeError(error);
      log.warn({ ordinal, reason }, 'no text extracted for search');
      extraction.push({ ordinal, outcome: 'failed', source, chars: 0, truncated: false, reason });
    }
  }
  await recordExtractedText(deps.catalog.pool, ingestId, texts, extraction);
  return extraction;
}
