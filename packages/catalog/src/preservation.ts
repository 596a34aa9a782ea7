import type pg from 'pg';
import type { Queryable } from './db.ts';

export interface PreservationCopyRecord {
  ordinal: number;
  action: 'keep' | 'convert';
  target: string | null;
  stagingKey: string;
  fileName: string;
  size: number;
  sha256: string;
  sm3: string;
  formatName: string;
  puid: string | null;
  technical: Record<string, unknown>;
  findings: { code: string; severity: string; message: string }[];
  archiveKey: string | null;
}

/** A PREMIS-style event: what was done to which object, by which agent, with what outcome. */
export interface PreservationEventRecord {
  ordinal: number | null;
  eventType: string;
  eventAt: string;
  detail: string;
  outcome: 'success' | 'failure' | 'warning';
  outcomeDetail?: string | null;
  agentName: string;
  agentVersion?: string | null;
  options?: string[];
  sourceSha256?: string | null;
  outcomeSha256?: string | null;
}

export async function recordPreservationCopy(db: Queryable, ingestId: string, c: Omit<PreservationCopyRecord, 'archiveKey'>): Promise<void> {
  await db.query(
    `INSERT INTO preservation_copies (ingest_id, ordinal, action, target, staging_key, file_name, size, sha256, sm3, format_name, puid, technical, findings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (ingest_id, ordinal) DO UPDATE SET action = $3, target = $4, staging_key = $5, file_name = $6, size = $7, sha256 = $8,
       sm3 = $9, format_name = $10, puid = $11, technical = $12, findings = $13, created_at = now()`,
    [ingestId, c.ordinal, c.action, c.target, c.stagingKey, c.fileName, c.size, c.sha256, c.sm3, c.formatName, c.puid, c.technical, JSON.stringify(c.findings)],
  );
}

/**
 * Several preservation copies (kept or made) and the PREMIS events of making them, in one statement;
 * a copy recorded before (a retried run) is replaced.
 */
export async function recordPreservationCopies(db: Queryable, ingestId: string, copies: readonly Omit<PreservationCopyRecord, 'archiveKey'>[], events: readonly PreservationEventRecord[] = []): Promise<void> {
  if (copies.length === 0 && events.length === 0) return;
  const rows = copies.map((c) => ({
    ordinal: c.ordinal,
    action: c.action,
    target: c.target,
    staging_key: c.stagingKey,
    file_name: c.fileName,
    size: c.size,
    sha256: c.sha256,
    sm3: c.sm3,
    format_name: c.formatName,
    puid: c.puid,
    technical: c.technical,
    findings: c.findings,
  }));
  await db.query(
    `WITH copies AS (
       INSERT INTO preservation_copies (ingest_id, ordinal, action, target, staging_key, file_name, size, sha256, sm3, format_name, puid, technical, findings)
       SELECT $1, c.ordinal, c.action, c.target, c.staging_key, c.file_name, c.size, c.sha256, c.sm3, c.format_name, c.puid, c.technical, c.findings
         FROM jsonb_to_recordset($2::jsonb) AS c(ordinal integer, action text, target text, staging_key text, file_name text, size bigint, sha256 text, sm3 text,
              format_name text, puid text, technical jsonb, findings jsonb)
       ON CONFLICT (ingest_id, ordinal) DO UPDATE SET action = EXCLUDED.action, target = EXCLUDED.target, staging_key = EXCLUDED.staging_key, file_name = EXCLUDED.file_name,
         size = EXCLUDED.size, sha256 = EXCLUDED.sha256, sm3 = EXCLUDED.sm3, format_name = EXCLUDED.format_name, puid = EXCLUDED.puid, technical = EXCLUDED.technical,
         findings = EXCLUDED.findings, created_at = now()
       RETURNING 1
     ) ${insertPreservationEventsSql(3)}`,
    [ingestId, JSON.stringify(rows), preservationEventsJson(events)],
  );
}

