import CFB from 'cfb';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { crc32, deflateSync } from 'node:zlib';
import { makeDocx, makeJpeg, makePdf, makePng } from '@oa-archive/oa-simulator';

/**
 * Small real files of every kind the characterizer must recognise, made in code so no binary
 * fixtures are committed. Each returns the complete bytes of one file.
 */

const created = new Date('2025-03-01T08:00:00Z');
const mtime = new Date('2025-01-01T00:00:00Z');
const zip = (files: Zippable): Buffer => Buffer.from(zipSync(files, { mtime }));
const u16le = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

// ---------------------------------------------------------------- PDF

/** Serialises numbered objects into a PDF with an exact classic xref table. */
function assemblePdf(objects: string[], trailerExtra = '', version = '1.7'): Buffer {
  let body = `%PDF-${version}\n%\xe2\xe3\xcf\xd3\n`;
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length} /Root 1 0 R${trailerExtra} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const stream = (dict: string, data: string) => `<< ${dict} /Length ${Buffer.byteLength(data, 'latin1')} >>\nstream\n${data}\nendstream`;
const pageObjects = (catalogExtra: string): string[] => {
  const content = 'BT /F1 12 Tf 72 770 Td (Archive test page) Tj ET';
  return [
    '',
    `<< /Type /Catalog /Pages 2 0 R${catalogExtra} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>',
    stream('', content),
  ];
};

export function pdf(): Buffer {
  return makePdf({ title: '关于年度预算的通知', author: '办公室', created, pages: [['Budget notice', 'Page one']] });
}

/** A PDF/A claim: XMP metadata with pdfaid part and (optional) conformance, referenced from the catalog. */
export function pdfA(part = 2, conformance: string | null = 'B'): Buffer {
  const xmp =
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/">' +
    `<pdfaid:part>${part}</pdfaid:part>${conformance ? `<pdfaid:conformance>${conformance}</pdfaid:conformance>` : ''}` +
    '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Archive test</rdf:li></rdf:Alt></dc:title>' +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>';
  const objects = pageObjects(' /Metadata 5 0 R');
  objects[5] = stream('/Type /Metadata /Subtype /XML', Buffer.from(xmp, 'utf8').toString('latin1'));
  return assemblePdf(objects);
}

/** A valid PDF preceded by junk bytes, which readers tolerate within the first 1 KiB. */
export function pdfWithLeadingJunk(): Buffer {
  return Buffer.concat([Buffer.from('\x1b%-12345X@PJL JOB\r\n', 'latin1'), pdf()]);
}

export function pdfWithJavaScript(): Buffer {
  const objects = pageObjects(' /OpenAction 5 0 R');
  objects[5] = "<< /Type /Action /S /JavaScript /JS (app.alert\\('opened'\\);) >>";
  return assemblePdf(objects);
}

export function pdfWithEmbeddedFile(): Buffer {
  const objects = pageObjects(' /Names << /EmbeddedFiles << /Names [(attachment.txt) 5 0 R] >> >>');
  objects[5] = '<< /Type /Filespec /F (attachment.txt) /EF << /F 6 0 R >> >>';
  objects[6] = stream('/Type /EmbeddedFile', 'attached text');
  return assemblePdf(objects);
}

export function pdfWithLaunch(): Buffer {
  const objects = pageObjects(' /OpenAction 5 0 R');
  objects[5] = '<< /Type /Action /S /Launch /F (cmd.exe) >>';
  return assemblePdf(objects);
}

/** A trailer /Encrypt dictionary (standard handler, RC4 40-bit) — enough to be recognised. */
export function pdfEncrypted(): Buffer {
  const objects = pageObjects('');
  const hex32 = (b: number) => `<${b.toString(16).padStart(2, '0').repeat(32)}>`;
  objects[5] = `<< /Filter /Standard /V 1 /R 2 /O ${hex32(0x4f)} /U ${hex32(0x55)} /P -3904 >>`;
  return assemblePdf(objects, ` /Encrypt 5 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]`);
}

export function pdfTruncated(): Buffer {
  const whole = pdf();
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

/**
 * PDF 1.5 whose JavaScript action lives only inside a Flate-compressed object stream, indexed
 * by a cross-reference stream — the raw bytes never show /JavaScript.
 */
export function pdfWithJavaScriptInObjectStream(): Buffer {
  const inner = ['<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\);) >>'];
  const header = `5 0 `;
  const objStmData = deflateSync(Buffer.from(header + inner.join('\n'), 'latin1'));
  let body = '%PDF-1.5\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  const plain = pageObjects(' /OpenAction 5 0 R');
  for (let id = 1; id <= 4; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${plain[id]}\nendobj\n`;
  }
  offsets[6] = Buffer.byteLength(body, 'latin1');
  body += `6 0 obj\n<< /Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode /Length ${objStmData.length} >>\nstream\n`;
  const parts: Buffer[] = [Buffer.from(body, 'latin1'), objStmData, Buffer.from('\nendstream\nendobj\n', 'latin1')];
  const xrefAt = parts.reduce((n, p) => n + p.length, 0);
  // Rows: type(1) field2(4) field3(2). Object 5 is entry 0 of object stream 6; 7 is this xref stream.
  const row = (type: number, a: number, b: number) => Buffer.concat([Buffer.from([type]), u32be(a), Buffer.from([b >> 8, b & 0xff])]);
  const rows = [row(0, 0, 0xffff)];
  for (let id = 1; id <= 4; id++) rows.push(row(1, offsets[id]!, 0));
  rows.push(row(2, 6, 0), row(1, offsets[6]!, 0), row(1, xrefAt, 0));
  const xrefData = deflateSync(Buffer.concat(rows));
  parts.push(
    Buffer.from(`7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length ${xrefData.length} >>\nstream\n`, 'latin1'),
    xrefData,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
  );
  return Buffer.concat(parts);
}

