import { zipSync, strToU8 } from 'fflate';
import jpeg from 'jpeg-js';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { toFontText, type3FontObjects } from './pdfFont.ts';
import { SRGB_DESCRIPTION, SRGB_ICC_PROFILE } from './srgbProfile.ts';

/** Real files of the kinds an OA system holds, made from text so the simulator needs no fixtures. */

function utf16Hex(text: string): string {
  const bytes = Buffer.from(text, 'utf16le');
  bytes.swap16();
  return `<FEFF${bytes.toString('hex').toUpperCase()}>`;
}

function pdfDate(date: Date): string {
  return `D:${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/**
 * XMP metadata declaring PDF/A-2b (pdfaid:part 2, conformance B). PDF/A wants it to say what the
 * Info dictionary says, so it carries the same title, author, creator tool, producer and creation
 * date (to the second, as the Info date has it).
 */
function pdfaXmp(info: { title: string; author: string; created: Date; tool: string }): string {
  const x = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
  return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${x(info.title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>${x(info.author)}</rdf:li></rdf:Seq></dc:creator>
<xmp:CreatorTool>${x(info.tool)}</xmp:CreatorTool>
<xmp:CreateDate>${xmpDate(info.created)}</xmp:CreateDate>
<pdf:Producer>${x(info.tool)}</pdf:Producer>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>`;
}

function xmpDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const TOOL = 'OA simulator';
/** The output intent's profile as a PDF string of bytes, made once. */
const SRGB_PROFILE_BYTES = SRGB_ICC_PROFILE.toString('latin1');

/**
 * A valid PDF 1.7 with one page per entry of `pages` (printable ASCII body text; anything else is
 * shown as `?`) and the document's Chinese title and author in its Info dictionary. Offsets in the
 * xref table are exact. Without `pdfa` the text is in Helvetica, not embedded.
 * With `pdfa`, it is PDF/A-2b as veraPDF checks it: the text in an embedded Type 3 font (with a
 * ToUnicode map, so it extracts as written), an sRGB output intent, XMP metadata agreeing with the
 * Info dictionary, and a file identifier. The bytes depend only on the arguments.
 */
export function makePdf(args: { title: string; author: string; created: Date; pages: string[][]; pdfa?: boolean }): Buffer {
  const objects: string[] = [];
  const pageIds: number[] = [];
  const fontId = 3;
  const pageLines = args.pages.map((lines) => lines.map(toFontText));
  const fontObjects = args.pdfa
    ? type3FontObjects(pageLines.flat().join(''), fontId)
    : ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'];
  fontObjects.forEach((object, i) => (objects[fontId + i] = object));
  let next = fontId + fontObjects.length;
  for (const lines of pageLines) {
    const escaped = lines.map((l) => `(${l.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj T*`);
    const content = `BT /F1 12 Tf 16 TL 72 770 Td\n${escaped.join('\n')}\nET`;
    const pageId = next++;
    const contentId = next++;
    objects[pageId] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${contentId} 0 R /Resources << /Font << /F1 ${fontId} 0 R >> >> >>`;
    objects[contentId] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`;
    pageIds.push(pageId);
  }
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  if (args.pdfa) {
    const xmp = Buffer.from(pdfaXmp({ title: args.title, author: args.author, created: args.created, tool: TOOL }), 'utf8').toString('latin1');
    const metadataId = next++;
    objects[metadataId] = `<< /Type /Metadata /Subtype /XML /Length ${xmp.length} >>\nstream\n${xmp}\nendstream`;
    const profileId = next++;
    objects[profileId] = `<< /N 3 /Length ${SRGB_PROFILE_BYTES.length} >>\nstream\n${SRGB_PROFILE_BYTES}\nendstream`;
    const intent = `<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (${SRGB_DESCRIPTION}) /Info (${SRGB_DESCRIPTION}) /DestOutputProfile ${profileId} 0 R >>`;
    objects[1] = `<< /Type /Catalog /Pages 2 0 R /Metadata ${metadataId} 0 R /OutputIntents [${intent}] >>`;
  }
  const infoId = next++;
  objects[infoId] = `<< /Title ${utf16Hex(args.title)} /Author ${utf16Hex(args.author)} /Creator (${TOOL}) /Producer (${TOOL}) /CreationDate (${pdfDate(args.created)}) >>`;

  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let id = 1; id < next; id++) {
    offsets[id] = Buffer.byteLength(body, 'latin1');
    body += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xrefAt = Buffer.byteLength(body, 'latin1');
  // PDF/A wants a file identifier; one made from the content keeps the bytes reproducible.
  const digest = args.pdfa ? createHash('md5').update(body, 'latin1').digest('hex') : undefined;
  const fileId = digest ? ` /ID [<${digest}> <${digest}>]` : '';
  body += `xref\n0 ${next}\n0000000000 65535 f \n`;
  for (let id = 1; id < next; id++) body += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${next} /Root 1 0 R /Info ${infoId} 0 R${fileId} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const xmlEscape = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** A minimal but complete WordprocessingML document (opens in Word and LibreOffice). */
export function makeDocx(args: { title: string; author: string; created: Date; paragraphs: string[] }): Buffer {
  const paragraphs = [args.title, ...args.paragraphs]
    .map((p) => `<w:p><w:r><w:rPr><w:rFonts w:eastAsia="SimSun"/></w:rPr><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`)
    .join('');
  const files = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>',
    ),
    'word/document.xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`,
    ),
    'docProps/core.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        `<dc:title>${xmlEscape(args.title)}</dc:title><dc:creator>${xmlEscape(args.author)}</dc:creator>` +
        `<dcterms:created xsi:type="dcterms:W3CDTF">${args.created.toISOString().slice(0, 19)}Z</dcterms:created></cp:coreProperties>`,
    ),
  };
  // A fixed timestamp keeps the bytes (and so the digests) reproducible.
  return Buffer.from(zipSync(files, { mtime: new Date('2025-01-01T00:00:00Z') }));
}

/** A photo: a smooth colour field with a seed-dependent pattern, JPEG-encoded. */
export function makeJpeg(args: { width: number; height: number; seed: number }): Buffer {
  const { width, height, seed } = args;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 255) / width + seed * 37;
      data[i + 1] = (y * 255) / height + seed * 11;
      data[i + 2] = 128 + 100 * Math.sin((x + y + seed * 13) / 40);
      data[i + 3] = 255;
    }
  }
  return Buffer.from(jpeg.encode({ data, width, height }, 85).data);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A scanned-form stand-in: an RGB PNG with ruled lines. */
export function makePng(args: { width: number; height: number }): Buffer {
  const { width, height } = args;
  const raw = Buffer.alloc((width * 3 + 1) * height, 255);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    if (y % 24 === 0) raw.fill(90, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
