import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  appendAuditEvent,
  decideRuleProposal,
  documentsFinalizedSince,
  dropOpenProposalsExcept,
  inTransaction,
  insertScheduleVersion,
  lockScheduleVersions,
  newestScheduleVersion,
  ruleProposalOf,
  ruleProposals,
  settledReviews,
  upsertRuleProposal,
  type Catalog,
  type ComponentFactRow,
  type Queryable,
  type RuleProposalRecord,
  type ScheduleVersionRecord,
} from '@oa-archive/catalog';
import {
  DEFAULT_SCHEDULE_PATH,
  declaredComponentFacts,
  dryRunRule,
  MEDIA_KINDS,
  mediaKindOfMediaType,
  parseSchedule,
  proposeRules,
  scheduleTextWithRule,
  type ComponentFacts,
  type DryRunResult,
  type MediaKind,
  type RetentionSchedule,
  type Rule,
  type SettledDocument,
} from '@oa-archive/classify';
import type { DocumentFinalizedData } from '@oa-archive/contracts';
import type { Logger } from '@oa-archive/observability';
import { OperationError } from './operations.ts';
import { PeriodicTask } from './periodic.ts';

/**
 * The review queue teaches the schedule (docs/records-officer.md, "Rules learned from the review
 * queue"). The agency's schedule file is the root; each accepted proposal stores a new version in the
 * catalog, that file with the rule added, and classification uses the newest version grown from the
 * file it was started with. A changed file (a new `version`) starts afresh: rules accepted on the
 * old one are carried over by writing them into the file.
 */

/** The agency's schedule file: its text (the base new versions are written on) and its parsed form. */
export interface ScheduleSource {
  text: string;
  schedule: RetentionSchedule;
  source: string;
}

/** The schedule in force: the newest stored version grown from the file, else the file itself. */
export interface EffectiveSchedule extends ScheduleSource {
  stored?: ScheduleVersionRecord;
}

export async function readScheduleSource(file: string = DEFAULT_SCHEDULE_PATH): Promise<ScheduleSource> {
  const text = await readFile(file, 'utf8');
  const source = path.basename(file);
  return { text, schedule: parseSchedule(text, source), source };
}

export async function effectiveSchedule(db: Queryable, root: ScheduleSource): Promise<EffectiveSchedule> {
  const stored = await newestScheduleVersion(db, root.schedule.version);
  if (!stored) return root;
  const source = `schedule version ${stored.version} (catalog)`;
  return { text: stored.yaml, schedule: parseSchedule(stored.yaml, source), source, stored };
}

/** How often a worker looks for a newly accepted schedule version. */
export const SCHEDULE_REFRESH_MS = 30_000;

/**
 * Keeps `deps.schedule` the schedule in force, so a version accepted on the console is used by the
 * next classification without a restart. Returns the task to stop.
 */
export function startScheduleRefresh(deps: { catalog: Catalog; schedule: RetentionSchedule; logger: Logger }, root: ScheduleSource, intervalMs: number): PeriodicTask {
  return new PeriodicTask(
    'schedule refresh',
    intervalMs,
    async () => {
      const current = await effectiveSchedule(deps.catalog.pool, root);
      if (current.schedule.version !== deps.schedule.version) {
        deps.logger.info({ from: deps.schedule.version, to: current.schedule.version }, 'classification now uses a new schedule version');
        deps.schedule = current.schedule;
      }
    },
    deps.logger,
  ).start();
}

function componentFacts(data: DocumentFinalizedData, rows: readonly ComponentFactRow[]): ComponentFacts[] {
  if (rows.length === 0) return declaredComponentFacts(data);
  return rows.map((r) => ({ ordinal: r.ordinal, role: r.role, mediaKind: (MEDIA_KINDS as readonly string[]).includes(r.mediaKind ?? '') ? (r.mediaKind as MediaKind) : mediaKindOfMediaType(r.mediaType ?? undefined), findings: r.findings }));
}

