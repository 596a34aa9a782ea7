import type { FilingSchedule } from './schedule.ts';

/**
 * Filing deadlines (归档时间节点), pure: when a document is due in the archive, and whether it got there
 * in time. The deadline is the end of the Nth working day after the day of finalization (办结), in the
 * agency's timezone: finalized on a Monday with 5 working days, it is due by the end of the next
 * Monday. Working days are Monday to Friday; a public holiday is not one only when the schedule lists
 * it (holidays), and a weekend day is one only when listed (workdays, 调休). Nothing else is modelled.
 */

export interface FilingDeadline {
  /** The instant the deadline passes: midnight (agency time) after the last working day allowed. */
  dueBy: Date;
  workingDays: number;
  /** Which setting gave it: default, department <code> or category <code>. */
  rule: string;
}

const DAY = 86_400_000;

function offsetMs(timezone: string): number {
  const sign = timezone.startsWith('-') ? -1 : 1;
  const [hours, minutes] = timezone.slice(1).split(':').map(Number) as [number, number];
  return sign * (hours * 60 + minutes) * 60_000;
}

const dayString = (localMidnight: number) => new Date(localMidnight).toISOString().slice(0, 10);

function isWorkingDay(localMidnight: number, filing: Pick<FilingSchedule, 'holidays' | 'workdays'>): boolean {
  const day = dayString(localMidnight);
  if (filing.workdays.includes(day)) return true;
  if (filing.holidays.includes(day)) return false;
  const weekday = new Date(localMidnight).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The end of the `days`th working day after the local day of `from` (0: the end of that day itself). */
export function addWorkingDays(from: Date, days: number, filing: Pick<FilingSchedule, 'timezone' | 'holidays' | 'workdays'>): Date {
  const offset = offsetMs(filing.timezone);
  // Midnight of the finalization's local day, on a clock shifted so that UTC getters read local time.
  let day = Math.floor((from.getTime() + offset) / DAY) * DAY;
  for (let counted = 0; counted < days; ) {
    day += DAY;
    if (isWorkingDay(day, filing)) counted++;
  }
  return new Date(day + DAY - offset);
}

/** The deadline of a document, or undefined when the schedule sets none that applies. */
export function filingDeadlineOf(filing: FilingSchedule | undefined, document: { finalizedAt: Date; departmentCode: string; category: string | null }): FilingDeadline | undefined {
  if (!filing) return undefined;
  const candidates: { workingDays: number; rule: string }[] = [];
  if (filing.default) candidates.push({ workingDays: filing.default.workingDays, rule: 'default' });
  const department = Object.hasOwn(filing.byDepartment, document.departmentCode) ? filing.byDepartment[document.departmentCode] : undefined;
  if (department) candidates.push({ workingDays: department.workingDays, rule: `department ${document.departmentCode}` });
  const category = document.category && Object.hasOwn(filing.byCategory, document.category) ? filing.byCategory[document.category] : undefined;
  if (category) candidates.push({ workingDays: category.workingDays, rule: `category ${document.category}` });
  if (candidates.length === 0) return undefined;
  // Where several apply, the earliest deadline holds (the shortest allowance; the first named on a tie).
  const strictest = candidates.reduce((a, b) => (b.workingDays < a.workingDays ? b : a));
  return { dueBy: addWorkingDays(document.finalizedAt, strictest.workingDays, filing), workingDays: strictest.workingDays, rule: strictest.rule };
}

/**
 * Where a document stands against its deadline:
 *   filed-on-time / filed-late  — FILED, by or after the deadline;
 *   overdue                      — not filed, not settled otherwise, and the deadline has passed;
 *   pending                      — not filed yet, still within the deadline;
 *   settled                      — EXCLUDED or QUARANTINED: nothing is owed to the archive;
 *   no-deadline                  — the schedule sets none for it.
 */
export type FilingState = 'filed-on-time' | 'filed-late' | 'overdue' | 'pending' | 'settled' | 'no-deadline';

export function filingStateOf(deadline: FilingDeadline | undefined, document: { status: string; completedAt: Date | null }, now: Date): FilingState {
  if (document.status === 'EXCLUDED' || document.status === 'QUARANTINED') return 'settled';
  if (!deadline) return 'no-deadline';
  if (document.status === 'FILED') return document.completedAt && document.completedAt.getTime() > deadline.dueBy.getTime() ? 'filed-late' : 'filed-on-time';
  return now.getTime() > deadline.dueBy.getTime() ? 'overdue' : 'pending';
}

export interface FilingFactInput {
  ingestId: string;
  source: string;
  documentId: string;
  version: number;
  title: string;
  departmentCode: string;
  category: string | null;
  finalizedAt: Date;
  status: string;
  completedAt: Date | null;
}

export interface OverdueDocument extends FilingFactInput, FilingDeadline {
  /** How long past the deadline, in milliseconds. */
  overdueMs: number;
}

export interface DepartmentTimeliness {
  department: string;
  filedOnTime: number;
  filedLate: number;
  overdue: number;
  pending: number;
}

/** Each document judged against its deadline; counted per department, the overdue ones listed (most overdue first). */
export function filingTimeliness(filing: FilingSchedule | undefined, documents: FilingFactInput[], now: Date): { byDepartment: DepartmentTimeliness[]; overdue: OverdueDocument[] } {
  const departments = new Map<string, DepartmentTimeliness>();
  const overdue: OverdueDocument[] = [];
  for (const document of documents) {
    const deadline = filingDeadlineOf(filing, document);
    const state = filingStateOf(deadline, document, now);
    const row = departments.get(document.departmentCode) ?? { department: document.departmentCode, filedOnTime: 0, filedLate: 0, overdue: 0, pending: 0 };
    departments.set(document.departmentCode, row);
    if (state === 'filed-on-time') row.filedOnTime++;
    else if (state === 'filed-late') row.filedLate++;
    else if (state === 'pending') row.pending++;
    else if (state === 'overdue') {
      row.overdue++;
      overdue.push({ ...document, ...deadline!, overdueMs: now.getTime() - deadline!.dueBy.getTime() });
    }
  }
  return {
    byDepartment: [...departments.values()].sort((a, b) => a.department.localeCompare(b.department)),
    overdue: overdue.sort((a, b) => b.overdueMs - a.overdueMs || a.documentId.localeCompare(b.documentId)),
  };
}
