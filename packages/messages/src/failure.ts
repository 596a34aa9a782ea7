import type { Locale } from './locale.ts';
import { isMessageCode, render } from './render.ts';

/** A stage's failure as a person reads it: what it means in their language, and what was said at the time. */
export interface DescribedFailure {
  meaning: string;
  original: string;
}

/**
 * A stored failure reason (`ErrorName: what the tool or service said`): the error's meaning from its
 * `error.<ErrorName>` entry (or "processing failed (ErrorName)" for one the catalogue does not know), and
 * the original message unchanged, kept as evidence. Undefined when there is no reason.
 */
export function describeFailure(reason: string | null | undefined, locale: Locale): DescribedFailure | undefined {
  if (!reason) return undefined;
  const name = /^([A-Za-z]+(?:Error|Exception))\b/.exec(reason)?.[1] ?? '';
  const key = `error.${name}`;
  const meaning = isMessageCode(key) ? render(key, {}, locale) : render('error.unknown', { name: name || '—' }, locale);
  return { meaning, original: reason };
}
