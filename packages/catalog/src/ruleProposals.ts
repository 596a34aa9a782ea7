import type { Queryable } from './db.ts';

/**
 * Storage for the schedule the review queue teaches (migration 015): the review settlements a rule
 * can be learned from, the documents a dry run goes over, the proposals with their decisions, and
 * the schedule versions accepted proposals made. Audit events are the caller's, in the same
 * transaction as the change.
 */

export type ProposalStatus = 'proposed' | 'accepted' | 'rejected';
export const PROPOSAL_STATUSES: readonly ProposalStatus[] = ['proposed', 'accepted', 'rejected'];

/** A component as classification sees it: its role, its media type, and characterization's findings (none before characterization). */
export interface ComponentFactRow {
  ordinal: number;
  role: string;
  mediaType: string | null;
  /** Characterization's media kind (text, photo …), when characterized. */
  mediaKind: string | null;
  findings: { code: string; severity: 'unsafe' | 'integrity' | 'authenticity' | 'info'; message: string; params?: Record<string, string | number> }[];
}

/** A document a person settled in review after classify (file or exclude), its decision still theirs. */
export interface SettledReviewRow {
  ingestId: string;
  event: { data: unknown };
  outcome: 'FILE' | 'EXCLUDE';
  category: string | null;
  retention: string | null;
  settledBy: string;
  settledAt: Date;
  components: ComponentFactRow[];
}

export interface DocumentForDryRun {
  ingestId: string;
  documentId: string;
  title: string;
  status: string;
  event: { data: unknown };
  components: ComponentFactRow[];
}

export interface RuleProposalRecord extends NewRuleProposal {
  id: number;
  status: ProposalStatus;
  proposedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  acceptedVersion: string | null;
}

export interface ScheduleVersionRecord {
  seq: number;
  version: string;
  rootVersion: string;
  baseVersion: string;
  yaml: string;
  createdBy: string;
  createdAt: Date;
}

async function componentFactsOf(db: Queryable, ingestIds: readonly string[]): Promise<Map<string, ComponentFactRow[]>> {
  const { rows } = await db.query<{ ingest_id: string; ordinal: number; role: string; media_type: string | null; media_kind: string | null; findings: ComponentFactRow['findings'] | null }>(
    `SELECT co.ingest_id, co.ordinal, co.role, coalesce(cc.media_type, co.declared_media_type) AS media_type, cc.format->>'mediaKind' AS media_kind, cc.findings
       FROM components co LEFT JOIN component_characterizations cc USING (ingest_id, ordinal)
      WHERE co.ingest_id = ANY($1) ORDER BY co.ingest_id, co.ordinal`,
    [ingestIds],
  );
  const byIngest = new Map<string, ComponentFactRow[]>();
  for (const r of rows) {
    const list = byIngest.get(r.ingest_id) ?? [];
    list.push({ ordinal: r.ordinal, role: r.role, mediaType: r.media_type, mediaKind: r.media_kind, findings: r.findings ?? [] });
    byIngest.set(r.ingest_id, list);
  }
  return byIngest;
}

/**
 * Documents settled in review while waiting after classify, whose decision is still the person's
 * (`manual:` rule ids), with the latest settlement's who and when. Those settled after convert or
 * validate were decided by a rule already and teach the schedule nothing.
 */
