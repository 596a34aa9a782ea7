import type pg from 'pg';
import { appendAuditEvent } from './audit.ts';
import { inTransaction, type Queryable } from './db.ts';
import { DISPOSITION_LOCK } from './disposition.ts';

/**
 * Holds (for an investigation, an audit, a lawsuit): while a hold is active, the items it names are
 * neither transferred nor destroyed. A hold names ingests, 档号, or a class (a category, optionally a
 * year and a retention: `WS`, `WS/2015`, `WS/2015/D10`), which also covers items filed later.
 */

export type HoldSelector = { kind: 'ingest'; value: string } | { kind: 'reference-code'; value: string } | { kind: 'class'; category: string; year?: number; retention?: 'D10' | 'D30' | 'Y' };

export interface Hold {
  id: number;
  name: string;
  reason: string;
  createdBy: string;
  createdAt: Date;
  liftedBy: string | null;
  liftedAt: Date | null;
  liftReason: string | null;
  selectors: HoldSelector[];
  /** Filed items (档号) the hold covers now. */
  items: number;
}

/** A hold request that cannot be carried out; the message says what to change. */
export class HoldError extends Error {
  override readonly name = 'HoldError';
  readonly code: 'reason-missing' | 'no-items' | 'unknown-items' | 'name-taken' | 'no-such-hold' | 'bad-class';
  readonly params: Record<string, string>;
  constructor(code: HoldError['code'], params: Record<string, string>, message: string) {
    super(message);
    this.code = code;
    this.params = params;
  }
}

const CLASS = /^([A-Z]{2})(?:\/(\d{4}))?(?:\/(Y|D30|D10))?$/;

/** `WS`, `WS/2015` or `WS/2015/D10` → a class selector; the form the CLI and the console take. */
export function parseClassSelector(text: string): HoldSelector {
  const match = CLASS.exec(text.trim().toUpperCase());
  if (!match) throw new HoldError('bad-class', { class: text }, `"${text}" is not a class: give a category code, optionally a year and a retention, e.g. WS, WS/2015 or WS/2015/D10`);
  return {
    kind: 'class',
    category: match[1]!,
    ...(match[2] ? { year: Number(match[2]) } : {}),
    ...(match[3] ? { retention: match[3] as 'Y' | 'D30' | 'D10' } : {}),
  };
}

export const selectorText = (s: HoldSelector) => (s.kind === 'class' ? [s.category, s.year, s.retention].filter((x) => x !== undefined).join('/') : s.value);

const COVERED_SQL = `
SELECT count(DISTINCT c.ingest_id)::int FROM classifications c JOIN ingests i ON i.ingest_id = c.ingest_id AND i.status = 'FILED'
 WHERE c.version_of IS NULL AND c.reference_code IS NOT NULL AND EXISTS (
   SELECT 1 FROM hold_items hi WHERE hi.hold_id = $1 AND (
     (hi.kind = 'ingest' AND (hi.value = c.ingest_id OR EXISTS (SELECT 1 FROM classifications v WHERE v.version_of = c.ingest_id AND v.ingest_id = hi.value)))
     OR (hi.kind = 'reference-code' AND hi.value = c.reference_code)
     OR (hi.kind = 'class' AND hi.category = c.category AND (hi.year IS NULL OR hi.year = c.year) AND (hi.retention IS NULL OR hi.retention = c.retention))))`;

/**
 * Places a hold. Every ingest and 档号 it names must exist (a mistyped one would hold nothing); a
 * class may name items not filed yet. Audited as `hold.created`. Taken under the disposition lock,
 * so a destruction running now finishes first and one starting later sees the hold.
 */
