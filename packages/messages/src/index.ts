export { CATALOGUE, type MessageCode } from './catalogue.ts';
export { describeFailure, type DescribedFailure } from './failure.ts';
export { renderFinding, type StoredFinding } from './findings.ts';
export { formatDate, formatDateTime, formatDuration, nameWithCode } from './format.ts';
export { DEFAULT_LOCALE, isLocale, LOCALES, negotiateLocale, type Locale } from './locale.ts';
export { isMessageCode, parametersOf, render, renderStored, translator, UnknownMessageError, type CodedMessage, type MessageParams, type Translate } from './render.ts';
