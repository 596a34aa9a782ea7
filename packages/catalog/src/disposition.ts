import type pg from 'pg';
import { appendAuditEvent } from './audit.ts';
import { inTransaction, type Queryable } from './db.ts';
import {
  checkDecision,
  dispositionStateOf,
  type DecisionRequest,
  type DispositionDecisionKind,
  type DispositionFacts,
  type DispositionRefusal,
  type DispositionState,
  type Retention,
} from './dispositionRules.ts';

/** Serialises destructions with hold changes: a hold created while an item is being destroyed waits, and then sees it destroyed. */
export const DISPOSITION_LOCK = 727_016;

/** A request the disposition rules refuse; `code` and `params` render as `disposition.refused.<code>` in packages/messages. */
export class DispositionRefusedError extends Error {
  override readonly name = 'DispositionRefusedError';
  readonly code: DispositionRefusal['code'] | 'unknown-item';
  readonly params: Record<string, string | number>;
  constructor(refusal: { code: DispositionRefusedError['code']; params: Record<string, string | number> }, message: string) {
    super(message);
    this.code = refusal.code;
    this.params = refusal.params;
  }
}

const REFUSAL_TEXT: Record<DispositionRefusedError['code'], (p: Record<string, string | number>) => string> = {
  permanent: () => 'the item is kept permanently (永久): it is never disposed of',
  destroyed: () => 'the item was destroyed already',
  'not-due': (p) => `the item is not due for disposition until ${p.dueOn}`,
  held: (p) => `the item is under hold (${p.holds}); lift the hold first`,
  'reason-missing': () => 'give a reason for the decision',
  'extend-years': (p) => `retain needs the years to extend by, a whole number from 1 to 100 (given: "${p.given}")`,
  'not-approved': (p) => `no destroy decision is in force for the item (it is ${p.state}); decide "destroy" first`,
  'unknown-item': (p) => `no filed D10/D30 item with ingest id or 档号 "${p.item}"`,
};

export const refusalError = (item: string, refusal: { code: DispositionRefusedError['code']; params: Record<string, string | number> }) =>
  new DispositionRefusedError(refusal, `${item}: ${REFUSAL_TEXT[refusal.code](refusal.params)}`);

/** One archival item (档号) under disposition, as the review list and the register show it. */
export interface DispositionItem {
  /** The item's first filed version: the one that holds the 档号. */
  ingestId: string;
  referenceCode: string;
  title: string;
  category: string;
  year: number;
  retention: Retention;
  departmentCode: string;
  /** Every filed version of the item (ingest ids), the first one first. */
  versions: string[];
  decision: { id: number; decision: DispositionDecisionKind; reason: string; reviewOn: string | null; dueOn: string; decidedBy: string; decidedAt: Date } | null;
  destruction: { id: number; destroyedAt: Date; destroyedBy: string } | null;
  /** Names of the active holds that cover the item. */
  holds: string[];
  state: DispositionState;
  dueOn: string | null;
}

interface ItemRow {
  ingest_id: string;
  reference_code: string;
  title: string;
  category: string;
  year: number;
  retention: Retention;
  department_code: string;
  versions: string[];
  decision_id: string | null;
  decision: DispositionDecisionKind | null;
  reason: string | null;
  review_on: string | null;
  due_on: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  destruction_id: string | null;
  destroyed_at: Date | null;
  destroyed_by: string | null;
  holds: string[];
}

/**
 * Items (a filed first version holding a D10/D30 档号) with the decision in force, the destruction and
 * the active holds that cover them. A hold names an ingest (any version of the item), a 档号, or a class.
 */
