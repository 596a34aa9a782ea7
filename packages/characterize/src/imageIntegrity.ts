import { findBytes, readAt, withFile } from './fileBytes.ts';

/**
 * Structural end-of-file checks for JPEG and PNG: each returns why the image is truncated or
 * broken, or null when it ends properly. Data after the end (camera trailers) is tolerated.
 */

const MAX_SEGMENTS = 100_000;

/** JPEG: walk the marker segments to the first scan, then find the end-of-image marker after it. */
export async function jpegProblem(filePath: string): Promise<string | null> {
  const scanStart = await withFile(filePath, async (handle, size): Promise<number | string> => {
    const soi = await readAt(handle, 0, 2);
    if (soi[0] !== 0xff || soi[1] !== 0xd8) return 'does not start with a JPEG start-of-image marker';
    let pos = 2;
    for (let segments = 0; segments < MAX_SEGMENTS; segments++) {
      const head = await readAt(handle, pos, 4);
      if (head.length < 2) return 'ends inside its header segments (truncated)';
      if (head[0] !== 0xff) return `has no segment marker at byte ${pos} (structure broken)`;
      const marker = head[1]!;
      if (marker === 0xff) {
        pos += 1; // fill byte
        continue;
      }
      if (marker === 0xd9) return -1; // ends before any scan: nothing further to find
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        pos += 2;
        continue;
      }
      if (head.length < 4) return 'ends inside a segment header (truncated)';
      const length = head.readUInt16BE(2);
      if (length < 2) return `has a malformed segment at byte ${pos}`;
      if (pos + 2 + length > size) return `segment at byte ${pos} runs past the end of the file (truncated)`;
      if (marker === 0xda) return pos + 2 + length;
      pos += 2 + length;
    }
    return 'has too many header segments to inspect';
  });
  if (typeof scanStart === 'string') return scanStart;
  if (scanStart < 0) return null;
  // Entropy-coded data escapes 0xFF as FF00, so FFD9 only occurs as a marker.
  const eoi = await findBytes(filePath, Buffer.from([0xff, 0xd9]), scanStart);
  return eoi < 0 ? 'has no end-of-image marker (truncated)' : null;
}

/** PNG: walk chunk headers by their lengths until IEND. */
export async function pngProblem(filePath: string): Promise<string | null> {
  return withFile(filePath, async (handle, size) => {
    let pos = 8;
    for (;;) {
      const head = await readAt(handle, pos, 8);
      if (head.length < 8) return 'ends before its IEND chunk (truncated)';
      const length = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (!/^[A-Za-z]{4}$/.test(type)) return `has a malformed chunk at byte ${pos}`;
      if (pos + 12 + length > size) return `chunk ${type} at byte ${pos} runs past the end of the file (truncated)`;
      if (type === 'IEND') return null;
      pos += 12 + length;
    }
  });
}