export async function settledReviews(db: Queryable): Promise<SettledReviewRow[]> {
  const { rows } = await db.query<{ ingest_id: string; event: { data: unknown }; outcome: 'FILE' | 'EXCLUDE'; category: string | null; retention: string | null; actor: string; at: Date }>(
    `SELECT c.ingest_id, i.event, c.outcome, c.category, c.retention, s.actor, s.at
       FROM classifications c
       JOIN ingests i ON i.ingest_id = c.ingest_id
       CROSS JOIN LATERAL (
         SELECT a.actor, a.at, a.payload FROM audit_events a
          WHERE a.ingest_id = c.ingest_id AND a.type IN ('ingest.review-settled', 'ingest.excluded') AND a.payload ? 'decision'
          ORDER BY a.seq DESC LIMIT 1) s
      WHERE c.rule_ids[1] LIKE 'manual:%' AND c.outcome IN ('FILE', 'EXCLUDE')
        AND s.payload->>'waitedAt' = 'classify' AND s.payload->>'decision' IN ('file', 'exclude')
      ORDER BY c.ingest_id`,
  );
  const components = await componentFactsOf(db, rows.map((r) => r.ingest_id));
  return rows.map((r) => ({ ingestId: r.ingest_id, event: r.event, outcome: r.outcome, category: r.category, retention: r.retention, settledBy: r.actor, settledAt: r.at, components: components.get(r.ingest_id) ?? [] }));
}

/** Every document finalized since `since` (a dry run's year), oldest first. */
export async function documentsFinalizedSince(db: Queryable, since: Date): Promise<DocumentForDryRun[]> {
  const { rows } = await db.query<{ ingest_id: string; document_id: string; title: string; status: string; event: { data: unknown } }>(
    `SELECT ingest_id, document_id, title, status, event FROM ingests WHERE finalized_at >= $1 ORDER BY finalized_at, ingest_id`,
    [since],
  );
  const components = await componentFactsOf(db, rows.map((r) => r.ingest_id));
  return rows.map((r) => ({ ingestId: r.ingest_id, documentId: r.document_id, title: r.title, status: r.status, event: r.event, components: components.get(r.ingest_id) ?? [] }));
}

function proposalFromRow(r: Record<string, unknown>): RuleProposalRecord {
  return {
    id: Number(r.id),
    ruleKey: r.rule_key as string,
    rule: r.rule as RuleProposalRecord['rule'],
    settlement: r.settlement as Record<string, unknown>,
    basis: r.basis as Record<string, unknown>,
    ingestIds: r.ingest_ids as string[],
    scheduleVersion: r.schedule_version as string,
    status: r.status as ProposalStatus,
    proposedAt: r.proposed_at as Date,
    decidedBy: r.decided_by as string | null,
    decidedAt: r.decided_at as Date | null,
    reason: r.reason as string | null,
    acceptedVersion: r.accepted_version as string | null,
  };
}

export interface NewRuleProposal {
  ruleKey: string;
  rule: Record<string, unknown> & { id: string };
  settlement: Record<string, unknown>;
  basis: Record<string, unknown>;
  ingestIds: string[];
  scheduleVersion: string;
}

/**
 * Records a proposal, or refreshes the open one for the same rule (its documents and wording may
 * have grown). `created` says which, so only a new proposal is audited as proposed.
 */
export async function upsertRuleProposal(tx: Queryable, p: NewRuleProposal): Promise<{ proposal: RuleProposalRecord; created: boolean }> {
  const { rows } = await tx.query(
    `INSERT INTO rule_proposals (rule_key, rule, settlement, basis, ingest_ids, schedule_version) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (rule_key) WHERE status = 'proposed'
       DO UPDATE SET rule = EXCLUDED.rule, basis = EXCLUDED.basis, ingest_ids = EXCLUDED.ingest_ids, schedule_version = EXCLUDED.schedule_version
     RETURNING *, (xmax = 0) AS created`,
    [p.ruleKey, p.rule, p.settlement, p.basis, p.ingestIds, p.scheduleVersion],
  );
  return { proposal: proposalFromRow(rows[0]), created: rows[0].created as boolean };
}

export async function ruleProposals(db: Queryable, filter: { status?: ProposalStatus } = {}): Promise<RuleProposalRecord[]> {
  const { rows } = await db.query(`SELECT * FROM rule_proposals WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC`, [filter.status ?? null]);
  return rows.map(proposalFromRow);
}

