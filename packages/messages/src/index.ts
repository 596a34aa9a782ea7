export { CATALOGUE, type MessageCode } from './catalogue.ts';
export { renderFinding, type StoredFinding } from './findings.ts';
export { formatDate, formatDateTime, formatDuration } from './format.ts';
export { DEFAULT_LOCALE, isLocale, LOCALES, negotiateLocale, type Locale } from './locale.ts';
export { isMessageCode, parametersOf, render, renderStored, translator, UnknownMessageError, type CodedMessage, type MessageParams, type Translate } from './render.ts';