/** The object-stream PDF with its compressed bytes overwritten: the stream cannot be decompressed. */
export function pdfWithBrokenObjectStream(): Buffer {
  const bytes = Buffer.from(pdfWithJavaScriptInObjectStream());
  const dataAt = bytes.indexOf('/Type /ObjStm');
  const start = bytes.indexOf('stream\n', dataAt) + 'stream\n'.length;
  bytes.fill(0x41, start, start + 16);
  return bytes;
}

// ---------------------------------------------------------------- OOXML and ODF

export function docx(): Buffer {
  return makeDocx({ title: '会议纪要', author: '办公室', created, paragraphs: ['第一项', '第二项'] });
}

const rels =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%TARGET%"/></Relationships>';
const contentTypes = (overrides: string, defaults = '') =>
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
  `${defaults}${overrides}</Types>`;

/** A Word macro-enabled document: macroEnabled main content type plus word/vbaProject.bin. */
export function docm(): Buffer {
  const vba = oleFile({ VBA: { dir: Buffer.from('Attribute VB_Name = "Module1"') } });
  return zip({
    '[Content_Types].xml': strToU8(
      contentTypes(
        '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>',
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
      ),
    ),
    '_rels/.rels': strToU8(rels.replace('%TARGET%', 'word/document.xml')),
    'word/document.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>macro</w:t></w:r></w:p></w:body></w:document>',
    ),
    'word/_rels/document.xml.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
    ),
    'word/vbaProject.bin': vba,
  });
}

/** A DOCX cut short: the local entries survive, the central directory is gone. */
export function docxTruncated(): Buffer {
  const whole = docx();
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

export function xlsx(): Buffer {
  return zip({
    '[Content_Types].xml': strToU8(
      contentTypes(
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>',
      ),
    ),
    '_rels/.rels': strToU8(rels.replace('%TARGET%', 'xl/workbook.xml')),
    'xl/workbook.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    'xl/worksheets/sheet1.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>预算</t></is></c></row></sheetData></worksheet>',
    ),
  });
}

export function pptx(): Buffer {
  return zip({
    '[Content_Types].xml': strToU8(
      contentTypes(
        '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>',
      ),
    ),
    '_rels/.rels': strToU8(rels.replace('%TARGET%', 'ppt/presentation.xml')),
    'ppt/presentation.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>',
    ),
  });
}

const odfManifest = (mediaType: string, extraEntries = '') =>
  '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">' +
  `<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="${mediaType}"/>` +
  '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>' +
  `${extraEntries}</manifest:manifest>`;
const odtContent =
  '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">' +
  '<office:body><office:text><text:p>通知正文</text:p></office:text></office:body></office:document-content>';
const ODT_TYPE = 'application/vnd.oasis.opendocument.text';

