import { CATALOGUE, type MessageCode } from './catalogue.ts';
import { DEFAULT_LOCALE, type Locale } from './locale.ts';

export type MessageParams = Record<string, string | number | null | undefined>;

/** A message with its parameters, as stored beside prose so that the edge can render it in any language. */
export interface CodedMessage {
  code: string;
  params?: MessageParams;
}

export class UnknownMessageError extends Error {
  override readonly name = 'UnknownMessageError';
  readonly code: string;
  constructor(code: string) {
    super(`no message ${code} in the catalogue: add it to packages/messages/src/catalogue.ts in both languages`);
    this.code = code;
  }
}

export const isMessageCode = (code: string): code is MessageCode => Object.hasOwn(CATALOGUE, code);

/** The `{name}` parameters a template takes. */
export const parametersOf = (template: string) => [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

/** The message in the locale, its `{name}` parameters filled in (a missing one stays visible as `{name}`). */
export function render(code: MessageCode, params: MessageParams = {}, locale: Locale = DEFAULT_LOCALE): string {
  const entry = CATALOGUE[code];
  if (!entry) throw new UnknownMessageError(code);
  return entry[locale].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

/**
 * A stored message: rendered from its code when the catalogue knows it, else the text stored with it
 * (rows written before codes existed, or by a newer version).
 */
export function renderStored(message: { code?: string | null; params?: MessageParams | null }, fallback: string, locale: Locale): string {
  return message.code && isMessageCode(message.code) ? render(message.code, message.params ?? {}, locale) : fallback;
}

/** A translator bound to one locale, for a page or a command's output. */
export type Translate = (code: MessageCode, params?: MessageParams) => string;
export const translator = (locale: Locale): Translate => (code, params) => render(code, params, locale);
