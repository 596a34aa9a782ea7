import { createHash } from 'node:crypto';
import type { ContractIssue } from './cloudEvent.ts';

/** What intake writes to the dead-letter topic for a record it could not accept. */
export interface DeadLetter {
  reason: string;
  issues: ContractIssue[];
  receivedAt: string;
  origin: { topic: string; partition: number; offset: string; key: string | null };
  /** The original headers that are UTF-8 text. */
  headers: Record<string, string | undefined>;
  /** The original headers that are not, base64: a redrive restores them byte for byte. */
  binaryHeaders?: Record<string, string>;
  /** The original value: UTF-8 text when it decodes cleanly and stays compact in JSON, else base64. */
  value: { encoding: 'utf8' | 'base64'; content: string } | null;
  /**
   * Set when the value is not carried (it is larger than the dead-letter topic takes): the record stays
   * readable at `origin` for as long as that topic retains it, and these identify it.
   */
  valueOmitted?: { bytes: number; sha256: string; why: string };
  /** For a record the catalog refused: the database's error code and how often recording was tried. */
  failure?: { code?: string; attempts: number };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function textOf(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * UTF-8 stays readable; bytes that are not UTF-8, or text that JSON would blow up (a value full of
 * control characters escapes to six bytes each), go as base64, so a letter is at most ~4/3 of the record.
 */
function encodedValue(bytes: Buffer): NonNullable<DeadLetter['value']> {
  const text = textOf(bytes);
  const base64 = bytes.toString('base64');
  if (text !== undefined && Buffer.byteLength(JSON.stringify(text)) <= base64.length + 2) return { encoding: 'utf8', content: text };
  return { encoding: 'base64', content: base64 };
}

export function deadLetterOf(args: {
  reason: string;
  issues: ContractIssue[];
  receivedAt: string;
  origin: DeadLetter['origin'];
  headers: Record<string, string | Buffer | undefined>;
  value: Buffer | null;
  /** Leave the value out (say why); its size and SHA-256 are kept. */
  omitValue?: string;
  failure?: DeadLetter['failure'];
}): DeadLetter {
  const headers: DeadLetter['headers'] = {};
  const binaryHeaders: Record<string, string> = {};
  for (const [name, raw] of Object.entries(args.headers)) {
    if (raw === undefined || typeof raw === 'string') {
      headers[name] = raw;
      continue;
    }
    const text = textOf(raw);
    if (text === undefined) binaryHeaders[name] = raw.toString('base64');
    else headers[name] = text;
  }
  const letter: DeadLetter = {
    reason: args.reason,
    issues: args.issues,
    receivedAt: args.receivedAt,
    origin: args.origin,
    headers,
    value: null,
  };
  if (Object.keys(binaryHeaders).length > 0) letter.binaryHeaders = binaryHeaders;
  if (args.value && args.omitValue !== undefined) {
    letter.valueOmitted = { bytes: args.value.length, sha256: createHash('sha256').update(args.value).digest('hex'), why: args.omitValue };
  } else if (args.value) {
    letter.value = encodedValue(args.value);
  }
  if (args.failure) letter.failure = args.failure;
  return letter;
}