/** ODF packages start with an uncompressed `mimetype` entry; fflate level 0 stores it. */
export function odt(): Buffer {
  return zip({
    mimetype: [strToU8(ODT_TYPE), { level: 0 }],
    'content.xml': strToU8(odtContent),
    'META-INF/manifest.xml': strToU8(odfManifest(ODT_TYPE)),
  });
}

/** An ODT whose content.xml is declared encrypted in the manifest (as LibreOffice writes it). */
export function odtEncrypted(): Buffer {
  const manifest = odfManifest(ODT_TYPE).replace(
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="600">' +
      '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA">' +
      '<manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/>' +
      '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="AAAA"/>' +
      '</manifest:encryption-data></manifest:file-entry>',
  );
  return zip({
    mimetype: [strToU8(ODT_TYPE), { level: 0 }],
    'content.xml': [Buffer.from('not really ciphertext but opaque bytes'), { level: 0 }],
    'META-INF/manifest.xml': strToU8(manifest),
  });
}

/** An ODT carrying a LibreOffice Basic module. */
export function odtWithMacros(): Buffer {
  return zip({
    mimetype: [strToU8(ODT_TYPE), { level: 0 }],
    'content.xml': strToU8(odtContent),
    'Basic/script-lc.xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><library:libraries xmlns:library="http://openoffice.org/2000/library"/>'),
    'Basic/Standard/Module1.xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1">Sub Main\nEnd Sub</script:module>'),
    'META-INF/manifest.xml': strToU8(odfManifest(ODT_TYPE)),
  });
}

/** OFD (GB/T 33190): a ZIP whose root holds OFD.xml. */
export function ofd(): Buffer {
  return zip({
    'OFD.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID><ofd:Title>公文</ofd:Title></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
    ),
    'Doc_0/Document.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages/></ofd:Document>',
    ),
  });
}

// ---------------------------------------------------------------- OLE compound files

type OleTree = { [name: string]: Buffer | OleTree };

/** Writes an OLE compound file; nested objects become storages. */
export function oleFile(tree: OleTree): Buffer {
  const container = CFB.utils.cfb_new();
  const add = (prefix: string, node: OleTree) => {
    for (const [name, value] of Object.entries(node)) {
      if (Buffer.isBuffer(value)) CFB.utils.cfb_add(container, `${prefix}/${name}`, value);
      else add(`${prefix}/${name}`, value);
    }
  };
  add('', tree);
  // cfb_new adds a placeholder stream; drop it so only our streams remain.
  CFB.utils.cfb_del(container, '/\u0001Sh33tJ5');
  return Buffer.from(CFB.write(container, { type: 'buffer' }) as Uint8Array);
}

/** A minimal Word 97 FIB: wIdent 0xA5EC, nFib 0xC1; flags word carries fEncrypted (0x0100). */
function wordFib(encrypted = false): Buffer {
  const fib = Buffer.alloc(4200);
  fib.writeUInt16LE(0xa5ec, 0);
  fib.writeUInt16LE(0x00c1, 2);
  fib.writeUInt16LE(encrypted ? 0x0100 : 0, 0x0a);
  return fib;
}

/** BIFF8 globals: BOF, optionally FILEPASS, EOF. */
function biff8(encrypted = false): Buffer {
  const record = (type: number, data: Buffer) => Buffer.concat([u16le(type), u16le(data.length), data]);
  const bof = Buffer.alloc(16);
  bof.writeUInt16LE(0x0600, 0);
  bof.writeUInt16LE(0x0005, 2);
  const parts = [record(0x0809, bof)];
  if (encrypted) parts.push(record(0x002f, Buffer.from([1, 0, 1, 0, 1, 0])));
  parts.push(record(0x000a, Buffer.alloc(0)));
  return Buffer.concat(parts);
}