const ITEMS_SQL = `
SELECT c.ingest_id, c.reference_code, i.title, c.category, c.year, c.retention, i.department_code,
       ARRAY[c.ingest_id] || ARRAY(SELECT v.ingest_id FROM classifications v JOIN ingests vi ON vi.ingest_id = v.ingest_id AND vi.status = 'FILED'
                                    WHERE v.version_of = c.ingest_id ORDER BY vi.version) AS versions,
       d.id AS decision_id, d.decision, d.reason, to_char(d.review_on, 'YYYY-MM-DD') AS review_on, to_char(d.due_on, 'YYYY-MM-DD') AS due_on,
       d.decided_by, d.decided_at, x.id AS destruction_id, x.destroyed_at, x.destroyed_by,
       ARRAY(SELECT DISTINCT h.name FROM holds h JOIN hold_items hi ON hi.hold_id = h.id
              WHERE h.lifted_at IS NULL AND (
                (hi.kind = 'ingest' AND (hi.value = c.ingest_id OR EXISTS (SELECT 1 FROM classifications v WHERE v.version_of = c.ingest_id AND v.ingest_id = hi.value)))
                OR (hi.kind = 'reference-code' AND hi.value = c.reference_code)
                OR (hi.kind = 'class' AND hi.category = c.category AND (hi.year IS NULL OR hi.year = c.year) AND (hi.retention IS NULL OR hi.retention = c.retention)))
              ORDER BY h.name) AS holds
  FROM classifications c
  JOIN ingests i ON i.ingest_id = c.ingest_id AND i.status = 'FILED'
  LEFT JOIN LATERAL (SELECT * FROM disposition_decisions dd WHERE dd.ingest_id = c.ingest_id ORDER BY dd.id DESC LIMIT 1) d ON true
  LEFT JOIN destructions x ON x.ingest_id = c.ingest_id
 WHERE c.version_of IS NULL AND c.reference_code IS NOT NULL AND c.retention IN ('D10', 'D30')`;

const factsOf = (r: ItemRow): DispositionFacts => ({
  retention: r.retention,
  year: r.year,
  decision: r.decision ? { decision: r.decision, reviewOn: r.review_on } : undefined,
  destroyed: r.destruction_id !== null,
  holds: r.holds,
});

function itemOf(r: ItemRow, asOf: string): DispositionItem {
  const { state, dueOn } = dispositionStateOf(factsOf(r), asOf);
  return {
    ingestId: r.ingest_id,
    referenceCode: r.reference_code,
    title: r.title,
    category: r.category,
    year: r.year,
    retention: r.retention,
    departmentCode: r.department_code,
    versions: r.versions,
    decision: r.decision_id
      ? { id: Number(r.decision_id), decision: r.decision!, reason: r.reason!, reviewOn: r.review_on, dueOn: r.due_on!, decidedBy: r.decided_by!, decidedAt: r.decided_at! }
      : null,
    destruction: r.destruction_id ? { id: Number(r.destruction_id), destroyedAt: r.destroyed_at!, destroyedBy: r.destroyed_by! } : null,
    holds: r.holds,
    state,
    dueOn,
  };
}

export interface DispositionQuery {
  /** The day the list is drawn up for (`YYYY-MM-DD`); tests and a planning archivist set it ahead. */
  asOf: string;
  /** Only items in these states; all by default. */
  states?: readonly DispositionState[];
  limit?: number;
}

/**
 * The disposition list as of a day: items whose scheduled review year has come, and any item with a
 * decision or a destruction. Items not yet due are left out unless a decision brought them in.
 */
export async function dispositionItems(db: Queryable, query: DispositionQuery): Promise<DispositionItem[]> {
  const asOfYear = Number(query.asOf.slice(0, 4));
  const { rows } = await db.query<ItemRow>(
    `${ITEMS_SQL}
       AND (c.year + 1 + CASE c.retention WHEN 'D10' THEN 10 ELSE 30 END <= $1 OR d.id IS NOT NULL OR x.id IS NOT NULL)
     ORDER BY c.year, c.reference_code LIMIT $2`,
    [asOfYear, query.limit ?? 10_000],
  );
  const items = rows.map((r) => itemOf(r, query.asOf));
  return query.states ? items.filter((i) => query.states!.includes(i.state)) : items;
}

