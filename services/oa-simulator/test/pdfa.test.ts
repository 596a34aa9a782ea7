import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makePdf } from '../src/index.ts';
import { SRGB_ICC_PROFILE } from '../src/srgbProfile.ts';

/*
 * The structure of the simulator's PDF/A bodies; that veraPDF finds them PDF/A-2b compliant is
 * checked against the real veraPDF in packages/convert/test/veraPdf.integration.test.ts.
 */

const s15Fixed16 = (b: Buffer, at: number) => b.readInt32BE(at) / 65536;

function iccTags(profile: Buffer): Map<string, Buffer> {
  const tags = new Map<string, Buffer>();
  const count = profile.readUInt32BE(128);
  for (let i = 0; i < count; i++) {
    const at = 132 + 12 * i;
    const offset = profile.readUInt32BE(at + 4);
    const size = profile.readUInt32BE(at + 8);
    expect(offset % 4).toBe(0);
    expect(offset + size).toBeLessThanOrEqual(profile.length);
    tags.set(profile.toString('latin1', at, at + 4), profile.subarray(offset, offset + size));
  }
  return tags;
}

describe('the sRGB output-intent profile', () => {
  const profile = SRGB_ICC_PROFILE;

  it('has an ICC v2 display-class RGB header whose size is its own', () => {
    expect(profile.readUInt32BE(0)).toBe(profile.length);
    expect(profile.readUInt32BE(8)).toBe(0x02100000);
    expect(profile.toString('latin1', 12, 24)).toBe('mntrRGB XYZ ');
    expect(profile.toString('latin1', 36, 40)).toBe('acsp');
    expect([68, 72, 76].map((at) => s15Fixed16(profile, at))).toEqual([expect.closeTo(0.9642, 4), 1, expect.closeTo(0.8249, 4)]);
  });

  it('carries the tags of an RGB display profile, each of its type', () => {
    const tags = iccTags(profile);
    const types = Object.fromEntries([...tags].map(([sig, data]) => [sig, data.toString('latin1', 0, 4)]));
    expect(types).toEqual({ desc: 'desc', cprt: 'text', wtpt: 'XYZ ', rXYZ: 'XYZ ', gXYZ: 'XYZ ', bXYZ: 'XYZ ', rTRC: 'curv', gTRC: 'curv', bTRC: 'curv' });
    expect(tags.get('desc')!.toString('latin1', 12, 12 + tags.get('desc')!.readUInt32BE(8) - 1)).toBe('sRGB IEC61966-2.1');
  });

  it('maps RGB white to the D50 connection-space white, through a monotonic tone curve from 0 to 1', () => {
    const tags = iccTags(profile);
    const white = [8, 12, 16].map((at) => ['rXYZ', 'gXYZ', 'bXYZ'].reduce((sum, sig) => sum + s15Fixed16(tags.get(sig)!, at), 0));
    expect(white).toEqual([expect.closeTo(0.9642, 3), expect.closeTo(1, 3), expect.closeTo(0.8249, 3)]);
    const curve = tags.get('rTRC')!;
    const points = Array.from({ length: curve.readUInt32BE(8) }, (_, i) => curve.readUInt16BE(12 + 2 * i));
    expect(points[0]).toBe(0);
    expect(points.at(-1)).toBe(65535);
    points.slice(1).forEach((p, i) => expect(p).toBeGreaterThan(points[i]!));
  });
});

