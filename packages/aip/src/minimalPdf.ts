/**
 * A one-page, blank, hand-built PDF for the veraPDF tests: with `pdfa: true` it carries what
 * PDF/A-2B asks of a document that draws nothing (binary header comment, file identifier, XMP
 * metadata with the pdfaid identification); without it, it is a plain PDF 1.7. `fileIdentifier:
 * false` leaves out the trailer's /ID, so a `pdfa: true` file claims PDF/A-2B without conforming
 * to it (ISO 19005-2 6.1.3).
 */
export function minimalPdf(options: { pdfa: boolean; fileIdentifier?: boolean }): Buffer {
  const xmp = [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">',
    '   <pdfaid:part>2</pdfaid:part>',
    '   <pdfaid:conformance>B</pdfaid:conformance>',
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
  const xmpBytes = Buffer.from(xmp, 'utf8');
  const objects: Buffer[] = [
    Buffer.from(`<< /Type /Catalog /Pages 2 0 R${options.pdfa ? ' /Metadata 4 0 R' : ''} >>`),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>'),
  ];
  if (options.pdfa) {
    objects.push(Buffer.concat([Buffer.from(`<< /Type /Metadata /Subtype /XML /Length ${xmpBytes.length} >>\nstream\n`), xmpBytes, Buffer.from('\nendstream')]));
  }
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(chunk);
    length += chunk.length;
  });
  const id = '0123456789ABCDEF0123456789ABCDEF';
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    // Every cross-reference entry is exactly 20 bytes: 10 + 1 + 5 + 1 + 1 + a two-byte EOL (" \n").
    ['0000000000 65535 f ', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `)].join('\n'),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R${options.fileIdentifier === false ? '' : ` /ID [<${id}> <${id}>]`} >>`,
    'startxref',
    String(length),
    '%%EOF',
    '',
  ].join('\n');
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}