/** One item by the ingest id of any of its versions, or by its 档号; undefined when there is no such D10/D30 item. */
export async function dispositionItemOf(db: Queryable, item: string, asOf: string, opts: { forUpdate?: boolean } = {}): Promise<DispositionItem | undefined> {
  const { rows } = await db.query<ItemRow>(
    `${ITEMS_SQL}
       AND (c.ingest_id = $1 OR c.reference_code = $1 OR EXISTS (SELECT 1 FROM classifications v WHERE v.version_of = c.ingest_id AND v.ingest_id = $1))
     ${opts.forUpdate ? 'FOR UPDATE OF c' : ''}`,
    [item],
  );
  return rows[0] ? itemOf(rows[0], asOf) : undefined;
}

/**
 * Records an admin's decision on one item, with the reason, after the rules allow it; audited as
 * `disposition.decided`. The item's row is locked, so two admins deciding at once are applied one
 * after the other, the second against the first's decision.
 */
export async function decideDisposition(
  pool: pg.Pool,
  args: { item: string; request: DecisionRequest; actor: string; asOf: string },
): Promise<DispositionItem> {
  return inTransaction(pool, async (tx) => {
    const item = await dispositionItemOf(tx, args.item, args.asOf, { forUpdate: true });
    if (!item) throw refusalError(args.item, { code: 'unknown-item', params: { item: args.item } });
    const checked = checkDecision(
      { retention: item.retention, year: item.year, decision: item.decision ?? undefined, destroyed: item.destruction !== null, holds: item.holds },
      args.request,
      args.asOf,
    );
    if (!checked.ok) throw refusalError(item.referenceCode, checked.refusal);
    const reason = args.request.reason.trim();
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO disposition_decisions (ingest_id, reference_code, decision, reason, review_on, due_on, decided_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [item.ingestId, item.referenceCode, args.request.decision, reason, checked.reviewOn, checked.dueOn, args.actor],
    );
    await appendAuditEvent(tx, {
      ingestId: item.ingestId,
      type: 'disposition.decided',
      actor: args.actor,
      payload: {
        // The id a destruction names (disposition.destroyed's decisionId); a rebuilt catalog keeps it.
        decisionId: Number(rows[0]!.id),
        referenceCode: item.referenceCode,
        decision: args.request.decision,
        reason,
        dueOn: checked.dueOn,
        asOf: args.asOf,
        ...(checked.reviewOn ? { reviewOn: checked.reviewOn, extendYears: args.request.extendYears } : {}),
        ...(item.decision ? { replaces: item.decision.decision } : {}),
      },
    });
    return (await dispositionItemOf(tx, item.ingestId, args.asOf))!;
  });
}

/** The AIPs (every filed version) of an item, where each lies, for a destruction. */
export async function aipsOfItem(db: Queryable, versions: readonly string[]): Promise<{ ingestId: string; prefix: string; bucket: string | null; replicaBucket: string | null }[]> {
  const { rows } = await db.query<{ ingest_id: string; prefix: string; bucket: string | null; replica_bucket: string | null }>(
    `SELECT a.ingest_id, a.prefix,
            COALESCE(c.bucket, (SELECT archive_bucket FROM components WHERE ingest_id = a.ingest_id AND archive_bucket IS NOT NULL LIMIT 1)) AS bucket,
            c.replica_bucket
       FROM aips a LEFT JOIN aip_custody c ON c.ingest_id = a.ingest_id
      WHERE a.ingest_id = ANY($1) ORDER BY array_position($1, a.ingest_id)`,
    [versions],
  );
  return rows.map((r) => ({ ingestId: r.ingest_id, prefix: r.prefix, bucket: r.bucket, replicaBucket: r.replica_bucket }));
}

/** One object version a destruction removed. */
export interface DestroyedObject {
  copy: 'primary' | 'replica';
  bucket: string;
  key: string;
  versionId: string | null;
  size: number;
  deleteMarker: boolean;
}