export function doc(): Buffer {
  return oleFile({ WordDocument: wordFib(), '1Table': Buffer.alloc(512) });
}
/** A .doc cut after its header: the directory and FAT sectors are gone. */
export function docTruncated(): Buffer {
  return doc().subarray(0, 1024);
}
export function docWithMacros(): Buffer {
  return oleFile({ WordDocument: wordFib(), '1Table': Buffer.alloc(512), Macros: { VBA: { dir: Buffer.from('vba dir') } } });
}
export function docEncrypted(): Buffer {
  return oleFile({ WordDocument: wordFib(true), '1Table': Buffer.alloc(512) });
}
export function xls(): Buffer {
  return oleFile({ Workbook: biff8() });
}
export function xlsWithMacros(): Buffer {
  return oleFile({ Workbook: biff8(), _VBA_PROJECT_CUR: { VBA: { dir: Buffer.from('vba dir') } } });
}
export function xlsEncrypted(): Buffer {
  return oleFile({ Workbook: biff8(true) });
}
export function ppt(): Buffer {
  return oleFile({ 'PowerPoint Document': Buffer.alloc(600), 'Current User': Buffer.alloc(64) });
}
/** What Office writes when a .docx/.xlsx/.pptx is saved with a password (MS-OFFCRYPTO). */
export function ooxmlEncrypted(): Buffer {
  const info = Buffer.concat([u16le(4), u16le(4), u32le(0x40), Buffer.from('<?xml version="1.0"?><encryption/>')]);
  return oleFile({ EncryptionInfo: info, EncryptedPackage: Buffer.concat([u32le(4096), Buffer.alloc(4096, 0x5a)]) });
}

// ---------------------------------------------------------------- text

export function rtf(): Buffer {
  return Buffer.from('{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0\\fs24 \\u36890?\\u30693? notice\\par}\n', 'latin1');
}
export function txt(): Buffer {
  return Buffer.from('关于召开年度工作会议的通知\n各部门：\n定于三月十日上午九时召开年度工作会议，请准时参加。\n办公室\n', 'utf8');
}
export function txtGb18030(): Buffer {
  // "通知" then CRLF, encoded in GBK/GB18030.
  return Buffer.from([0xcd, 0xa8, 0xd6, 0xaa, 0x0d, 0x0a, 0xb8, 0xf7, 0xb2, 0xbf, 0xc3, 0xc5, 0x0d, 0x0a]);
}
export function html(): Buffer {
  return Buffer.from('<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>通知</title></head><body><p>正文</p></body></html>\n', 'utf8');
}

// ---------------------------------------------------------------- images

export function jpeg(): Buffer {
  return makeJpeg({ width: 64, height: 48, seed: 3 });
}
/** A camera-style JPEG: the JFIF APP0 replaced by an Exif APP1 whose Exif IFD holds ExifVersion. */
export function jpegExif(exifVersion = '0220'): Buffer {
  const tiff = Buffer.alloc(44);
  tiff.write('II*\0', 0, 'latin1');
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // IFD0: one entry
  tiff.writeUInt16LE(0x8769, 10); // ExifIFDPointer
  tiff.writeUInt16LE(4, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18);
  tiff.writeUInt16LE(1, 26); // Exif IFD: one entry
  tiff.writeUInt16LE(0x9000, 28); // ExifVersion, UNDEFINED[4]
  tiff.writeUInt16LE(7, 30);
  tiff.writeUInt32LE(4, 32);
  tiff.write(exifVersion, 36, 'latin1');
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), Buffer.alloc(2), Buffer.from('Exif\0\0', 'latin1'), tiff]);
  app1.writeUInt16BE(app1.length - 2, 2);
  const plain = jpeg();
  const afterApp0 = 4 + plain.readUInt16BE(4); // SOI, then APP0 marker and its length
  return Buffer.concat([plain.subarray(0, 2), app1, plain.subarray(afterApp0)]);
}

export function jpegTruncated(): Buffer {
  const whole = jpeg();
  return whole.subarray(0, Math.floor(whole.length * 0.7));
}
export function png(): Buffer {
  return makePng({ width: 32, height: 24 });
}
export function pngTruncated(): Buffer {
  const whole = png();
  return whole.subarray(0, whole.length - 12); // drops the IEND chunk
}