/** Where a deposit put the components' originals and their preservation copies, in one statement. */
export async function recordArchiveKeys(
  db: Queryable,
  ingestId: string,
  deposited: { originals: readonly { ordinal: number; bucket: string; key: string }[]; copies: readonly { ordinal: number; archiveKey: string }[] },
): Promise<void> {
  const { originals, copies } = deposited;
  if (originals.length === 0 && copies.length === 0) return;
  await db.query(
    `WITH originals AS (
       UPDATE components c SET archive_bucket = d.bucket, archive_key = d.key, deposited_at = COALESCE(c.deposited_at, now())
         FROM unnest($2::int[], $3::text[], $4::text[]) AS d(ordinal, bucket, key)
        WHERE c.ingest_id = $1 AND c.ordinal = d.ordinal RETURNING 1
     )
     UPDATE preservation_copies p SET archive_key = k.key FROM unnest($5::int[], $6::text[]) AS k(ordinal, key) WHERE p.ingest_id = $1 AND p.ordinal = k.ordinal`,
    [ingestId, originals.map((d) => d.ordinal), originals.map((d) => d.bucket), originals.map((d) => d.key), copies.map((k) => k.ordinal), copies.map((k) => k.archiveKey)],
  );
}

/** Where several preservation copies were deposited, in one statement. */
export async function recordPreservationArchiveKeys(db: Queryable, ingestId: string, keys: readonly { ordinal: number; archiveKey: string }[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `UPDATE preservation_copies p SET archive_key = k.key FROM unnest($2::int[], $3::text[]) AS k(ordinal, key) WHERE p.ingest_id = $1 AND p.ordinal = k.ordinal`,
    [ingestId, keys.map((k) => k.ordinal), keys.map((k) => k.archiveKey)],
  );
}

export async function preservationCopiesOf(db: Queryable, ingestId: string): Promise<PreservationCopyRecord[]> {
  const { rows } = await db.query('SELECT * FROM preservation_copies WHERE ingest_id = $1 ORDER BY ordinal', [ingestId]);
  return rows.map((r) => ({
    ordinal: r.ordinal,
    action: r.action,
    target: r.target,
    stagingKey: r.staging_key,
    fileName: r.file_name,
    size: Number(r.size),
    sha256: r.sha256,
    sm3: r.sm3,
    formatName: r.format_name,
    puid: r.puid,
    technical: r.technical,
    findings: r.findings,
    archiveKey: r.archive_key,
  }));
}