export async function createHold(pool: pg.Pool, args: { name: string; reason: string; selectors: HoldSelector[]; actor: string }): Promise<Hold> {
  const name = args.name.trim();
  const reason = args.reason.trim();
  if (!name || !reason) throw new HoldError('reason-missing', {}, 'a hold needs a name and a reason');
  if (args.selectors.length === 0) throw new HoldError('no-items', {}, 'name the items to hold: ingest ids, 档号 or classes');
  return inTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [DISPOSITION_LOCK]);
    const named = args.selectors.filter((s) => s.kind !== 'class').map((s) => s.value);
    if (named.length > 0) {
      const { rows } = await tx.query<{ value: string }>(
        `SELECT v AS value FROM unnest($1::text[]) v
          WHERE NOT EXISTS (SELECT 1 FROM classifications c WHERE c.reference_code IS NOT NULL AND (c.ingest_id = v OR c.reference_code = v))`,
        [named],
      );
      if (rows.length > 0) {
        const unknown = rows.map((r) => r.value).join(', ');
        throw new HoldError('unknown-items', { items: unknown }, `no filed item with ingest id or 档号: ${unknown}`);
      }
    }
    const active = await tx.query('SELECT 1 FROM holds WHERE name = $1 AND lifted_at IS NULL', [name]);
    if (active.rowCount) throw new HoldError('name-taken', { name }, `an active hold is already called "${name}"; choose another name`);
    const { rows } = await tx.query<{ id: string }>('INSERT INTO holds (name, reason, created_by) VALUES ($1, $2, $3) RETURNING id', [name, reason, args.actor]);
    const id = Number(rows[0]!.id);
    for (const s of args.selectors) {
      await tx.query(
        `INSERT INTO hold_items (hold_id, kind, value, category, year, retention) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [id, s.kind, selectorText(s), s.kind === 'class' ? s.category : null, s.kind === 'class' ? (s.year ?? null) : null, s.kind === 'class' ? (s.retention ?? null) : null],
      );
    }
    const covered = (await tx.query<{ count: number }>(COVERED_SQL, [id])).rows[0]!.count;
    await appendAuditEvent(tx, { ingestId: null, type: 'hold.created', actor: args.actor, payload: { holdId: id, name, reason, items: args.selectors.map(selectorText), selectors: args.selectors, covers: covered } });
    return (await holdsOf(tx, { id }))[0]!;
  });
}

/** Lifts the active hold of that name, with the reason; audited as `hold.lifted`. Disposition may go on afterwards. */
export async function liftHold(pool: pg.Pool, args: { name: string; reason: string; actor: string }): Promise<Hold> {
  const reason = args.reason.trim();
  if (!reason) throw new HoldError('reason-missing', {}, 'give a reason for lifting the hold');
  return inTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [DISPOSITION_LOCK]);
    const { rows } = await tx.query<{ id: string }>(
      `UPDATE holds SET lifted_by = $2, lifted_at = now(), lift_reason = $3 WHERE name = $1 AND lifted_at IS NULL RETURNING id`,
      [args.name.trim(), args.actor, reason],
    );
    if (!rows[0]) throw new HoldError('no-such-hold', { name: args.name }, `no active hold called "${args.name}"`);
    const id = Number(rows[0].id);
    await appendAuditEvent(tx, { ingestId: null, type: 'hold.lifted', actor: args.actor, payload: { holdId: id, name: args.name.trim(), reason } });
    return (await holdsOf(tx, { id }))[0]!;
  });
}

/** Holds, newest first: the active ones only, or all (lifted ones too), or one by id. */
export async function holdsOf(db: Queryable, filter: { active?: boolean; id?: number } = {}): Promise<Hold[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    reason: string;
    created_by: string;
    created_at: Date;
    lifted_by: string | null;
    lifted_at: Date | null;
    lift_reason: string | null;
    selectors: { kind: HoldSelector['kind']; value: string; category: string | null; year: number | null; retention: 'Y' | 'D30' | 'D10' | null }[];
  }>(
    `SELECT h.*, COALESCE((SELECT json_agg(json_build_object('kind', kind, 'value', value, 'category', category, 'year', year, 'retention', retention) ORDER BY kind, value)
                             FROM hold_items WHERE hold_id = h.id), '[]') AS selectors
       FROM holds h
      WHERE ($1::boolean IS NULL OR (h.lifted_at IS NULL) = $1) AND ($2::bigint IS NULL OR h.id = $2)
      ORDER BY h.id DESC`,
    [filter.active ?? null, filter.id ?? null],
  );
  const holds: Hold[] = [];
  for (const r of rows) {
    holds.push({
      id: Number(r.id),
      name: r.name,
      reason: r.reason,
      createdBy: r.created_by,
      createdAt: r.created_at,
      liftedBy: r.lifted_by,
      liftedAt: r.lifted_at,
      liftReason: r.lift_reason,
      selectors: r.selectors.map((s): HoldSelector =>
        s.kind === 'class'
          ? { kind: 'class', category: s.category!, ...(s.year !== null ? { year: s.year } : {}), ...(s.retention ? { retention: s.retention } : {}) }
          : { kind: s.kind, value: s.value },
      ),
      items: (await db.query<{ count: number }>(COVERED_SQL, [r.id])).rows[0]!.count,
    });
  }
  return holds;
}

/**
 * What a person typed, one entry a line or comma (the console's form): a class (`WS/2015/D10`), a
 * 档号, or an ingest id, told apart by what the catalog holds. An entry that is none of them is kept
 * as an ingest id, so that `createHold` refuses it by name.
 */
export async function holdSelectorsFromText(db: Queryable, text: string): Promise<HoldSelector[]> {
  const entries = [...new Set(text.split(/[\n,，]/).map((s) => s.trim()).filter(Boolean))];
  const selectors: HoldSelector[] = [];
  for (const entry of entries) {
    if (CLASS.test(entry.toUpperCase()) && !(await db.query('SELECT 1 FROM ingests WHERE ingest_id = $1', [entry])).rowCount) {
      selectors.push(parseClassSelector(entry));
      continue;
    }
    const isCode = (await db.query('SELECT 1 FROM classifications WHERE reference_code = $1 LIMIT 1', [entry])).rowCount;
    selectors.push({ kind: isCode ? 'reference-code' : 'ingest', value: entry });
  }
  return selectors;
}
