import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONVERSION_TARGETS, isAccepted, loadConversionPolicy, mediaTypeOfTarget, planFor, PolicyError, type ConversionPolicy } from '../src/index.ts';

let policy: ConversionPolicy;
beforeAll(async () => {
  policy = await loadConversionPolicy();
});

describe('conversion policy registry (default)', () => {
  it.each([
    ['DOCX', 'libreoffice', 'PDF/A-2b'],
    ['DOC', 'libreoffice', 'PDF/A-2b'],
    ['RTF', 'libreoffice', 'PDF/A-2b'],
    ['TXT', 'libreoffice', 'PDF/A-2b'],
    ['XLSX', 'libreoffice', 'PDF/A-2b'],
    ['PPT', 'libreoffice', 'PDF/A-2b'],
    ['ODP', 'libreoffice', 'PDF/A-2b'],
    ['PDF', 'ghostscript', 'PDF/A-2b'],
    ['BMP', 'ffmpeg', 'PNG'],
    ['GIF', 'ffmpeg', 'PNG'],
    ['FLAC', 'ffmpeg', 'WAV'],
    ['AVI', 'ffmpeg', 'MP4'],
  ])('converts %s with %s to %s', (formatName, tool, target) => {
    expect(planFor(policy, { formatName })).toMatchObject({ action: 'convert', tool, target });
  });

  it.each(['PDF/A-2b', 'PDF/A-1a', 'PDF/A-3u', 'OFD', 'JPEG', 'TIFF', 'PNG', 'WAV', 'MP3'])('keeps %s as it is', (formatName) => {
    expect(planFor(policy, { formatName }).action).toBe('keep');
  });

  it('keeps H.264 MP4 and converts MP4 with another codec', () => {
    expect(planFor(policy, { formatName: 'MP4', videoCodec: 'avc1' }).action).toBe('keep');
    expect(planFor(policy, { formatName: 'MP4', videoCodec: 'hvc1' })).toMatchObject({ action: 'convert', target: 'MP4' });
    expect(planFor(policy, { formatName: 'MP4' })).toMatchObject({ action: 'convert' });
  });

  it('sends a format no rule names to review, saying so', () => {
    expect(planFor(policy, { formatName: 'XML' })).toMatchObject({ action: 'review', reason: expect.stringMatching(/no conversion rule for XML/) });
  });

  it('names the media type each target produces, and none for a name that is no target', () => {
    expect(CONVERSION_TARGETS.map((target) => mediaTypeOfTarget(target))).toEqual(['application/pdf', 'application/pdf', 'application/pdf', 'image/png', 'image/tiff', 'audio/wav', 'audio/mpeg', 'video/mp4']);
    expect(mediaTypeOfTarget('PDF/A-4')).toBeUndefined();
  });

  it('knows which formats are accepted for preservation', () => {
    expect(isAccepted(policy, 'PDF/A-2b')).toBe(true);
    expect(isAccepted(policy, 'PDF')).toBe(false);
    expect(isAccepted(policy, 'DOCX')).toBe(false);
  });

  it('refuses a policy that asks a tool for what it cannot make', async () => {
    const file = path.join(tmpdir(), `policy-${process.pid}.yaml`);
    await writeFile(file, 'schema: oa-archive/conversion-policy@1\nversion: x\naccepted: [PNG]\nunmatched: keep\nonFailure: review\nrules:\n  - { formats: [BMP], action: convert, tool: libreoffice, target: PNG }\n');
    await expect(loadConversionPolicy(file)).rejects.toBeInstanceOf(PolicyError);
    await expect(loadConversionPolicy(file)).rejects.toThrow(/rules\.0: PDF\/A targets need libreoffice or ghostscript/);
  });
});
