/**
 * The rules of disposition (到期鉴定), without I/O: when a D10/D30 item's retention runs out, what an
 * admin may decide about it, when it may be destroyed, and whether a stored object may be removed.
 * Dates are calendar dates (`YYYY-MM-DD`): a retention period runs in whole years, counted from
 * 1 January of the year after the 档号's year, so a 2026 D10 item is kept through 2036 and is due
 * for review on 2037-01-01.
 */

export type Retention = 'Y' | 'D30' | 'D10';
export const RETENTION_YEARS = { D30: 30, D10: 10 } as const;

export const DISPOSITION_DECISIONS = ['retain', 'permanent', 'transfer', 'destroy'] as const;
export type DispositionDecisionKind = (typeof DISPOSITION_DECISIONS)[number];

/**
 * Where an item stands: `not-due` (retention running), `due` (in the review list), `retained`
 * (extended, reviewed again on its review date), `permanent` (永久, by the schedule or re-appraised),
 * `transfer` (to be transferred to the archives), `destroy-approved` (awaits destruction), `destroyed`.
 */
export type DispositionState = 'not-due' | 'due' | 'retained' | 'permanent' | 'transfer' | 'destroy-approved' | 'destroyed';

/** What the rules need to know about one item. */
export interface DispositionFacts {
  retention: Retention;
  /** The 档号's year. */
  year: number;
  /** The decision in force (the latest one), if any. */
  decision?: { decision: DispositionDecisionKind; reviewOn: string | null } | undefined;
  destroyed: boolean;
  /** Names of the active holds that cover the item. */
  holds: readonly string[];
}

/** Why a request was refused: a code (a message in packages/messages, `disposition.refused.<code>`) and its parameters. */
export interface DispositionRefusal {
  code: 'permanent' | 'destroyed' | 'not-due' | 'held' | 'reason-missing' | 'extend-years' | 'not-approved';
  params: Record<string, string | number>;
}

export type Checked<T> = ({ ok: true } & T) | { ok: false; refusal: DispositionRefusal };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as `YYYY-MM-DD`, refusing anything else (an "as of" date from a person). */
export function parseCalendarDate(text: string): string {
  const match = DATE.exec(text.trim());
  const date = match ? new Date(`${match[0]}T00:00:00Z`) : undefined;
  if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== match[0]) {
    throw new RangeError(`"${text}" is not a calendar date (YYYY-MM-DD, e.g. 2037-01-01)`);
  }
  return match[0];
}

/** The date `years` whole years after a calendar date (29 February → 28 February when the year has none). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = parseCalendarDate(date).split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y + years, m - 1, d));
  if (target.getUTCMonth() !== m - 1) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

/** When a D10/D30 item's retention has run out and it is due for review; null for 永久 (never). */
export function retentionEndsOn(year: number, retention: Retention): string | null {
  if (retention === 'Y') return null;
  return `${String(year + 1 + RETENTION_YEARS[retention]).padStart(4, '0')}-01-01`;
}

/** Where the item stands on `asOf`, and the date it is (or was, or will be) due for review. */
export function dispositionStateOf(facts: DispositionFacts, asOf: string): { state: DispositionState; dueOn: string | null } {
  const scheduled = retentionEndsOn(facts.year, facts.retention);
  if (facts.destroyed) return { state: 'destroyed', dueOn: facts.decision?.reviewOn ?? scheduled };
  if (scheduled === null) return { state: 'permanent', dueOn: null };
  switch (facts.decision?.decision) {
    case 'permanent':
      return { state: 'permanent', dueOn: null };
    case 'transfer':
      return { state: 'transfer', dueOn: scheduled };
    case 'destroy':
      return { state: 'destroy-approved', dueOn: scheduled };
    case 'retain': {
      const reviewOn = facts.decision.reviewOn ?? scheduled;
      return { state: asOf >= reviewOn ? 'due' : 'retained', dueOn: reviewOn };
    }
    default:
      return { state: asOf >= scheduled ? 'due' : 'not-due', dueOn: scheduled };
  }
}

/** What an admin asks for one item. */
export interface DecisionRequest {
  decision: DispositionDecisionKind;
  reason: string;
  /** retain: by how many years the retention is extended (1–100), from the date it was due. */
  extendYears?: number | undefined;
}

/**
 * Whether the decision may be taken on `asOf`, and what it sets: a retain gives the date of the next
 * review. A decision is taken only on a due item, or changed while it has not been carried out (a
 * destruction approved, a transfer pending). A hold stops transfer and destruction; retaining a held
 * item is always allowed, since it removes nothing.
 */
export function checkDecision(facts: DispositionFacts, request: DecisionRequest, asOf: string): Checked<{ dueOn: string; reviewOn: string | null }> {
  const { state, dueOn } = dispositionStateOf(facts, asOf);
  if (request.reason.trim() === '') return refuse('reason-missing', {});
  if (state === 'destroyed') return refuse('destroyed', {});
  if (state === 'permanent' || dueOn === null) return refuse('permanent', {});
  if (state === 'not-due' || state === 'retained') return refuse('not-due', { dueOn });
  if ((request.decision === 'destroy' || request.decision === 'transfer') && facts.holds.length > 0) return refuse('held', { holds: facts.holds.join(', ') });
  if (request.decision === 'retain') {
    const years = request.extendYears;
    if (years === undefined || !Number.isInteger(years) || years < 1 || years > 100) return refuse('extend-years', { given: String(years ?? '') });
    return { ok: true, dueOn, reviewOn: addYears(dueOn, years) };
  }
  return { ok: true, dueOn, reviewOn: null };
}

/** Whether the item may be destroyed now: a destroy decision in force, not destroyed, no hold. */
export function checkDestruction(facts: DispositionFacts, asOf: string): Checked<object> {
  const { state } = dispositionStateOf(facts, asOf);
  if (state === 'destroyed') return refuse('destroyed', {});
  if (facts.holds.length > 0) return refuse('held', { holds: facts.holds.join(', ') });
  if (state !== 'destroy-approved') return refuse('not-approved', { state });
  return { ok: true };
}

/** How the store protects one object version, as it reports it (`supported: false`: the store has no Object Lock). */
export type StoredLock = { supported: true; mode?: 'COMPLIANCE' | 'GOVERNANCE'; retainUntil?: Date; legalHold: boolean } | { supported: false };

/** Why an object version must not be removed, or undefined when its retention has expired. */
export interface LockRefusal {
  code: 'object-retained' | 'object-legal-hold' | 'object-lock-unknown';
  params: Record<string, string>;
}

/**
 * Only an object whose Object Lock has expired is removed. A store without Object Lock holds no
 * retention to respect, unless the archive is configured to lock its objects: then it is not the
 * store the objects were written to, and nothing is removed.
 */
export function lockRefusalOf(lock: StoredLock, now: Date, archiveLocks: boolean): LockRefusal | undefined {
  if (!lock.supported) return archiveLocks ? { code: 'object-lock-unknown', params: {} } : undefined;
  if (lock.legalHold) return { code: 'object-legal-hold', params: {} };
  if (lock.retainUntil && lock.retainUntil.getTime() > now.getTime()) return { code: 'object-retained', params: { until: lock.retainUntil.toISOString(), mode: lock.mode ?? '' } };
  return undefined;
}

function refuse(code: DispositionRefusal['code'], params: DispositionRefusal['params']): { ok: false; refusal: DispositionRefusal } {
  return { ok: false, refusal: { code, params } };
}