/** 8×8 8-bit greyscale, uncompressed, little-endian baseline TIFF. */
export function tiff(): Buffer {
  const width = 8;
  const height = 8;
  const entries: [number, number, number, number][] = [
    [256, 3, 1, width], // ImageWidth
    [257, 3, 1, height], // ImageLength
    [258, 3, 1, 8], // BitsPerSample
    [259, 3, 1, 1], // Compression: none
    [262, 3, 1, 1], // Photometric: BlackIsZero
    [273, 4, 1, 0], // StripOffsets (patched below)
    [277, 3, 1, 1], // SamplesPerPixel
    [278, 3, 1, height], // RowsPerStrip
    [279, 4, 1, width * height], // StripByteCounts
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const pixelsAt = 8 + ifdSize;
  entries[5]![3] = pixelsAt;
  const ifd = Buffer.alloc(ifdSize);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(type, at + 2);
    ifd.writeUInt32LE(count, at + 4);
    if (type === 3) ifd.writeUInt16LE(value, at + 8);
    else ifd.writeUInt32LE(value, at + 8);
  });
  const pixels = Buffer.alloc(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 4) & 0xff;
  return Buffer.concat([Buffer.from('II*\0', 'latin1'), u32le(8), ifd, pixels]);
}

/** 1×1 GIF with a global colour table; `version` picks 87a or 89a. */
export function gif(version: '87a' | '89a' = '89a'): Buffer {
  return Buffer.concat([
    Buffer.from(`GIF${version}`, 'latin1'),
    Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), // screen 1×1, global table of 2 colours
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0]), // image descriptor
    Buffer.from([2, 2, 0x44, 0x01, 0]), // LZW min code size 2, one data sub-block
    Buffer.from([0x3b]),
  ]);
}

/** 2×2 24-bit BMP with a BITMAPINFOHEADER (Windows 3.0). */
export function bmp(): Buffer {
  const rowSize = 8; // 2 px × 3 bytes, padded to 4
  const pixels = Buffer.alloc(rowSize * 2, 0x80);
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(2, 18);
  header.writeInt32LE(2, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  header.writeInt32LE(2835, 38);
  header.writeInt32LE(2835, 42);
  return Buffer.concat([header, pixels]);
}

// ---------------------------------------------------------------- audio and video

/** 0.1 s of 8 kHz mono 16-bit PCM sine. */
export function wav(): Buffer {
  const rate = 8000;
  const samples = Buffer.alloc(rate / 10 * 2);
  for (let i = 0; i < rate / 10; i++) samples.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * 2, 8);
  fmt.writeUInt16LE(2, 12);
  fmt.writeUInt16LE(16, 14);
  const chunk = (id: string, data: Buffer) => Buffer.concat([Buffer.from(id, 'latin1'), u32le(data.length), data]);
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), chunk('fmt ', fmt), chunk('data', samples)]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(body.length), body]);
}

/** Ten MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz, stereo (417 bytes each, silent payload). */
export function mp3(): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x04]);
  return Buffer.concat(Array.from({ length: 10 }, () => frame));
}

const box = (type: string, ...payload: Buffer[]) => {
  const data = Buffer.concat(payload);
  return Buffer.concat([u32be(8 + data.length), Buffer.from(type, 'latin1'), data]);
};

/** ftyp (isom) + moov/mvhd: enough structure to be an MP4 file. */
export function mp4(): Buffer {
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32be(0x200), Buffer.from('isomiso2mp41', 'latin1'));
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(0, 16); // duration
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].forEach((v, i) => mvhd.writeUInt32BE(v, 36 + i * 4)); // unity matrix
  mvhd.writeUInt32BE(1, 96); // next track id
  return Buffer.concat([ftyp, box('moov', box('mvhd', mvhd))]);
}

/** RIFF AVI with an avih main header and an empty movi list. */
export function avi(): Buffer {
  const chunk = (id: string, data: Buffer) => Buffer.concat([Buffer.from(id, 'latin1'), u32le(data.length), data]);
  const list = (type: string, ...items: Buffer[]) => chunk('LIST', Buffer.concat([Buffer.from(type, 'latin1'), ...items]));
  const avih = Buffer.alloc(56);
  avih.writeUInt32LE(40000, 0); // µs per frame
  avih.writeUInt32LE(0, 16); // total frames
  avih.writeUInt32LE(0, 24); // streams
  avih.writeUInt32LE(16, 32); // width
  avih.writeUInt32LE(16, 36); // height
  const body = Buffer.concat([Buffer.from('AVI ', 'latin1'), list('hdrl', chunk('avih', avih)), list('movi')]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32le(body.length), body]);
}

// ---------------------------------------------------------------- archives

export function zipArchive(): Buffer {
  return zip({ 'readme.txt': strToU8('说明文件'), 'data/table.csv': strToU8('a,b\n1,2\n') });
}

