import { describe, expect, it } from 'vitest';
import { extensionAgrees, mediaTypeAgrees, normalizeMediaType } from '../src/claims.ts';
import { claimedExtension, unsafeFileNameReasons } from '../src/fileName.ts';
import type { FormatIdentification } from '../src/types.ts';

describe('unsafeFileNameReasons', () => {
  it.each(['关于年度预算的通知.pdf', 'report v1.2.docx', 'a..b.txt', 'scan 2025-03-01 (2).jpg', '.hidden'])('accepts %j', (name) => {
    expect(unsafeFileNameReasons(name)).toEqual([]);
  });

  it.each([
    ['dir/file.pdf', 'contains a path separator'],
    ['dir\\file.pdf', 'contains a path separator'],
    ['../x.pdf', 'contains a ".." segment'],
    ['a\\..\\b.pdf', 'contains a ".." segment'],
    ['..', 'is a directory reference'],
    ['.', 'is a directory reference'],
    ['C:report.pdf', 'starts with a drive letter'],
    ['c:\\temp\\x.pdf', 'starts with a drive letter'],
    ['a\u0000b.pdf', 'contains control characters'],
    ['tab\there.pdf', 'contains control characters'],
    ['line\nbreak.pdf', 'contains control characters'],
    ['~$budget.xlsx', 'starts with "~"'],
    ['trailing.', 'ends with a dot or space'],
    ['trailing ', 'ends with a dot or space'],
    ['CON', 'is a reserved Windows device name'],
    ['nul.txt', 'is a reserved Windows device name'],
    ['', 'is empty'],
  ])('rejects %j: %s', (name, reason) => {
    expect(unsafeFileNameReasons(name)).toContain(reason);
  });

  it('lists every reason at once', () => {
    expect(unsafeFileNameReasons('~/../x')).toEqual(['contains a path separator', 'contains a ".." segment', 'starts with "~"']);
  });
});

describe('claimedExtension', () => {
  it.each([
    ['a.PDF', 'pdf'],
    ['archive.tar.gz', 'gz'],
    ['通知.docx', 'docx'],
    ['README', null],
    ['.bashrc', null],
    ['报告 v1.2 终稿', null],
    ['dir.d/file', null],
  ])('%j → %j', (name, extension) => {
    expect(claimedExtension(name)).toBe(extension);
  });
});

const identified = (formatName: string, extension: string, mediaType: string): FormatIdentification => ({
  formatName, extension, mediaType, puid: null, mediaKind: 'other', basis: 'test',
});

describe('claims against identification', () => {
  const jpeg = identified('JPEG', 'jpg', 'image/jpeg');
  const tiff = identified('TIFF', 'tif', 'image/tiff');
  const html = identified('HTML', 'html', 'text/html');
  const txt = identified('TXT', 'txt', 'text/plain');
  const pdf = identified('PDF', 'pdf', 'application/pdf');

  it('treats jpg/jpeg, tif/tiff and htm/html as the same extension', () => {
    expect(extensionAgrees('jpeg', jpeg)).toBe(true);
    expect(extensionAgrees('JPG', jpeg)).toBe(true);
    expect(extensionAgrees('tiff', tiff)).toBe(true);
    expect(extensionAgrees('htm', html)).toBe(true);
    expect(extensionAgrees('png', jpeg)).toBe(false);
    expect(extensionAgrees('docx', pdf)).toBe(false);
  });

  it('accepts text-by-convention extensions for plain text', () => {
    expect(extensionAgrees('csv', txt)).toBe(true);
    expect(extensionAgrees('pdf', txt)).toBe(false);
  });

  it('compares media types ignoring case, parameters and common aliases', () => {
    expect(normalizeMediaType(' Image/JPG ; q=1')).toBe('image/jpeg');
    expect(mediaTypeAgrees('image/jpg', jpeg)).toBe(true);
    expect(mediaTypeAgrees('application/PDF; version=1.7', pdf)).toBe(true);
    expect(mediaTypeAgrees('image/png', jpeg)).toBe(false);
    expect(mediaTypeAgrees('text/csv', txt)).toBe(true);
    expect(mediaTypeAgrees('application/pdf', txt)).toBe(false);
  });
});
