import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as make from './fixtures.ts';
import { limits, Workspace } from './harness.ts';

/** What the OA claims against the bytes, the size gates, and limits that change the verdict. */

const workspace = new Workspace();
beforeAll(() => workspace.open());
afterAll(() => workspace.close());

describe('size gates', () => {
  it('reports an empty file as zero-bytes only, without reading it', async () => {
    const { identification, findings } = await workspace.characterize('empty.pdf', Buffer.alloc(0));
    expect(identification.formatName).toBe('unknown');
    expect(findings).toEqual([{ code: 'zero-bytes', severity: 'integrity', message: expect.stringContaining('0 bytes') }]);
  });

  it('stops at too-large: no content checks, but name and claims still count', async () => {
    const small = { ...limits, maxBytes: 100 };
    const { codes, findings } = await workspace.characterize('~script.docx', make.pdfWithJavaScript(), { limits: small });
    expect(codes).toEqual(['extension-mismatch', 'too-large', 'unsafe-file-name']);
    expect(findings.find((f) => f.code === 'too-large')?.severity).toBe('unsafe');
  });
});

describe('extension and media type claims', () => {
  it('identifies from the bytes, never the name: a PDF named .docx', async () => {
    const { identification, findings } = await workspace.characterize('report.docx', make.pdf());
    expect(identification.formatName).toBe('PDF');
    expect(findings).toEqual([{ code: 'extension-mismatch', severity: 'authenticity', message: expect.stringContaining('.docx') }]);
  });

  it.each([
    { fileName: 'photo.jpeg', bytes: make.jpeg },
    { fileName: 'PHOTO.JPG', bytes: make.jpeg },
    { fileName: 'scan.tiff', bytes: make.tiff },
    { fileName: 'page.htm', bytes: make.html },
    { fileName: 'export.csv', bytes: make.txt },
    { fileName: 'README', bytes: make.txt },
    { fileName: 'salaries.docx', bytes: make.ooxmlEncrypted },
  ])('accepts the name $fileName', async ({ fileName, bytes }) => {
    const { codes } = await workspace.characterize(fileName, bytes());
    expect(codes.filter((c) => c === 'extension-mismatch')).toEqual([]);
  });

  it('flags a declared media type that disagrees with the bytes', async () => {
    const { codes, findings } = await workspace.characterize('scan.png', make.png(), { declaredMediaType: 'image/jpeg' });
    expect(codes).toEqual(['media-type-mismatch']);
    expect(findings[0]!.message).toContain('image/png');
  });

  it.each([
    { fileName: 'photo.jpg', bytes: make.jpeg, declared: 'image/jpg' },
    { fileName: 'photo.jpg', bytes: make.jpeg, declared: 'IMAGE/JPEG; charset=binary' },
    { fileName: 'photo.jpg', bytes: make.jpeg, declared: 'application/octet-stream' },
    { fileName: 'export.csv', bytes: make.txt, declared: 'text/csv' },
    { fileName: 'meeting.wav', bytes: make.wav, declared: 'audio/x-wav' },
    { fileName: 'bundle.zip', bytes: make.zipArchive, declared: 'application/x-zip-compressed' },
    { fileName: 'salaries.xlsx', bytes: make.ooxmlEncrypted, declared: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  ])('accepts $fileName declared as $declared', async ({ fileName, bytes, declared }) => {
    const { codes } = await workspace.characterize(fileName, bytes(), { declaredMediaType: declared });
    expect(codes.filter((c) => c === 'media-type-mismatch')).toEqual([]);
  });

  it('does not call an unidentified file a mismatch', async () => {
    const { codes } = await workspace.characterize('blob.pdf', make.unknownBinary(), { declaredMediaType: 'application/pdf' });
    expect(codes).toEqual(['unidentified-format']);
  });
});

describe('names and limits', () => {
  it('flags an unsafe OA file name on an otherwise clean file', async () => {
    const { findings } = await workspace.characterize('../../etc/passwd.txt', make.txt());
    expect(findings).toEqual([{ code: 'unsafe-file-name', severity: 'unsafe', message: expect.stringContaining('".." segment') }]);
  });

  it('catches a compression-ratio bomb even when its total is within the size limit', async () => {
    const generous = { ...limits, archiveMaxEntries: 1000, archiveMaxTotalBytes: 1024 * 1024 * 1024 };
    const { codes, findings } = await workspace.characterize('bomb.zip', make.zipBomb(), { limits: generous });
    expect(codes).toEqual(['archive', 'archive-too-large']);
    expect(findings.find((f) => f.code === 'archive-too-large')!.message).toMatch(/\d+:1/);
  });

  it('reports entry count and total size as info', async () => {
    const { findings } = await workspace.characterize('bundle.zip', make.zipArchive());
    expect(findings).toEqual([{ code: 'archive', severity: 'info', message: expect.stringMatching(/2 entries, 20 bytes uncompressed/) }]);
  });

  it('accepts header-relative xref offsets after leading junk; only exiftool objects', async () => {
    const { identification, findings } = await workspace.characterize('printer-job.pdf', make.pdfWithLeadingJunk());
    expect(identification.basis).toContain('%PDF- header at byte');
    expect(findings).toEqual([{ code: 'corrupt', severity: 'integrity', message: expect.stringMatching(/^exiftool cannot read the file: File format error/) }]);
  });

  it('reports a check that could not run as corrupt, with the reason', async () => {
    const { findings } = await workspace.characterize('broken-objstm.pdf', make.pdfWithBrokenObjectStream());
    expect(findings).toEqual([{ code: 'corrupt', severity: 'integrity', message: expect.stringMatching(/object stream near byte \d+: .+/), params: { detail: expect.stringMatching(/^not inspected: object stream near byte \d+: .+/) } }]);
  });
});