/** Records a destruction (the register's row) and its audit event, in the caller's transaction. */
export async function recordDestruction(
  tx: Queryable,
  args: { item: DispositionItem; actor: string; aips: string[]; objects: DestroyedObject[]; asOf: string },
): Promise<number> {
  const { item } = args;
  const bytes = args.objects.reduce((sum, o) => sum + o.size, 0);
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO destructions (ingest_id, reference_code, title, retention, year, decision_id, destroyed_by, aips, objects, bytes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [item.ingestId, item.referenceCode, item.title, item.retention, item.year, item.decision!.id, args.actor, args.aips, JSON.stringify(args.objects), bytes],
  );
  await appendAuditEvent(tx, {
    ingestId: item.ingestId,
    type: 'disposition.destroyed',
    actor: args.actor,
    payload: {
      referenceCode: item.referenceCode,
      decisionId: item.decision!.id,
      reason: item.decision!.reason,
      asOf: args.asOf,
      aips: args.aips,
      objects: args.objects.length,
      bytes,
      keys: args.objects.map((o) => `${o.copy}:s3://${o.bucket}/${o.key}${o.versionId ? `?versionId=${o.versionId}` : ''}`),
    },
  });
  return Number(rows[0]!.id);
}

/** One row of the destruction register (销毁清册). */
export interface DestructionRecord {
  id: number;
  ingestId: string;
  referenceCode: string;
  title: string;
  retention: Retention;
  year: number;
  /** 门类 code of the item's class (WS, ZP, …) and the OA department it came from. */
  category: string;
  departmentCode: string;
  decision: { reason: string; decidedBy: string; decidedAt: Date };
  destroyedBy: string;
  destroyedAt: Date;
  aips: string[];
  objects: number;
  bytes: number;
}

/** The destruction register, oldest first, optionally for a period (`since` inclusive, `until` exclusive). */
export async function destructionRegister(db: Queryable, period: { since?: Date; until?: Date } = {}): Promise<DestructionRecord[]> {
  const { rows } = await db.query<{
    id: string;
    ingest_id: string;
    reference_code: string;
    title: string;
    retention: Retention;
    year: number;
    category: string;
    department_code: string;
    reason: string;
    decided_by: string;
    decided_at: Date;
    destroyed_by: string;
    destroyed_at: Date;
    aips: string[];
    objects: number;
    bytes: string;
  }>(
    `SELECT x.id, x.ingest_id, x.reference_code, x.title, x.retention, x.year, c.category, i.department_code, d.reason, d.decided_by, d.decided_at,
            x.destroyed_by, x.destroyed_at, x.aips, jsonb_array_length(x.objects) AS objects, x.bytes
       FROM destructions x JOIN disposition_decisions d ON d.id = x.decision_id
       JOIN classifications c ON c.ingest_id = x.ingest_id JOIN ingests i ON i.ingest_id = x.ingest_id
      WHERE ($1::timestamptz IS NULL OR x.destroyed_at >= $1) AND ($2::timestamptz IS NULL OR x.destroyed_at < $2)
      ORDER BY x.id`,
    [period.since ?? null, period.until ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    ingestId: r.ingest_id,
    referenceCode: r.reference_code,
    title: r.title,
    retention: r.retention,
    year: r.year,
    category: r.category,
    departmentCode: r.department_code,
    decision: { reason: r.reason, decidedBy: r.decided_by, decidedAt: r.decided_at },
    destroyedBy: r.destroyed_by,
    destroyedAt: r.destroyed_at,
    aips: r.aips,
    objects: r.objects,
    bytes: Number(r.bytes),
  }));
}

/** Whether an AIP belongs to a destroyed item: its objects are gone on purpose, so custody leaves it alone. */
export const DESTROYED_AIP_SQL = (alias: string) =>
  `EXISTS (SELECT 1 FROM destructions x WHERE ${alias} = ANY(x.aips))`;