export async function recordPreservationEvent(db: Queryable, ingestId: string, e: PreservationEventRecord): Promise<void> {
  await db.query(
    `INSERT INTO preservation_events (ingest_id, ordinal, event_type, event_at, detail, outcome, outcome_detail, agent_name, agent_version, options, source_sha256, outcome_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [ingestId, e.ordinal, e.eventType, e.eventAt, e.detail, e.outcome, e.outcomeDetail ?? null, e.agentName, e.agentVersion ?? null, JSON.stringify(e.options ?? []), e.sourceSha256 ?? null, e.outcomeSha256 ?? null],
  );
}

/** The JSON `recordPreservationEvents` sends: one object per event, with the table's column names. */
export function preservationEventsJson(events: readonly PreservationEventRecord[]): string {
  return JSON.stringify(
    events.map((e) => ({
      ordinal: e.ordinal,
      event_type: e.eventType,
      event_at: e.eventAt,
      detail: e.detail,
      outcome: e.outcome,
      outcome_detail: e.outcomeDetail ?? null,
      agent_name: e.agentName,
      agent_version: e.agentVersion ?? null,
      options: e.options ?? [],
      source_sha256: e.sourceSha256 ?? null,
      outcome_sha256: e.outcomeSha256 ?? null,
    })),
  );
}

/**
 * SQL inserting the events of `preservationEventsJson` given as parameter `$param` (for the ingest in
 * `$1`), in their order: ids are taken as the sorted rows are inserted, so PREMIS order is kept.
 */
export const insertPreservationEventsSql = (param: number) => `INSERT INTO preservation_events (ingest_id, ordinal, event_type, event_at, detail, outcome, outcome_detail, agent_name, agent_version, options, source_sha256, outcome_sha256)
  SELECT $1, e.ordinal, e.event_type, e.event_at, e.detail, e.outcome, e.outcome_detail, e.agent_name, e.agent_version, e.options, e.source_sha256, e.outcome_sha256
    FROM ROWS FROM (jsonb_to_recordset($${param}::jsonb) AS (ordinal integer, event_type text, event_at timestamptz, detail text, outcome text, outcome_detail text,
         agent_name text, agent_version text, options jsonb, source_sha256 text, outcome_sha256 text))
         WITH ORDINALITY AS e(ordinal, event_type, event_at, detail, outcome, outcome_detail, agent_name, agent_version, options, source_sha256, outcome_sha256, n)
   ORDER BY e.n`;

/** Several events in one statement, in the order given. */
export async function recordPreservationEvents(db: Queryable, ingestId: string, events: readonly PreservationEventRecord[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(insertPreservationEventsSql(2), [ingestId, preservationEventsJson(events)]);
}

export async function preservationEventsOf(db: Queryable, ingestId: string): Promise<(PreservationEventRecord & { id: number })[]> {
  const { rows } = await db.query('SELECT * FROM preservation_events WHERE ingest_id = $1 ORDER BY id', [ingestId]);
  return rows.map((r) => ({
    id: Number(r.id),
    ordinal: r.ordinal,
    eventType: r.event_type,
    eventAt: (r.event_at as Date).toISOString(),
    detail: r.detail,
    outcome: r.outcome,
    outcomeDetail: r.outcome_detail,
    agentName: r.agent_name,
    agentVersion: r.agent_version,
    options: r.options,
    sourceSha256: r.source_sha256,
    outcomeSha256: r.outcome_sha256,
  }));
}

export async function recordValidationReport(pool: pg.Pool, ingestId: string, passed: boolean, report: Record<string, unknown>): Promise<void> {
  await pool.query(
    `INSERT INTO validation_reports (ingest_id, passed, report) VALUES ($1, $2, $3)
     ON CONFLICT (ingest_id) DO UPDATE SET passed = $2, report = $3, validated_at = now()`,
    [ingestId, passed, report],
  );
}

/** The four-properties report and the PREMIS event that says it was made, in one statement. */
export async function recordValidation(db: Queryable, ingestId: string, passed: boolean, report: Record<string, unknown>, event: PreservationEventRecord): Promise<void> {
  await db.query(
    `WITH report AS (
       INSERT INTO validation_reports (ingest_id, passed, report) VALUES ($1, $2, $3)
       ON CONFLICT (ingest_id) DO UPDATE SET passed = $2, report = $3, validated_at = now() RETURNING 1
     ) ${insertPreservationEventsSql(4)}`,
    [ingestId, passed, report, preservationEventsJson([event])],
  );
}

export async function validationReportOf(db: Queryable, ingestId: string): Promise<{ passed: boolean; report: Record<string, unknown> } | undefined> {
  const { rows } = await db.query('SELECT passed, report FROM validation_reports WHERE ingest_id = $1', [ingestId]);
  return rows[0] ? { passed: rows[0].passed, report: rows[0].report } : undefined;
}

/** One file of an AIP: its path in the bag, where its bytes are staged, and their digests. */
export interface AipFile {
  path: string;
  kind: 'payload' | 'tag';
  /** Where the bytes are staged: every payload file, and tag files kept no `content`. */
  stagingKey?: string;
  /**
   * A tag file's bytes as UTF-8 text, kept here so that deposit writes it with no staging copy (tag
   * files are small, built whole by package); absent for payload files.
   */
  content?: string;
  size: number;
  sha256: string;
  sm3: string;
  /** For payload files: the component it belongs to. */
  ordinal?: number;
  role?: 'original' | 'preservation';
}

export async function recordAip(db: Queryable, ingestId: string, prefix: string, files: AipFile[]): Promise<void> {
  await db.query('INSERT INTO aips (ingest_id, prefix, files) VALUES ($1, $2, $3) ON CONFLICT (ingest_id) DO NOTHING', [ingestId, prefix, JSON.stringify(files)]);
}

export async function aipOf(db: Queryable, ingestId: string): Promise<{ prefix: string; files: AipFile[] } | undefined> {
  const { rows } = await db.query('SELECT prefix, files FROM aips WHERE ingest_id = $1', [ingestId]);
  return rows[0] ? { prefix: rows[0].prefix, files: rows[0].files } : undefined;
}
