import type { Queryable } from './db.ts';

/**
 * The gateway's record of the packages OA systems dropped (migration 009): the claim that keeps two
 * gateways off one package, and what became of each. See services/gateway/src/packages.
 */

export type PackageState = 'claimed' | 'done' | 'rejected';

export interface PackageProblem {
  /** A stable code: file-missing, size-mismatch, digest-mismatch, unsafe-path, unreadable-metadata, invalid-document, … */
  code: string;
  /** The file in the package it is about, when it is about one. */
  file?: string;
  message: string;
}

export interface PackageRejection {
  summary: string;
  problems: PackageProblem[];
}

export interface PackageKey {
  source: string;
  package: string;
  /** Which drop of that name (the metadata file's modification time). */
  instance: string;
}

export interface GatewayPackage extends PackageKey {
  state: PackageState;
  claimedBy: string;
  claimedAt: Date;
  attempts: number;
  ingestId: string | null;
  documentId: string | null;
  version: number | null;
  reason: PackageRejection | null;
  decidedAt: Date | null;
  movedTo: string | null;
  movedAt: Date | null;
}

const COLUMNS = 'source, package, instance, state, claimed_by, claimed_at, attempts, ingest_id, document_id, version, reason, decided_at, moved_to, moved_at';

function fromRow(r: Record<string, unknown>): GatewayPackage {
  return {
    source: r.source as string,
    package: r.package as string,
    instance: r.instance as string,
    state: r.state as PackageState,
    claimedBy: r.claimed_by as string,
    claimedAt: r.claimed_at as Date,
    attempts: r.attempts as number,
    ingestId: (r.ingest_id as string | null) ?? null,
    documentId: (r.document_id as string | null) ?? null,
    version: (r.version as number | null) ?? null,
    reason: (r.reason as PackageRejection | null) ?? null,
    decidedAt: (r.decided_at as Date | null) ?? null,
    movedTo: (r.moved_to as string | null) ?? null,
    movedAt: (r.moved_at as Date | null) ?? null,
  };
}

export type PackageClaim =
  /** This gateway holds it now: from the start (state claimed) or, when decided, only to finish the move. */
  | { kind: 'claimed'; record: GatewayPackage }
  /** Another gateway holds it and its lease has not run out. */
  | { kind: 'busy'; record: GatewayPackage }
  /** This drop of the package was dealt with and moved out already. */
  | { kind: 'handled'; record: GatewayPackage };

/**
 * Claims a package for `claimedBy`: one never seen, or one whose claim is older than `leaseMs` and
 * whose files were not moved yet (its gateway died; the row says whether to start over or only to
 * finish the move).
 */
export async function claimPackage(db: Queryable, args: PackageKey & { claimedBy: string; leaseMs: number }): Promise<PackageClaim> {
  // Between a refused claim and the look at who holds it, the holder may give it back (and delete the row): then try again.
  for (;;) {
    const claim = await tryClaim(db, args);
    if (claim) return claim;
  }
}

async function tryClaim(db: Queryable, args: PackageKey & { claimedBy: string; leaseMs: number }): Promise<PackageClaim | undefined> {
  const { rows } = await db.query(
    `INSERT INTO gateway_packages AS p (source, package, instance, state, claimed_by) VALUES ($1, $2, $3, 'claimed', $4)
     ON CONFLICT (source, package, instance) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, claimed_at = now(), attempts = p.attempts + 1
     WHERE p.moved_to IS NULL AND p.claimed_at < now() - $5 * interval '1 millisecond'
     RETURNING ${COLUMNS}`,
    [args.source, args.package, args.instance, args.claimedBy, args.leaseMs],
  );
  if (rows[0]) return { kind: 'claimed', record: fromRow(rows[0]) };
  const existing = await db.query(`SELECT ${COLUMNS} FROM gateway_packages WHERE source = $1 AND package = $2 AND instance = $3`, [args.source, args.package, args.instance]);
  if (!existing.rows[0]) return undefined;
  const record = fromRow(existing.rows[0]);
  return { kind: record.movedTo ? 'handled' : 'busy', record };
}

/** Records the outcome before the files move; the row as now recorded, or undefined when the claim is no longer this gateway's. */
export async function decidePackage(
  db: Queryable,
  key: PackageKey & { claimedBy: string },
  outcome: { state: 'done'; ingestId: string; documentId: string; version: number } | { state: 'rejected'; reason: PackageRejection; documentId?: string; version?: number },
): Promise<GatewayPackage | undefined> {
  const { rows } = await db.query(
    `UPDATE gateway_packages SET state = $5, ingest_id = $6, document_id = $7, version = $8, reason = $9, decided_at = now()
      WHERE source = $1 AND package = $2 AND instance = $3 AND claimed_by = $4 AND moved_to IS NULL AND state = 'claimed'
      RETURNING ${COLUMNS}`,
    [
      key.source,
      key.package,
      key.instance,
      key.claimedBy,
      outcome.state,
      outcome.state === 'done' ? outcome.ingestId : null,
      outcome.documentId ?? null,
      outcome.version ?? null,
      outcome.state === 'rejected' ? JSON.stringify(outcome.reason) : null,
    ],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** The package's files are out of incoming/, at `movedTo`. */
export async function packageMoved(db: Queryable, key: PackageKey & { claimedBy: string }, movedTo: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE gateway_packages SET moved_to = $5, moved_at = now()
      WHERE source = $1 AND package = $2 AND instance = $3 AND claimed_by = $4 AND moved_to IS NULL AND state <> 'claimed'`,
    [key.source, key.package, key.instance, key.claimedBy, movedTo],
  );
  return rowCount === 1;
}

/**
 * Gives a claim back, to be taken again by the next scan: the package is not complete yet, or Kafka or
 * the store was unavailable. A package claimed for the first time and never decided leaves no row.
 */
export async function releasePackage(db: Queryable, key: PackageKey & { claimedBy: string }): Promise<void> {
  const args = [key.source, key.package, key.instance, key.claimedBy];
  const deleted = await db.query(`DELETE FROM gateway_packages WHERE source = $1 AND package = $2 AND instance = $3 AND claimed_by = $4 AND state = 'claimed' AND attempts = 1`, args);
  if (deleted.rowCount === 0) await db.query(`UPDATE gateway_packages SET claimed_at = '-infinity' WHERE source = $1 AND package = $2 AND instance = $3 AND claimed_by = $4 AND moved_to IS NULL`, args);
}

/** The latest drop of a package name. */
export async function gatewayPackageOf(db: Queryable, source: string, packageName: string): Promise<GatewayPackage | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM gateway_packages WHERE source = $1 AND package = $2 ORDER BY claimed_at DESC LIMIT 1`, [source, packageName]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Packages of a source decided in a window, newest first (the console, the completeness report). */
export async function gatewayPackagesOf(db: Queryable, source: string, window: { since?: Date; until?: Date; limit?: number } = {}): Promise<GatewayPackage[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM gateway_packages
      WHERE source = $1 AND ($2::timestamptz IS NULL OR decided_at >= $2) AND ($3::timestamptz IS NULL OR decided_at < $3)
      ORDER BY decided_at DESC NULLS FIRST LIMIT $4`,
    [source, window.since ?? null, window.until ?? null, window.limit ?? 1000],
  );
  return rows.map(fromRow);
}