describe('makePdf with pdfa', () => {
  const args = { title: '关于做好档案移交工作的通知', author: '示例市人民政府办公室', created: new Date('2025-03-01T08:30:15.123Z'), pages: [['Page 1 of 2', '附件 (A)'], ['Page 2 of 2']], pdfa: true };
  const pdf = makePdf(args);
  const text = pdf.toString('latin1');
  const object = (id: number) => new RegExp(`\\n${id} 0 obj\\n([\\s\\S]*?)\\nendobj`).exec(text)![1]!;
  const streamOf = (body: string) => Buffer.from(/stream\n([\s\S]*)\nendstream$/.exec(body)![1]!, 'latin1');

  it('is the same bytes for the same arguments, with a file identifier in its trailer', () => {
    expect(makePdf(args).equals(pdf)).toBe(true);
    const [, first, second] = /\/ID \[<([0-9a-f]{32})> <([0-9a-f]{32})>\]/.exec(text)!;
    expect(first).toBe(second);
    expect(makePdf({ ...args, title: '另一份通知' }).toString('latin1')).not.toContain(`<${first}>`);
  });

  it('has exact xref offsets and stream lengths', () => {
    const xrefAt = Number(/startxref\n(\d+)/.exec(text)![1]);
    expect(text.slice(xrefAt, xrefAt + 4)).toBe('xref');
    const offsets = Array.from(text.matchAll(/(\d{10}) 00000 n \n/g), (m) => Number(m[1]));
    offsets.forEach((offset, i) => expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    for (const [, length, data] of text.matchAll(/\/Length (\d+)[^>]*>>\nstream\n([\s\S]*?)\nendstream/g)) expect(data!.length).toBe(Number(length));
  });

  it('declares an sRGB output intent with the profile, and XMP that agrees with the Info dictionary', () => {
    const catalog = object(1);
    expect(catalog).toMatch(/\/OutputIntents \[<< \/Type \/OutputIntent \/S \/GTS_PDFA1 .*\/DestOutputProfile (\d+) 0 R >>\]/);
    const profileId = Number(/\/DestOutputProfile (\d+) 0 R/.exec(catalog)![1]);
    expect(object(profileId)).toMatch(/^<< \/N 3 /);
    expect(streamOf(object(profileId)).equals(SRGB_ICC_PROFILE)).toBe(true);
    const xmp = streamOf(object(Number(/\/Metadata (\d+) 0 R/.exec(catalog)![1]))).toString('utf8');
    expect(xmp).toContain('<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>');
    expect(xmp).toContain(`<rdf:li xml:lang="x-default">${args.title}</rdf:li>`);
    expect(xmp).toContain(`<rdf:li>${args.author}</rdf:li>`);
    expect(xmp).toContain('<xmp:CreateDate>2025-03-01T08:30:15Z</xmp:CreateDate>');
    expect(xmp).toContain('<xmp:CreatorTool>OA simulator</xmp:CreatorTool>');
    expect(xmp).toContain('<pdf:Producer>OA simulator</pdf:Producer>');
    expect(text).toContain('/Creator (OA simulator) /Producer (OA simulator) /CreationDate (D:20250301083015Z)');
  });

  it('shows the text in an embedded Type 3 font holding the glyphs it uses, with a ToUnicode map', () => {
    const font = object(3);
    expect(font).toMatch(/^<< \/Type \/Font \/Subtype \/Type3 /);
    const glyphs = Array.from(/\/CharProcs << (.*?) >>/.exec(font)![1]!.matchAll(/\/(\w+) (\d+) 0 R/g), (m) => m[1]);
    // "Page 1 of 2", "?? (A)" (what the font cannot show becomes ?), "Page 2 of 2".
    expect(glyphs).toEqual(['space', 'parenleft', 'parenright', 'one', 'two', 'question', 'A', 'P', 'a', 'e', 'f', 'g', 'o']);
    const procId = Number(/\/parenleft (\d+) 0 R/.exec(font)![1]);
    expect(inflateSync(streamOf(object(procId))).toString('latin1')).toMatch(/^600 0 0 -200 500 700 d1\n[\s\S]* re\nf$/);
    const toUnicode = inflateSync(streamOf(object(Number(/\/ToUnicode (\d+) 0 R/.exec(font)![1])))).toString('latin1');
    expect(toUnicode).toContain('<20> <7e> <0020>');
    expect(text).toContain('(?? \\(A\\)) Tj T*');
    expect(text).not.toContain('/BaseFont /Helvetica');
  });

  it('leaves a PDF without pdfa as it was: Helvetica, no output intent, no XMP', () => {
    const plain = makePdf({ ...args, pdfa: false }).toString('latin1');
    expect(plain).toContain('/BaseFont /Helvetica');
    expect(plain).not.toMatch(/OutputIntents|\/Metadata|\/ID \[/);
  });
});