export function zipTruncated(): Buffer {
  const whole = zipNested();
  return whole.subarray(0, whole.length - 30);
}

/** 200 entries of 100 KiB of zeros: tiny on disk, 20 MiB declared, very high compression ratio. */
export function zipBomb(): Buffer {
  const zeros = new Uint8Array(100 * 1024);
  const files: Zippable = {};
  for (let i = 0; i < 200; i++) files[`part-${String(i).padStart(3, '0')}.bin`] = zeros;
  return zip(files);
}

export function zipNested(): Buffer {
  return zip({ 'outer.txt': strToU8('outer'), 'inner.zip': zipArchive() });
}

export function zipWithTraversal(): Buffer {
  return zip({ '../../etc/cron.d/evil': strToU8('* * * * * root true') });
}

/**
 * Sets general-purpose bit 0 (traditional encryption) on every entry, in both the local and
 * the central headers, without touching the data — the flag is what a reader honours.
 */
export function zipEncrypted(): Buffer {
  const bytes = Buffer.from(zipArchive());
  for (let i = 0; i + 4 <= bytes.length; i++) {
    const signature = bytes.readUInt32LE(i);
    if (signature === 0x04034b50) bytes.writeUInt16LE(bytes.readUInt16LE(i + 6) | 1, i + 6);
    else if (signature === 0x02014b50) bytes.writeUInt16LE(bytes.readUInt16LE(i + 8) | 1, i + 8);
  }
  return bytes;
}

/** RAR 4.x signature and an (empty) main archive header. */
export function rar(): Buffer {
  const mainHeader = Buffer.from([0, 0, 0x73, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0]);
  mainHeader.writeUInt16LE(crc32(mainHeader.subarray(2)) & 0xffff, 0);
  return Buffer.concat([Buffer.from('Rar!\x1a\x07\x00', 'latin1'), mainHeader]);
}

/** RAR 5 signature followed by a main archive header block. */
export function rar5(): Buffer {
  const header = Buffer.from([3, 1, 0]); // size 3: type 1 (main), flags 0 … plus archive flags 0
  const block = Buffer.concat([header, Buffer.from([0])]);
  block[0] = block.length - 1;
  return Buffer.concat([Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), u32le(crc32(block)), block]);
}

/**
 * A 7z archive holding one stored ("Copy" coder) file, with a plain (not encoded) header:
 * signature header, packed data, then Header{MainStreamsInfo, FilesInfo}.
 */
export function sevenZip(): Buffer {
  const data = Buffer.from('archived text\n', 'latin1');
  const name = Buffer.from('a.txt\0', 'utf16le');
  const mtimeFiletime = Buffer.alloc(8);
  mtimeFiletime.writeBigUInt64LE((BigInt(mtime.getTime()) + 11_644_473_600_000n) * 10_000n);
  const header = Buffer.concat([
    Buffer.from([0x01, 0x04]), // Header, MainStreamsInfo
    Buffer.from([0x06, 0x00, 0x01, 0x09, data.length, 0x00]), // PackInfo: pos 0, 1 stream, sizes, end
    Buffer.from([0x07, 0x0b, 0x01, 0x00, 0x01, 0x01, 0x00, 0x0c, data.length, 0x00]), // UnPackInfo: 1 folder, Copy coder, size
    Buffer.from([0x00]), // end MainStreamsInfo
    Buffer.from([0x05, 0x01, 0x11, name.length + 1, 0x00]), // FilesInfo: 1 file, Name property (not external)
    name,
    Buffer.from([0x14, 10, 0x01, 0x00]), // MTime property: all defined, not external
    mtimeFiletime,
    Buffer.from([0x00, 0x00]), // end FilesInfo, end Header
  ]);
  const startHeader = Buffer.alloc(20);
  startHeader.writeBigUInt64LE(BigInt(data.length), 0); // next header offset (after the packed data)
  startHeader.writeBigUInt64LE(BigInt(header.length), 8);
  startHeader.writeUInt32LE(crc32(header), 16);
  return Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), u32le(crc32(startHeader)), startHeader, data, header]);
}

/** Bytes that are no known format and not text. */
export function unknownBinary(): Buffer {
  const bytes = Buffer.alloc(256);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 73 + 41) & 0xff;
  bytes[0] = 0x00;
  bytes[1] = 0x13;
  return bytes;
}