async function settledDocuments(db: Queryable): Promise<SettledDocument[]> {
  return (await settledReviews(db)).map((r) => {
    const data = r.event.data as DocumentFinalizedData;
    return {
      ingestId: r.ingestId,
      data,
      components: componentFacts(data, r.components),
      settlement: r.outcome === 'FILE' ? { outcome: 'FILE', category: r.category!, retention: r.retention as 'Y' | 'D30' | 'D10' } : { outcome: 'EXCLUDE' },
      settledBy: r.settledBy,
    };
  });
}

const LEARNING_ACTOR = 'system:rule-learning';

/**
 * Looks at the review settlements again and brings the open proposals up to date: new groups are
 * proposed (audited), grown ones refreshed, and those no longer backed (their rule is now in the
 * schedule, or the documents were settled otherwise since) withdrawn (audited). Decided proposals
 * are history and never change.
 */
export async function refreshRuleProposals(deps: { catalog: Catalog; root: ScheduleSource; minItems?: number }): Promise<{ open: RuleProposalRecord[]; created: number; withdrawn: number }> {
  const pool = deps.catalog.pool;
  return inTransaction(pool, async (tx) => {
    await lockScheduleVersions(tx);
    const { schedule } = await effectiveSchedule(tx, deps.root);
    const rejected = (await ruleProposals(tx, { status: 'rejected' })).map((p) => ({ key: p.ruleKey, ingestIds: p.ingestIds }));
    const proposed = proposeRules(schedule, await settledDocuments(tx), { ...(deps.minItems ? { minItems: deps.minItems } : {}), rejected });
    const before = new Map((await ruleProposals(tx, { status: 'proposed' })).map((p) => [p.ruleKey, p]));
    let created = 0;
    const open: RuleProposalRecord[] = [];
    for (const p of proposed) {
      const { proposal, created: isNew } = await upsertRuleProposal(tx, { ruleKey: p.key, rule: p.rule, settlement: p.settlement, basis: p.basis, ingestIds: p.ingestIds, scheduleVersion: schedule.version });
      if (isNew) {
        created++;
        await appendAuditEvent(tx, { ingestId: null, type: 'schedule.rule-proposed', actor: LEARNING_ACTOR, payload: { proposalId: proposal.id, rule: p.rule, ingestIds: p.ingestIds, scheduleVersion: schedule.version } });
      }
      open.push(proposal);
    }
    const kept = proposed.map((p) => p.key);
    const gone = [...before.values()].filter((p) => !kept.includes(p.ruleKey));
    const withdrawn = await dropOpenProposalsExcept(tx, kept);
    for (const p of gone) await appendAuditEvent(tx, { ingestId: null, type: 'schedule.rule-proposal-withdrawn', actor: LEARNING_ACTOR, payload: { proposalId: p.id, ruleId: p.rule.id, ingestIds: p.ingestIds, scheduleVersion: schedule.version } });
    return { open: open.sort((a, b) => b.id - a.id), created, withdrawn };
  });
}

/** Days a dry run looks back over (the last year's documents). */
export const DRY_RUN_DAYS = 365;

/**
 * What each rule would change among the documents finalized in the last `days` days, against the
 * schedule in force. The year's documents are read once for all the rules.
 */
export async function dryRunProposals(deps: { catalog: Catalog; root: ScheduleSource }, proposals: readonly Pick<RuleProposalRecord, 'rule'>[], options: { now?: Date; days?: number } = {}): Promise<(DryRunResult & { scheduleVersion: string; since: Date })[]> {
  const pool = deps.catalog.pool;
  const { schedule } = await effectiveSchedule(pool, deps.root);
  const since = new Date((options.now ?? new Date()).getTime() - (options.days ?? DRY_RUN_DAYS) * 86_400_000);
  if (proposals.length === 0) return [];
  const documents = (await documentsFinalizedSince(pool, since)).map((d) => {
    const data = d.event.data as DocumentFinalizedData;
    return { ingestId: d.ingestId, documentId: d.documentId, title: d.title, input: { data, components: componentFacts(data, d.components) } };
  });
  return proposals.map((p) => ({ ...dryRunRule(schedule, p.rule as unknown as Rule, documents), scheduleVersion: schedule.version, since }));
}

