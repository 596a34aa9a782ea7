/**
 * Decides whether bytes with no binary signature are plain text, and in which encoding.
 * Chinese OA systems still emit GBK/GB18030 next to UTF-8, and Notepad writes UTF-16 with a BOM.
 */

export type TextEncoding = 'UTF-8' | 'GB18030' | 'UTF-16LE' | 'UTF-16BE';

export interface TextSniff {
  encoding: TextEncoding;
  /** The decoded sample, BOM removed. */
  text: string;
}

// C0 controls other than tab, LF, VT, FF, CR, SUB (DOS end of file) and ESC do not occur in text.
// eslint-disable-next-line no-control-regex
const FOREIGN_CONTROL = /[\x00-\x08\x0e-\x19\x1c-\x1f]/;

function decode(encoding: string, bytes: Buffer, complete: boolean): string | null {
  try {
    // stream: true leaves a multi-byte character cut at the end of a sample undecoded rather than invalid.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: !complete });
  } catch {
    return null;
  }
}

/** `complete` says whether `sample` is the whole file (else it may end mid-character). */
export function sniffText(sample: Buffer, complete: boolean): TextSniff | null {
  if (sample.length === 0) return null;
  const bomLe = sample[0] === 0xff && sample[1] === 0xfe;
  const bomBe = sample[0] === 0xfe && sample[1] === 0xff;
  if (bomLe || bomBe) {
    const encoding = bomLe ? 'UTF-16LE' : 'UTF-16BE';
    const text = decode(encoding.toLowerCase(), sample.subarray(2), complete);
    return text !== null && !FOREIGN_CONTROL.test(text) ? { encoding, text } : null;
  }
  if (sample.includes(0)) return null;
  const body = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf ? sample.subarray(3) : sample;
  for (const [label, encoding] of [['utf-8', 'UTF-8'], ['gb18030', 'GB18030']] as const) {
    const text = decode(label, body, complete);
    if (text !== null) return FOREIGN_CONTROL.test(text) ? null : { encoding, text };
  }
  return null;
}

/** HTML by its opening, after optional whitespace and comments. */
export function htmlKind(text: string): 'html5' | 'html' | null {
  const start = text.replace(/^(\s|<!--[\s\S]*?-->)+/, '').slice(0, 64).toLowerCase();
  if (/^<!doctype html\s*>/.test(start)) return 'html5';
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'html';
  return null;
}
