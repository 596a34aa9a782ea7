import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as make from './fixtures.ts';
import { Workspace } from './harness.ts';
import type { FindingCode } from '../src/types.ts';

/** Every kind of file, named as an OA would name it: identification from the bytes and the exact findings. */

interface Case {
  fileName: string;
  bytes: () => Buffer;
  formatName: string;
  mediaType: string;
  puid: string | null;
  codes: FindingCode[];
  formatVersion?: string;
  mediaKind?: string;
}

const PDF = 'application/pdf';
const cases: Case[] = [
  { fileName: '年度预算通知.pdf', bytes: make.pdf, formatName: 'PDF', formatVersion: '1.7', mediaType: PDF, puid: 'fmt/276', codes: [], mediaKind: 'text' },
  { fileName: 'archival-copy.pdf', bytes: () => make.pdfA(2, 'B'), formatName: 'PDF/A-2b', formatVersion: '1.7', mediaType: PDF, puid: 'fmt/477', codes: [] },
  { fileName: 'archival-1b.pdf', bytes: () => make.pdfA(1, 'B'), formatName: 'PDF/A-1b', mediaType: PDF, puid: 'fmt/354', codes: [] },
  { fileName: 'archival-3u.pdf', bytes: () => make.pdfA(3, 'U'), formatName: 'PDF/A-3u', mediaType: PDF, puid: 'fmt/481', codes: [] },
  { fileName: 'archival-4.pdf', bytes: () => make.pdfA(4, null), formatName: 'PDF/A-4', mediaType: PDF, puid: 'fmt/1910', codes: [] },
  // Readers accept junk before %PDF-, so it is still a PDF; exiftool does not, so its metadata is unreadable.
  // A part without a conformance level is not a PDF/A-1..3 claim (PDF/UA declares a bare part too).
  { fileName: 'part-only.pdf', bytes: () => make.pdfA(1, null), formatName: 'PDF', mediaType: PDF, puid: 'fmt/276', codes: [] },
  { fileName: 'printer-job.pdf', bytes: make.pdfWithLeadingJunk, formatName: 'PDF', formatVersion: '1.7', mediaType: PDF, puid: 'fmt/276', codes: ['corrupt'] },
  { fileName: 'script.pdf', bytes: make.pdfWithJavaScript, formatName: 'PDF', mediaType: PDF, puid: 'fmt/276', codes: ['pdf-javascript'] },
  { fileName: 'attachment.pdf', bytes: make.pdfWithEmbeddedFile, formatName: 'PDF', mediaType: PDF, puid: 'fmt/276', codes: ['pdf-embedded-file'] },
  { fileName: 'launcher.pdf', bytes: make.pdfWithLaunch, formatName: 'PDF', mediaType: PDF, puid: 'fmt/276', codes: ['pdf-launch-action'] },
  { fileName: 'locked.pdf', bytes: make.pdfEncrypted, formatName: 'PDF', mediaType: PDF, puid: 'fmt/276', codes: ['encrypted'] },
  { fileName: 'cut.pdf', bytes: make.pdfTruncated, formatName: 'PDF', mediaType: PDF, puid: 'fmt/276', codes: ['corrupt'] },
  { fileName: 'hidden-script.pdf', bytes: make.pdfWithJavaScriptInObjectStream, formatName: 'PDF', formatVersion: '1.5', mediaType: PDF, puid: 'fmt/19', codes: ['pdf-javascript'] },
  { fileName: 'broken-objstm.pdf', bytes: make.pdfWithBrokenObjectStream, formatName: 'PDF', mediaType: PDF, puid: 'fmt/19', codes: ['corrupt'] },

  { fileName: '会议纪要.docx', bytes: make.docx, formatName: 'DOCX', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', puid: 'fmt/412', codes: [] },
  { fileName: 'minutes.docx', bytes: make.docxTruncated, formatName: 'DOCX', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', puid: 'fmt/412', codes: ['corrupt'] },
  { fileName: 'macro.docm', bytes: make.docm, formatName: 'DOCM', mediaType: 'application/vnd.ms-word.document.macroEnabled.12', puid: 'fmt/523', codes: ['macros'] },
  { fileName: 'budget.xlsx', bytes: make.xlsx, formatName: 'XLSX', mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', puid: 'fmt/214', codes: [] },
  { fileName: 'slides.pptx', bytes: make.pptx, formatName: 'PPTX', mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', puid: 'fmt/215', codes: [] },
  { fileName: 'notice.odt', bytes: make.odt, formatName: 'ODT', formatVersion: '1.2', mediaType: 'application/vnd.oasis.opendocument.text', puid: 'fmt/291', codes: [] },
  { fileName: 'locked.odt', bytes: make.odtEncrypted, formatName: 'ODT', mediaType: 'application/vnd.oasis.opendocument.text', puid: 'fmt/291', codes: ['encrypted'] },
  { fileName: 'basic.odt', bytes: make.odtWithMacros, formatName: 'ODT', mediaType: 'application/vnd.oasis.opendocument.text', puid: 'fmt/291', codes: ['macros'] },
  { fileName: '公文.ofd', bytes: make.ofd, formatName: 'OFD', formatVersion: '1.0', mediaType: 'application/ofd', puid: null, codes: [], mediaKind: 'text' },

  { fileName: 'legacy.doc', bytes: make.doc, formatName: 'DOC', mediaType: 'application/msword', puid: 'fmt/40', codes: [] },
  { fileName: 'cut.doc', bytes: make.docTruncated, formatName: 'DOC', mediaType: 'application/msword', puid: 'fmt/40', codes: ['corrupt'] },
  { fileName: 'legacy-macro.doc', bytes: make.docWithMacros, formatName: 'DOC', mediaType: 'application/msword', puid: 'fmt/40', codes: ['macros'] },
  { fileName: 'legacy-locked.doc', bytes: make.docEncrypted, formatName: 'DOC', mediaType: 'application/msword', puid: 'fmt/40', codes: ['encrypted'] },
  { fileName: 'ledger.xls', bytes: make.xls, formatName: 'XLS', mediaType: 'application/vnd.ms-excel', puid: 'fmt/61', codes: [] },
  { fileName: 'ledger-macro.xls', bytes: make.xlsWithMacros, formatName: 'XLS', mediaType: 'application/vnd.ms-excel', puid: 'fmt/61', codes: ['macros'] },
  { fileName: 'ledger-locked.xls', bytes: make.xlsEncrypted, formatName: 'XLS', mediaType: 'application/vnd.ms-excel', puid: 'fmt/61', codes: ['encrypted'] },
  { fileName: 'deck.ppt', bytes: make.ppt, formatName: 'PPT', mediaType: 'application/vnd.ms-powerpoint', puid: 'fmt/126', codes: [] },
  { fileName: 'salaries.xlsx', bytes: make.ooxmlEncrypted, formatName: 'Encrypted OOXML', mediaType: 'application/x-cfb', puid: 'fmt/494', codes: ['encrypted'] },

  { fileName: 'letter.rtf', bytes: make.rtf, formatName: 'RTF', mediaType: 'application/rtf', puid: 'fmt/355', codes: [] },
  { fileName: '通知.txt', bytes: make.txt, formatName: 'TXT', mediaType: 'text/plain', puid: 'x-fmt/111', codes: [], mediaKind: 'text' },
  { fileName: 'gbk.txt', bytes: make.txtGb18030, formatName: 'TXT', mediaType: 'text/plain', puid: 'x-fmt/111', codes: [] },
  { fileName: 'page.html', bytes: make.html, formatName: 'HTML', mediaType: 'text/html', puid: 'fmt/471', codes: [] },

  { fileName: 'photo.jpg', bytes: make.jpeg, formatName: 'JPEG', formatVersion: '1.01', mediaType: 'image/jpeg', puid: 'fmt/43', codes: [], mediaKind: 'photo' },
  { fileName: 'camera.jpg', bytes: () => make.jpegExif('0220'), formatName: 'JPEG', formatVersion: '2.20', mediaType: 'image/jpeg', puid: 'x-fmt/391', codes: [] },
  { fileName: 'cut.jpg', bytes: make.jpegTruncated, formatName: 'JPEG', mediaType: 'image/jpeg', puid: 'fmt/43', codes: ['corrupt'] },
  { fileName: 'scan.png', bytes: make.png, formatName: 'PNG', mediaType: 'image/png', puid: 'fmt/11', codes: [] },
  { fileName: 'cut.png', bytes: make.pngTruncated, formatName: 'PNG', mediaType: 'image/png', puid: 'fmt/11', codes: ['corrupt'] },
  { fileName: 'scan.tif', bytes: make.tiff, formatName: 'TIFF', mediaType: 'image/tiff', puid: 'fmt/353', codes: [] },
  { fileName: 'icon.gif', bytes: () => make.gif('89a'), formatName: 'GIF', formatVersion: '89a', mediaType: 'image/gif', puid: 'fmt/4', codes: [] },
  { fileName: 'old.gif', bytes: () => make.gif('87a'), formatName: 'GIF', formatVersion: '87a', mediaType: 'image/gif', puid: 'fmt/3', codes: [] },
  { fileName: 'chart.bmp', bytes: make.bmp, formatName: 'BMP', formatVersion: '3.0', mediaType: 'image/bmp', puid: 'fmt/116', codes: [] },

  { fileName: 'meeting.wav', bytes: make.wav, formatName: 'WAV', mediaType: 'audio/wav', puid: 'fmt/141', codes: [], mediaKind: 'audio' },
  { fileName: 'speech.mp3', bytes: make.mp3, formatName: 'MP3', mediaType: 'audio/mpeg', puid: 'fmt/134', codes: [], mediaKind: 'audio' },
  { fileName: 'clip.mp4', bytes: make.mp4, formatName: 'MP4', mediaType: 'video/mp4', puid: 'fmt/199', codes: [], mediaKind: 'video' },
  { fileName: 'clip.avi', bytes: make.avi, formatName: 'AVI', mediaType: 'video/vnd.avi', puid: 'fmt/5', codes: [], mediaKind: 'video' },

  { fileName: 'bundle.zip', bytes: make.zipArchive, formatName: 'ZIP', mediaType: 'application/zip', puid: 'x-fmt/263', codes: ['archive'], mediaKind: 'archive' },
  { fileName: 'cut.zip', bytes: make.zipTruncated, formatName: 'ZIP', mediaType: 'application/zip', puid: 'x-fmt/263', codes: ['corrupt'] },
  { fileName: 'bomb.zip', bytes: make.zipBomb, formatName: 'ZIP', mediaType: 'application/zip', puid: 'x-fmt/263', codes: ['archive', 'archive-too-large', 'archive-too-many-entries'] },
  { fileName: 'nested.zip', bytes: make.zipNested, formatName: 'ZIP', mediaType: 'application/zip', puid: 'x-fmt/263', codes: ['archive', 'archive-nested'] },
  { fileName: 'locked.zip', bytes: make.zipEncrypted, formatName: 'ZIP', mediaType: 'application/zip', puid: 'x-fmt/263', codes: ['archive', 'archive-encrypted'] },
  { fileName: 'slip.zip', bytes: make.zipWithTraversal, formatName: 'ZIP', mediaType: 'application/zip', puid: 'x-fmt/263', codes: ['archive', 'unsafe-file-name'] },
  { fileName: 'old.rar', bytes: make.rar, formatName: 'RAR', mediaType: 'application/vnd.rar', puid: 'fmt/411', codes: ['archive'], mediaKind: 'archive' },
  { fileName: 'new.rar', bytes: make.rar5, formatName: 'RAR', formatVersion: '5', mediaType: 'application/vnd.rar', puid: 'fmt/613', codes: ['archive'] },
  { fileName: 'pack.7z', bytes: make.sevenZip, formatName: '7z', mediaType: 'application/x-7z-compressed', puid: 'fmt/484', codes: ['archive'], mediaKind: 'archive' },

  { fileName: 'blob.bin', bytes: make.unknownBinary, formatName: 'unknown', mediaType: 'application/octet-stream', puid: null, codes: ['unidentified-format'], mediaKind: 'other' },
];

const workspace = new Workspace();
beforeAll(() => workspace.open());
afterAll(() => workspace.close());

describe('identifyFormat and scanRisks on real files', () => {
  it.each(cases)('$fileName → $formatName $codes', async (c) => {
    const { identification, findings, codes } = await workspace.characterize(c.fileName, c.bytes());
    expect(identification).toMatchObject({ formatName: c.formatName, mediaType: c.mediaType, puid: c.puid });
    if (c.formatVersion) expect(identification.formatVersion).toBe(c.formatVersion);
    if (c.mediaKind) expect(identification.mediaKind).toBe(c.mediaKind);
    expect(identification.basis).not.toBe('');
    expect(codes).toEqual([...c.codes].sort());
    for (const f of findings) expect(f.message).not.toMatch(/\n/);
  });
});