export async function dryRunProposal(deps: { catalog: Catalog; root: ScheduleSource }, proposal: Pick<RuleProposalRecord, 'rule'>, options: { now?: Date; days?: number } = {}): Promise<DryRunResult & { scheduleVersion: string; since: Date }> {
  return (await dryRunProposals(deps, [proposal], options))[0]!;
}

async function openProposal(tx: Queryable, id: number): Promise<RuleProposalRecord> {
  const proposal = await ruleProposalOf(tx, id, { forUpdate: true });
  if (!proposal) throw new OperationError(`no rule proposal ${id}`);
  if (proposal.status !== 'proposed') throw new OperationError(`rule proposal ${id} was ${proposal.status} by ${proposal.decidedBy} already`);
  return proposal;
}

/** The next version's name: the file's version with a running number of learned versions. */
const nextVersionOf = (root: string, newest: ScheduleVersionRecord | undefined) => `${root}+learned.${Number(newest?.version.match(/\+learned\.(\d+)$/)?.[1] ?? 0) + 1}`;

/**
 * An admin accepts a proposal: the schedule in force with the rule added becomes a new stored
 * version (validated as any schedule file), used by classification from then on. One transaction:
 * the version, the proposal's decision and its audit event land together.
 */
export async function acceptRuleProposal(deps: { catalog: Catalog; root: ScheduleSource }, id: number, actor: string, reason?: string): Promise<{ proposal: RuleProposalRecord; version: ScheduleVersionRecord }> {
  const accepted = await inTransaction(deps.catalog.pool, async (tx) => {
    await lockScheduleVersions(tx);
    const proposal = await openProposal(tx, id);
    const current = await effectiveSchedule(tx, deps.root);
    const version = nextVersionOf(deps.root.schedule.version, current.stored);
    const next = scheduleTextWithRule(current.text, proposal.rule as unknown as Rule, version, `schedule version ${version}`);
    const stored = await insertScheduleVersion(tx, { version, rootVersion: deps.root.schedule.version, baseVersion: current.schedule.version, yaml: next.text, createdBy: actor });
    const decided = await decideRuleProposal(tx, id, { status: 'accepted', by: actor, reason: reason ?? null, acceptedVersion: version });
    await appendAuditEvent(tx, {
      ingestId: null,
      type: 'schedule.rule-accepted',
      actor: `person:${actor}`,
      // The version's whole text: the trail then proves which rules were in force, and a catalog rebuilt from the store restores it.
      payload: { proposalId: id, rule: proposal.rule, ingestIds: proposal.ingestIds, scheduleVersion: version, baseVersion: current.schedule.version, rootVersion: deps.root.schedule.version, yaml: next.text, ...(reason ? { reason } : {}) },
    });
    return { proposal: decided, version: stored };
  });
  // The new version may now decide what other open proposals proposed: those are withdrawn at once.
  await refreshRuleProposals(deps);
  return accepted;
}

/** An admin rejects a proposal, saying why; its documents do not make the same proposal again. */
export async function rejectRuleProposal(deps: { catalog: Catalog }, id: number, actor: string, reason: string): Promise<RuleProposalRecord> {
  if (!reason.trim()) throw new OperationError('say why the rule is rejected');
  return inTransaction(deps.catalog.pool, async (tx) => {
    const proposal = await openProposal(tx, id);
    const decided = await decideRuleProposal(tx, id, { status: 'rejected', by: actor, reason });
    await appendAuditEvent(tx, { ingestId: null, type: 'schedule.rule-rejected', actor: `person:${actor}`, payload: { proposalId: id, ruleId: proposal.rule.id, ingestIds: proposal.ingestIds, reason } });
    return decided;
  });
}
