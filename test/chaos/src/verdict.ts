import { isSettled, type Facts, type IngestFact, type ReceiptFact } from './facts.ts';

/** One promise of the archive, checked after the run: what was found, and each case that breaks it. */
export interface Check {
  name: string;
  ok: boolean;
  summary: string;
  details: string[];
}

/** Puts a moment of the run into words, for the cases a check lists. */
export interface TimeContext {
  /** Seconds into the faulted phase and the fault around that moment. */
  describe(epochMs: number): string;
  /** The first Redis restart after that moment (it emptied every queue), if there was one. */
  redisLossAfter(epochMs: number): string | undefined;
}

const MAX_DETAILS = 40;
const capped = (lines: string[]) => (lines.length <= MAX_DETAILS ? lines : [...lines.slice(0, MAX_DETAILS), `… and ${lines.length - MAX_DETAILS} more`]);

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

export function checkLost(facts: Facts): Check {
  const ingested = new Set(facts.ingests.map((i) => i.documentId));
  const lost = facts.published.filter((p) => !ingested.has(p.documentId));
  const letters = groupBy(facts.deadLetters, (d) => d.documentId ?? '');
  const details = lost.map((p) => {
    const dead = letters.get(p.documentId);
    return `${p.documentId}: no ingest; ${dead ? `dead-lettered: ${dead[0]!.reason}` : 'not dead-lettered either'}`;
  });
  return { name: 'lost', ok: lost.length === 0, summary: `${lost.length} of ${facts.published.length} published documents have no ingest`, details: capped(details) };
}

function whereStuck(i: IngestFact): string {
  const jobs = i.jobs.length === 0 ? 'no job in Redis' : i.jobs.map((j) => `${j.stage} job ${j.state}`).join(', ');
  const queued = i.enqueuedAt === null ? ', never enqueued' : '';
  return `${i.status} at ${i.currentStage ?? '(no stage)'}${queued}; ${jobs}`;
}

export function checkStranded(facts: Facts, time: TimeContext): Check {
  const stranded = facts.ingests.filter((i) => !isSettled(i.status));
  const details: string[] = [];
  // Every group's line first, so a long list still shows each way an ingest got stuck.
  const groups = [...groupBy(stranded, whereStuck)].sort((a, b) => b[1].length - a[1].length);
  for (const [where, group] of groups) details.push(`${group.length} × ${where}`);
  for (const [where, group] of groups) {
    details.push(`e.g. ${where}:`);
    for (const i of group.slice(0, 2)) {
      const run = i.lastRun ? `last run ${i.lastRun.stage} ${i.lastRun.status} (attempt ${i.lastRun.attempt}) at ${time.describe(i.lastRun.finishedAt)}${i.lastRun.reason ? `: ${i.lastRun.reason}` : ''}` : 'no stage run';
      const loss = i.jobs.length === 0 ? time.redisLossAfter(Math.max(i.updatedAt, i.lastRun?.finishedAt ?? 0)) : undefined;
      details.push(`    ${i.documentId} ${i.ingestId}: ${run}; last change at ${time.describe(i.updatedAt)}${loss ? `; its job went with ${loss}` : ''}`);
    }
  }
  return { name: 'stranded', ok: stranded.length === 0, summary: `${stranded.length} of ${facts.ingests.length} ingests are not in a final state`, details: capped(details) };
}

/** FAILED counts as final here, but each one is a document a person has to replay: listed, not failed. */
export function reportFailed(facts: Facts): Check {
  const failed = facts.ingests.filter((i) => i.status === 'FAILED');
  const details = [...groupBy(failed, (i) => `at ${i.failedStage}: ${(i.failureReason ?? '').split(':')[0]}`)].map(
    ([where, group]) => `${group.length} × FAILED ${where} — e.g. ${group[0]!.documentId}: ${group[0]!.failureReason}`,
  );
  return { name: 'failed (final, reported)', ok: true, summary: `${failed.length} ingests ended FAILED`, details: capped(details) };
}