export async function ruleProposalOf(db: Queryable, id: number, options: { forUpdate?: boolean } = {}): Promise<RuleProposalRecord | undefined> {
  const { rows } = await db.query(`SELECT * FROM rule_proposals WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? proposalFromRow(rows[0]) : undefined;
}

/** Open proposals no longer backed by the settlements (their rule is now in the schedule, or a document left review): withdrawn. */
export async function dropOpenProposalsExcept(tx: Queryable, keepKeys: readonly string[]): Promise<number> {
  const { rowCount } = await tx.query(`DELETE FROM rule_proposals WHERE status = 'proposed' AND NOT (rule_key = ANY($1))`, [keepKeys]);
  return rowCount ?? 0;
}

/** Records a person's decision on an open proposal (the caller has locked it and checked it is open). */
export async function decideRuleProposal(tx: Queryable, id: number, decision: { status: 'accepted' | 'rejected'; by: string; reason: string | null; acceptedVersion?: string }): Promise<RuleProposalRecord> {
  const { rows } = await tx.query(
    `UPDATE rule_proposals SET status = $2, decided_by = $3, decided_at = now(), reason = $4, accepted_version = $5 WHERE id = $1 AND status = 'proposed' RETURNING *`,
    [id, decision.status, decision.by, decision.reason, decision.acceptedVersion ?? null],
  );
  if (!rows[0]) throw new Error(`rule proposal ${id} is not open`);
  return proposalFromRow(rows[0]);
}

function versionFromRow(r: Record<string, unknown>): ScheduleVersionRecord {
  return {
    seq: Number(r.seq),
    version: r.version as string,
    rootVersion: r.root_version as string,
    baseVersion: r.base_version as string,
    yaml: r.yaml as string,
    createdBy: r.created_by as string,
    createdAt: r.created_at as Date,
  };
}

/** The newest stored version grown from the schedule file `rootVersion`, if any. */
export async function newestScheduleVersion(db: Queryable, rootVersion: string): Promise<ScheduleVersionRecord | undefined> {
  const { rows } = await db.query(`SELECT * FROM schedule_versions WHERE root_version = $1 ORDER BY seq DESC LIMIT 1`, [rootVersion]);
  return rows[0] ? versionFromRow(rows[0]) : undefined;
}

export async function scheduleVersions(db: Queryable): Promise<ScheduleVersionRecord[]> {
  const { rows } = await db.query(`SELECT * FROM schedule_versions ORDER BY seq DESC`);
  return rows.map(versionFromRow);
}

export async function insertScheduleVersion(tx: Queryable, v: Omit<ScheduleVersionRecord, 'seq' | 'createdAt'>): Promise<ScheduleVersionRecord> {
  const { rows } = await tx.query(
    `INSERT INTO schedule_versions (version, root_version, base_version, yaml, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [v.version, v.rootVersion, v.baseVersion, v.yaml, v.createdBy],
  );
  return versionFromRow(rows[0]);
}

// Serialises version creation, so two accepted proposals cannot both build on the same base.
const SCHEDULE_VERSION_LOCK = 727_015;

export async function lockScheduleVersions(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEDULE_VERSION_LOCK]);
}

/** The documents a proposal names, for people: document id, title, department. */
export async function proposalDocuments(db: Queryable, ingestIds: readonly string[]): Promise<{ ingestId: string; documentId: string; title: string; departmentCode: string; finalizedAt: Date }[]> {
  const { rows } = await db.query<{ ingest_id: string; document_id: string; title: string; department_code: string; finalized_at: Date }>(
    `SELECT ingest_id, document_id, title, department_code, finalized_at FROM ingests WHERE ingest_id = ANY($1) ORDER BY finalized_at, ingest_id`,
    [ingestIds],
  );
  return rows.map((r) => ({ ingestId: r.ingest_id, documentId: r.document_id, title: r.title, departmentCode: r.department_code, finalizedAt: r.finalized_at }));
}
