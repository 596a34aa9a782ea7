export { classify, documentMediaKind, matchingRules } from './engine.ts';
export type { ClassificationDecision, ClassificationInput, ClassificationOutcome, ComponentFacts } from './engine.ts';
export { DEFAULT_SCHEDULE_PATH, loadSchedule } from './load.ts';
export { isIncoming, orderComponents } from './ordering.ts';
export { formatReferenceCode, previewReferenceCode, referenceCodePattern } from './referenceCode.ts';
export type { ReferenceClass, ReferenceCodeParts } from './referenceCode.ts';
export { MEDIA_KINDS, parseSchedule, RETENTIONS, ScheduleError, scheduleSchema } from './schedule.ts';
export type { MediaKind, Retention, RetentionSchedule, Rule, RuleConditions } from './schedule.ts';
export { declaredComponentFacts, mediaKindOfMediaType } from './declared.ts';