export function checkAips(facts: Facts): Check {
  const status = new Map(facts.ingests.map((i) => [i.ingestId, i.status]));
  const details: string[] = [];
  for (const [ingestId, bags] of groupBy(facts.bags.filter((b) => b.ingestId), (b) => b.ingestId!)) {
    if (bags.length > 1) details.push(`${ingestId} (${status.get(ingestId)}) has ${bags.length} bags: ${bags.map((b) => b.prefix).join(', ')}`);
  }
  for (const bag of facts.bags.filter((b) => !b.ingestId)) details.push(`bag ${bag.prefix} (${bag.objects} objects) belongs to no ingest`);
  const stored = new Set(facts.bags.map((b) => b.prefix));
  const filed = facts.ingests.filter((i) => i.status === 'FILED');
  const prefixOf = new Map(facts.aips.map((a) => [a.ingestId, a.prefix]));
  for (const i of filed) {
    const prefix = prefixOf.get(i.ingestId);
    if (!prefix || !stored.has(prefix)) details.push(`${i.documentId} ${i.ingestId} is FILED but its bag ${prefix ?? '(no AIP recorded)'} is not in the archive bucket`);
  }
  const ok = details.length === 0;
  const partial = facts.bags.filter((b) => b.ingestId && status.get(b.ingestId) !== 'FILED');
  for (const bag of partial) details.push(`note: bag ${bag.prefix} (${bag.objects} objects) of an ingest that is ${status.get(bag.ingestId!) ?? 'unknown'}, not FILED`);
  const others = facts.otherArchiveKeys > 0 ? ` (and ${facts.otherArchiveKeys} objects outside any bag)` : '';
  return { name: 'duplicate AIPs', ok, summary: `${facts.bags.length} bags in the archive bucket for ${filed.length} FILED ingests${others}`, details: capped(details) };
}

export function checkReferenceNumbers(facts: Facts): Check {
  const details: string[] = [];
  let numbers = 0;
  for (const c of facts.numbering) {
    numbers += c.items.length;
    const voided = new Set(c.voided);
    for (const [n, holders] of groupBy(c.items, (i) => String(i.itemNumber))) {
      if (holders.length > 1) details.push(`${c.itemClass}: item ${n} is held by ${holders.length} documents: ${holders.map((h) => `${h.ingestId} (${h.status})`).join(', ')}`);
      if (voided.has(Number(n))) details.push(`${c.itemClass}: item ${n} is voided yet held by ${holders[0]!.ingestId}`);
      if (Number(n) > c.lastItem || Number(n) < 1) details.push(`${c.itemClass}: item ${n} lies outside 1..${c.lastItem}`);
    }
    const held = new Set(c.items.map((i) => i.itemNumber));
    const missing = Array.from({ length: c.lastItem }, (_, k) => k + 1).filter((n) => !held.has(n) && !voided.has(n));
    if (missing.length > 0) details.push(`${c.itemClass}: ${missing.length} number(s) missing from 1..${c.lastItem} and not voided: ${missing.slice(0, 20).join(', ')}`);
  }
  const numbered = new Set(facts.numbering.flatMap((c) => c.items.map((i) => i.ingestId)));
  for (const i of facts.ingests.filter((x) => x.status === 'FILED' && !numbered.has(x.ingestId))) details.push(`${i.documentId} ${i.ingestId} is FILED without a 档号`);
  return {
    name: '档号',
    ok: details.length === 0,
    summary: `${facts.numbering.length} classes, ${numbers} numbers, ${facts.numbering.reduce((s, c) => s + c.voided.length, 0)} voided (${facts.voidedSource})`,
    details: capped(details),
  };
}

