import { documentFinalizedDataSchema, exampleDocumentFinalizedEvent, type DocumentFinalizedData } from '@oa-archive/contracts';
import type { ComponentFacts } from '../src/index.ts';

type Overrides = Partial<Omit<DocumentFinalizedData, 'issuer' | 'dates' | 'workflow'>> & {
  issuer?: Partial<DocumentFinalizedData['issuer']>;
  dates?: Partial<DocumentFinalizedData['dates']>;
  workflow?: Partial<DocumentFinalizedData['workflow']>;
};

/** A valid document's data with the given changes. */
export function documentData(overrides: Overrides = {}): DocumentFinalizedData {
  const base = documentFinalizedDataSchema.parse(exampleDocumentFinalizedEvent.data);
  return {
    ...base,
    ...overrides,
    issuer: { ...base.issuer, ...overrides.issuer },
    dates: { ...base.dates, ...overrides.dates },
    workflow: { ...base.workflow, ...overrides.workflow },
  } as DocumentFinalizedData;
}

export function textComponent(ordinal = 1, extra: Partial<ComponentFacts> = {}): ComponentFacts {
  return { ordinal, role: ordinal === 1 ? '正文' : '附件', mediaKind: 'text', findings: [], ...extra };
}
