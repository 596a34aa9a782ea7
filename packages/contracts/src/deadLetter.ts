import type { ContractIssue } from './cloudEvent.ts';

/** What intake writes to the dead-letter topic for a record it could not accept. */
export interface DeadLetter {
  reason: string;
  issues: ContractIssue[];
  receivedAt: string;
  origin: { topic: string; partition: number; offset: string; key: string | null };
  headers: Record<string, string | undefined>;
  /** The original value: UTF-8 text when it decodes cleanly, else base64. */
  value: { encoding: 'utf8' | 'base64'; content: string } | null;
}

export function deadLetterOf(args: {
  reason: string;
  issues: ContractIssue[];
  receivedAt: string;
  origin: DeadLetter['origin'];
  headers: Record<string, string | undefined>;
  value: Buffer | null;
}): DeadLetter {
  let value: DeadLetter['value'] = null;
  if (args.value) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(args.value);
    value = Buffer.from(text, 'utf8').equals(args.value)
      ? { encoding: 'utf8', content: text }
      : { encoding: 'base64', content: args.value.toString('base64') };
  }
  return { ...args, value };
}