/** `archive audit verify` names each object it could not match; grouped here by ingest, with where that ingest stands. */
export function checkAuditVerify(facts: Facts): Check {
  const { exitCode, lines } = facts.auditVerify;
  const ingests = new Map(facts.ingests.map((i) => [i.ingestId, i]));
  const problems = new Map<string, string[]>();
  const other: string[] = [];
  for (const line of lines) {
    const match = /^(MISSING|SIZE MISMATCH|DIGEST MISMATCH) s3:\/\/\S+ \(ingest (\S+), ([^)]+)\)/.exec(line);
    if (match) problems.set(`${match[1]}|${match[2]}`, [...(problems.get(`${match[1]}|${match[2]}`) ?? []), match[3]!]);
    else if (/^AUDIT CHAIN BROKEN/.test(line)) other.push(line);
  }
  const details = [...other];
  for (const [key, what] of problems) {
    const [kind, ingestId] = key.split('|') as [string, string];
    const ingest = ingests.get(ingestId);
    const stands = ingest ? `${ingest.documentId}, ${ingest.status}${ingest.failedStage ? ` at ${ingest.failedStage}` : ingest.currentStage && !isSettled(ingest.status) ? ` at ${ingest.currentStage}` : ''}` : 'unknown ingest';
    details.push(`${kind}: ${what.length} object(s) of ${ingestId} (${stands}): ${what.slice(0, 4).join(', ')}${what.length > 4 ? ', …' : ''}`);
  }
  // The workers anchor under the same faults (AUDIT_ANCHOR_INTERVAL_MS in the stack): a run that wrote no anchor shows anchoring does not survive them.
  const anchored = lines.some((l) => /^audit anchors matching the recomputed chain: [1-9]/.test(l));
  if (!anchored) details.push('no audit anchor was written during the run: the trail is not anchored');
  const summary = lines.filter((l) => !/^(MISSING|SIZE MISMATCH|DIGEST MISMATCH|AUDIT CHAIN BROKEN)/.test(l)).join('; ');
  return { name: 'audit verify --read-back', ok: exitCode === 0 && anchored, summary: `exit ${exitCode}: ${summary}`, details: capped(details) };
}

export function checkReceipts(facts: Facts): Check {
  const byId = groupBy(facts.receipts, (r) => r.id);
  const redelivered = [...byId.values()].filter((copies) => copies.length > 1);
  const distinct = [...byId.values()].map((copies) => copies[0]!);
  const finals = groupBy(distinct.filter((r) => isSettled(r.outcome)), (r) => r.ingestId);
  const details: string[] = [];
  const known = new Set(facts.ingests.map((i) => i.ingestId));
  const show = (rs: ReceiptFact[]) => rs.map((r) => `${r.id} (${r.outcome})`).join(', ');
  for (const i of facts.ingests) {
    const mine = finals.get(i.ingestId) ?? [];
    if (isSettled(i.status) && mine.length === 0) details.push(`${i.documentId} ${i.ingestId} is ${i.status} but no final receipt was sent`);
    else if (mine.length > 1) details.push(`${i.documentId} ${i.ingestId} (${i.status}) got ${mine.length} different final receipts: ${show(mine)}`);
    else if (mine.length === 1 && mine[0]!.outcome !== i.status) details.push(`${i.documentId} ${i.ingestId} is ${i.status} but its receipt says ${mine[0]!.outcome} (${mine[0]!.id})`);
  }
  for (const [ingestId, rs] of finals) if (!known.has(ingestId)) details.push(`receipt(s) for an ingest the catalog does not know: ${show(rs)}`);
  const ok = details.length === 0;
  if (redelivered.length > 0) details.push(`note: ${redelivered.length} receipt id(s) were sent more than once (same id, so the OA can drop the copies), e.g. ${redelivered[0]![0]!.id} × ${redelivered[0]!.length}`);
  return {
    name: 'receipts',
    ok,
    summary: `${facts.receipts.length} records, ${distinct.length} distinct receipt ids, ${[...finals.values()].filter((rs) => rs.length === 1).length} ingests with exactly one final receipt`,
    details: capped(details),
  };
}

/** Every check, in the order the report prints them. */
export function evaluate(facts: Facts, time: TimeContext): Check[] {
  return [checkLost(facts), checkStranded(facts, time), reportFailed(facts), checkAips(facts), checkReferenceNumbers(facts), checkAuditVerify(facts), checkReceipts(facts)];
}
