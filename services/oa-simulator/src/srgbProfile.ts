/**
 * A small ICC v2 RGB display profile for sRGB (IEC 61966-2.1), built in code: the destination
 * profile of a PDF/A output intent, which PDF/A requires before a page may paint in a device colour
 * space. Colorants are the sRGB primaries adapted to the D50 connection space (Bradford), as in
 * the common v2 sRGB profiles; the tone curve is the sRGB transfer function, sampled.
 */

const D50 = [0.9642, 1.0, 0.8249] as const;
const D65 = [0.9505, 1.0, 1.089] as const;
const RED = [0.4361, 0.2225, 0.0139] as const;
const GREEN = [0.3851, 0.7169, 0.0971] as const;
const BLUE = [0.1431, 0.0606, 0.7141] as const;
const CURVE_POINTS = 256;
/** A fixed creation date in the header keeps the profile, and so every PDF, byte-reproducible. */
const CREATED = [2025, 1, 1, 0, 0, 0] as const;

export const SRGB_DESCRIPTION = 'sRGB IEC61966-2.1';

function s15Fixed16(value: number): number {
  return Math.round(value * 65536);
}

function xyzType(xyz: readonly [number, number, number]): Buffer {
  const b = Buffer.alloc(20);
  b.write('XYZ ', 0, 'latin1');
  xyz.forEach((v, i) => b.writeInt32BE(s15Fixed16(v), 8 + 4 * i));
  return b;
}

/** textDescriptionType (ICC.1:2001-04 6.5.17): the ASCII form, with empty Unicode and ScriptCode forms. */
function descType(text: string): Buffer {
  const ascii = Buffer.from(`${text}\0`, 'latin1');
  const b = Buffer.alloc(12 + ascii.length + 4 + 4 + 2 + 1 + 67);
  b.write('desc', 0, 'latin1');
  b.writeUInt32BE(ascii.length, 8);
  ascii.copy(b, 12);
  return b;
}

function textType(text: string): Buffer {
  return Buffer.concat([Buffer.from('text\0\0\0\0', 'latin1'), Buffer.from(`${text}\0`, 'latin1')]);
}

/** curveType sampling the sRGB electro-optical transfer function from 0 to 1. */
function srgbCurve(): Buffer {
  const b = Buffer.alloc(12 + 2 * CURVE_POINTS);
  b.write('curv', 0, 'latin1');
  b.writeUInt32BE(CURVE_POINTS, 8);
  for (let i = 0; i < CURVE_POINTS; i++) {
    const v = i / (CURVE_POINTS - 1);
    const linear = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    b.writeUInt16BE(Math.round(linear * 65535), 12 + 2 * i);
  }
  return b;
}

function pad4(b: Buffer): Buffer {
  return b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]);
}

function buildProfile(): Buffer {
  const curve = srgbCurve();
  // The three tone curves are one curve: the tag table points them at the same data.
  const tags: Array<[string, Buffer | string]> = [
    ['desc', descType(SRGB_DESCRIPTION)],
    ['cprt', textType('No copyright, use freely')],
    ['wtpt', xyzType(D65)],
    ['rXYZ', xyzType(RED)],
    ['gXYZ', xyzType(GREEN)],
    ['bXYZ', xyzType(BLUE)],
    ['rTRC', curve],
    ['gTRC', 'rTRC'],
    ['bTRC', 'rTRC'],
  ];
  const tableSize = 4 + 12 * tags.length;
  const table = Buffer.alloc(tableSize);
  table.writeUInt32BE(tags.length, 0);
  const data: Buffer[] = [];
  const placed = new Map<string, { offset: number; size: number }>();
  let offset = 128 + tableSize;
  tags.forEach(([signature, content], i) => {
    let where: { offset: number; size: number };
    if (typeof content === 'string') {
      where = placed.get(content)!;
    } else {
      where = { offset, size: content.length };
      const padded = pad4(content);
      data.push(padded);
      offset += padded.length;
    }
    placed.set(signature, where);
    table.write(signature, 4 + 12 * i, 'latin1');
    table.writeUInt32BE(where.offset, 8 + 12 * i);
    table.writeUInt32BE(where.size, 12 + 12 * i);
  });

  const header = Buffer.alloc(128);
  header.writeUInt32BE(offset, 0);
  header.writeUInt32BE(0x02100000, 8); // version 2.1.0
  header.write('mntr', 12, 'latin1');
  header.write('RGB ', 16, 'latin1');
  header.write('XYZ ', 20, 'latin1');
  CREATED.forEach((v, i) => header.writeUInt16BE(v, 24 + 2 * i));
  header.write('acsp', 36, 'latin1');
  header.writeUInt32BE(0, 64); // perceptual
  D50.forEach((v, i) => header.writeInt32BE(s15Fixed16(v), 68 + 4 * i));
  return Buffer.concat([header, table, ...data]);
}

/** The profile's bytes (about 1 KB), made once. */
export const SRGB_ICC_PROFILE: Buffer = buildProfile();
