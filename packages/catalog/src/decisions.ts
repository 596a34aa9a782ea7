import type pg from 'pg';
import { appendAuditEvent } from './audit.ts';
import { inTransaction, type Queryable } from './db.ts';
import { insertPreservationEventsSql, preservationEventsJson, type PreservationEventRecord } from './preservation.ts';

/** Characterization of one component, as recorded. */
export interface CharacterizationRecord {
  ordinal: number;
  formatName: string;
  mediaType: string;
  puid: string | null;
  format: Record<string, unknown>;
  size: number;
  sha256: string;
  sm3: string;
  technical: Record<string, unknown>;
  /** `params`: the finding message's parameters (packages/messages), absent on rows written before them. */
  findings: { code: string; severity: 'unsafe' | 'integrity' | 'authenticity' | 'info'; message: string; params?: Record<string, string | number> }[];
}

export interface ClassificationRecord {
  outcome: 'FILE' | 'EXCLUDE' | 'REVIEW' | 'QUARANTINE';
  category: string | null;
  retention: 'Y' | 'D30' | 'D10' | null;
  organisationCode: string | null;
  year: number | null;
  ruleIds: string[];
  scheduleVersion: string;
  explanation: string;
  referenceCode: string | null;
  itemNumber: number | null;
  /**
   * The filed version of the same document this one is a new version of: it holds that version's 档号
   * (one archival item, a new AIP version). Null for a document's first filing and anything not filed.
   */
  versionOf: string | null;
}

/** A decision as the rules (or a person) make it: the catalog adds the 档号 and the item it belongs to. */
export type ClassificationDecisionInput = Omit<ClassificationRecord, 'referenceCode' | 'itemNumber' | 'versionOf'>;

/** The class inside which item numbers run without gaps (DA/T 13). */
export interface ItemClass {
  fonds: string;
  category: string;
  year: number;
  retention: string;
  org: string;
}

export async function recordCharacterization(pool: pg.Pool, ingestId: string, c: CharacterizationRecord): Promise<void> {
  await pool.query(
    `INSERT INTO component_characterizations (ingest_id, ordinal, format_name, media_type, puid, format, size, sha256, sm3, technical, findings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (ingest_id, ordinal) DO UPDATE SET format_name = $3, media_type = $4, puid = $5, format = $6, size = $7,
       sha256 = $8, sm3 = $9, technical = $10, findings = $11, characterized_at = now()`,
    [ingestId, c.ordinal, c.formatName, c.mediaType, c.puid, c.format, c.size, c.sha256, c.sm3, c.technical, JSON.stringify(c.findings)],
  );
}

/**
 * What one characterize run found, in one statement: each component's characterization, the PREMIS
 * events of the checks made on it (virus scans), in order, and the document's DA/T 46 record. A
 * retried run replaces the characterizations and the record, and adds its own events.
 */
export async function recordCharacterizationRun(
  db: Queryable,
  ingestId: string,
  run: { characterizations: readonly CharacterizationRecord[]; events: readonly PreservationEventRecord[]; metadata: { record: Record<string, unknown>; missing: string[] } },
): Promise<void> {
  const characterizations = run.characterizations.map((c) => ({
    ordinal: c.ordinal,
    format_name: c.formatName,
    media_type: c.mediaType,
    puid: c.puid,
    format: c.format,
    size: c.size,
    sha256: c.sha256,
    sm3: c.sm3,
    technical: c.technical,
    findings: c.findings,
  }));
  await db.query(
    `WITH characterized AS (
       INSERT INTO component_characterizations (ingest_id, ordinal, format_name, media_type, puid, format, size, sha256, sm3, technical, findings)
       SELECT $1, c.ordinal, c.format_name, c.media_type, c.puid, c.format, c.size, c.sha256, c.sm3, c.technical, c.findings
         FROM jsonb_to_recordset($2::jsonb) AS c(ordinal integer, format_name text, media_type text, puid text, format jsonb, size bigint, sha256 text, sm3 text, technical jsonb, findings jsonb)
       ON CONFLICT (ingest_id, ordinal) DO UPDATE SET format_name = EXCLUDED.format_name, media_type = EXCLUDED.media_type, puid = EXCLUDED.puid, format = EXCLUDED.format,
         size = EXCLUDED.size, sha256 = EXCLUDED.sha256, sm3 = EXCLUDED.sm3, technical = EXCLUDED.technical, findings = EXCLUDED.findings, characterized_at = now()
       RETURNING 1
     ), events AS (${insertPreservationEventsSql(3)} RETURNING 1)
     INSERT INTO metadata_records (ingest_id, record, missing) VALUES ($1, $4, $5)
     ON CONFLICT (ingest_id) DO UPDATE SET record = $4, missing = $5, recorded_at = now()`,
    [ingestId, JSON.stringify(characterizations), preservationEventsJson(run.events), run.metadata.record, run.metadata.missing],
  );
}

export async function characterizationsOf(pool: pg.Pool, ingestId: string): Promise<CharacterizationRecord[]> {
  const { rows } = await pool.query('SELECT * FROM component_characterizations WHERE ingest_id = $1 ORDER BY ordinal', [ingestId]);
  return rows.map((r) => ({
    ordinal: r.ordinal,
    formatName: r.format_name,
    mediaType: r.media_type,
    puid: r.puid,
    format: r.format,
    size: Number(r.size),
    sha256: r.sha256,
    sm3: r.sm3,
    technical: r.technical,
    findings: r.findings,
  }));
}

/**
 * Components of this ingest whose bytes (SM3 and SHA-256) were already filed under another document
 * (重份). An earlier version of the same document is not another document: a new version that keeps
 * an attachment unchanged is a version, not a duplicate.
 */
export async function filedDuplicatesOf(pool: pg.Pool, ingestId: string): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ ordinal: number; other: string }>(
    `SELECT mine.ordinal, min(theirs.ingest_id) AS other
       FROM component_characterizations mine
       JOIN ingests me ON me.ingest_id = mine.ingest_id
       JOIN component_characterizations theirs ON theirs.sm3 = mine.sm3 AND theirs.sha256 = mine.sha256 AND theirs.ingest_id <> mine.ingest_id
       JOIN ingests i ON i.ingest_id = theirs.ingest_id AND i.status = 'FILED' AND (i.source, i.document_id) <> (me.source, me.document_id)
      WHERE mine.ingest_id = $1
      GROUP BY mine.ordinal`,
    [ingestId],
  );
  return new Map(rows.map((r) => [r.ordinal, r.other]));
}

export async function recordMetadataRecord(pool: pg.Pool, ingestId: string, record: Record<string, unknown>, missing: string[]): Promise<void> {
  await pool.query(
    `INSERT INTO metadata_records (ingest_id, record, missing) VALUES ($1, $2, $3)
     ON CONFLICT (ingest_id) DO UPDATE SET record = $2, missing = $3, recorded_at = now()`,
    [ingestId, record, missing],
  );
}

export async function metadataRecordOf(pool: pg.Pool, ingestId: string): Promise<{ record: Record<string, unknown>; missing: string[] } | undefined> {
  const { rows } = await pool.query('SELECT record, missing FROM metadata_records WHERE ingest_id = $1', [ingestId]);
  return rows[0] ? { record: rows[0].record, missing: rows[0].missing } : undefined;
}

function classificationFromRow(r: Record<string, unknown>): ClassificationRecord {
  return {
    outcome: r.outcome as ClassificationRecord['outcome'],
    category: r.category as string | null,
    retention: r.retention as ClassificationRecord['retention'],
    organisationCode: r.organisation_code as string | null,
    year: r.year as number | null,
    ruleIds: r.rule_ids as string[],
    scheduleVersion: r.schedule_version as string,
    explanation: r.explanation as string,
    referenceCode: r.reference_code as string | null,
    itemNumber: r.item_number as number | null,
    versionOf: (r.version_of as string | null | undefined) ?? null,
  };
}

export async function classificationOf(pool: Queryable, ingestId: string): Promise<ClassificationRecord | undefined> {
  const { rows } = await pool.query('SELECT * FROM classifications WHERE ingest_id = $1', [ingestId]);
  return rows[0] ? classificationFromRow(rows[0]) : undefined;
}

/**
 * Records a classification decision with its audit event and, for FILE, the document's 档号: the
 * next item number of its class, taken in the same transaction, so numbers are unique and gap-free
 * under concurrent workers. An ingest that already holds a number keeps it when the decision files it
 * in the same class (a retry, a replay); otherwise the number is voided (作废, recorded with who and
 * why) and, if the document is filed in another class, a new one is taken. Numbers are never reissued.
 * A later version of a filed document filed in that version's class takes no new number: it becomes
 * a new version of the same item, holding its 档号 (`versionOf`); a version that stops being filed
 * gives the number back to nobody, since its item still holds it.
 */
export async function recordClassification(
  pool: pg.Pool,
  ingestId: string,
  decision: ClassificationDecisionInput,
  numbering?: { itemClass: ItemClass; format: (item: number) => string },
  actor = 'worker:classify',
): Promise<ClassificationRecord> {
  return inTransaction(pool, (tx) => recordClassificationIn(tx, ingestId, decision, numbering, actor));
}

/** recordClassification inside the caller's transaction (a review settlement decides and moves on at once). */
export async function recordClassificationIn(
  tx: Queryable,
  ingestId: string,
  decision: ClassificationDecisionInput,
  numbering: { itemClass: ItemClass; format: (item: number) => string } | undefined,
  actor: string,
  voidReason?: string,
): Promise<ClassificationRecord> {
  // Serialises decisions for one ingest, so two deliveries of the same job cannot both number it.
  await tx.query('SELECT 1 FROM ingests WHERE ingest_id = $1 FOR UPDATE', [ingestId]);
  const existing = (await tx.query('SELECT * FROM classifications WHERE ingest_id = $1', [ingestId])).rows[0] as Record<string, unknown> | undefined;
  const before = existing ? classificationFromRow(existing) : undefined;
  let referenceCode: string | null = null;
  let itemNumber: number | null = null;
  let versionOf: string | null = null;
  let voided: VoidedReferenceCode | undefined;
  let released: string | undefined;
  if (before?.referenceCode && before.itemNumber !== null) {
    if (decision.outcome === 'FILE' && sameClass(before, decision)) {
      referenceCode = before.referenceCode;
      itemNumber = before.itemNumber;
      versionOf = before.versionOf;
    } else if (before.versionOf) {
      // The item's number, held through the version this one followed: the item keeps it.
      released = before.referenceCode;
    } else {
      const to = decision.outcome === 'FILE' ? `FILE ${classLabel(decision)}` : decision.outcome;
      voided = await voidReferenceCode(tx, ingestId, before, actor, voidReason ?? `re-classified from FILE ${classLabel(before)} to ${to}`);
    }
  }
  if (decision.outcome === 'FILE' && numbering && referenceCode === null) {
    const filed = await latestFiledVersionBefore(tx, ingestId);
    if (filed?.referenceCode && filed.itemNumber !== null && sameClass(filed, decision)) {
      referenceCode = filed.referenceCode;
      itemNumber = filed.itemNumber;
      versionOf = filed.ingestId;
    }
  }
  if (decision.outcome === 'FILE' && numbering && referenceCode === null) {
    const { fonds, category, year, retention, org } = numbering.itemClass;
    const { rows } = await tx.query<{ last_item: number }>(
      `INSERT INTO reference_code_counters (fonds, category, year, retention, org, last_item) VALUES ($1, $2, $3, $4, $5, 1)
       ON CONFLICT (fonds, category, year, retention, org) DO UPDATE SET last_item = reference_code_counters.last_item + 1
       RETURNING last_item`,
      [fonds, category, year, retention, org],
    );
    itemNumber = rows[0]!.last_item;
    referenceCode = numbering.format(itemNumber);
  }
  const { rows } = await tx.query(
    `INSERT INTO classifications (ingest_id, outcome, category, retention, organisation_code, year, rule_ids, schedule_version, explanation, reference_code, item_number, version_of)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (ingest_id) DO UPDATE SET outcome = $2, category = $3, retention = $4, organisation_code = $5, year = $6,
       rule_ids = $7, schedule_version = $8, explanation = $9, reference_code = $10, item_number = $11, version_of = $12, decided_at = now()
     RETURNING *`,
    [ingestId, decision.outcome, decision.category, decision.retention, decision.organisationCode, decision.year, decision.ruleIds, decision.scheduleVersion, decision.explanation, referenceCode, itemNumber, versionOf],
  );
  const record = classificationFromRow(rows[0]);
  await appendAuditEvent(tx, {
    ingestId,
    type: 'ingest.classified',
    actor,
    payload: { ...record, ...(voided ? { voidedReferenceCode: voided.referenceCode } : {}), ...(released ? { releasedItemReferenceCode: released } : {}) },
  });
  return record;
}

/** Which 档号 a FILE decision would give a document now: kept, the filed item's (a new version), or the class's next. */
export interface PredictedReferenceCode {
  referenceCode: string;
  itemNumber: number;
  how: 'kept' | 'version' | 'next';
}

/**
 * The 档号 recordClassificationIn would give this FILE decision if it ran now, read without taking
 * anything: the number it holds in that class, the filed item it would become a version of, or the
 * class's next item number formatted by the same `numbering.format`. Provisional: another filing in
 * the class can take the next number first.
 */
export async function predictReferenceCode(
  db: Queryable,
  ingestId: string,
  decision: Pick<ClassificationDecisionInput, 'category' | 'year' | 'retention' | 'organisationCode'>,
  numbering: { itemClass: ItemClass; format: (item: number) => string },
): Promise<PredictedReferenceCode> {
  const held = await classificationOf(db, ingestId);
  if (held?.referenceCode && held.itemNumber !== null && sameClass(held, decision)) return { referenceCode: held.referenceCode, itemNumber: held.itemNumber, how: 'kept' };
  const filed = await latestFiledVersionBefore(db, ingestId);
  if (filed?.referenceCode && filed.itemNumber !== null && sameClass(filed, decision)) return { referenceCode: filed.referenceCode, itemNumber: filed.itemNumber, how: 'version' };
  const { fonds, category, year, retention, org } = numbering.itemClass;
  const { rows } = await db.query<{ last_item: number }>(
    'SELECT last_item FROM reference_code_counters WHERE fonds = $1 AND category = $2 AND year = $3 AND retention = $4 AND org = $5',
    [fonds, category, year, retention, org],
  );
  const itemNumber = (rows[0]?.last_item ?? 0) + 1;
  return { referenceCode: numbering.format(itemNumber), itemNumber, how: 'next' };
}

/** The latest FILED version of the same document before this one, with its decision: the item a new version joins. */
async function latestFiledVersionBefore(tx: Queryable, ingestId: string): Promise<(ClassificationRecord & { ingestId: string }) | undefined> {
  const { rows } = await tx.query(
    `SELECT c.* FROM ingests me
       JOIN ingests e ON e.source = me.source AND e.document_id = me.document_id AND e.version < me.version AND e.status = 'FILED'
       JOIN classifications c ON c.ingest_id = e.ingest_id
      WHERE me.ingest_id = $1
      ORDER BY e.version DESC LIMIT 1`,
    [ingestId],
  );
  return rows[0] ? { ...classificationFromRow(rows[0]), ingestId: rows[0].ingest_id } : undefined;
}

const classLabel = (c: Pick<ClassificationRecord, 'category' | 'year' | 'retention' | 'organisationCode'>) => `${c.category}·${c.year}·${c.retention}·${c.organisationCode}`;

function sameClass(a: Pick<ClassificationRecord, 'category' | 'year' | 'retention' | 'organisationCode'>, b: Pick<ClassificationRecord, 'category' | 'year' | 'retention' | 'organisationCode'>): boolean {
  return a.category === b.category && a.year === b.year && a.retention === b.retention && a.organisationCode === b.organisationCode;
}

/** A 档号 taken back from a document: 作废, with who, when and why. */
export interface VoidedReferenceCode {
  referenceCode: string;
  ingestId: string;
  category: string;
  year: number;
  retention: string;
  organisationCode: string;
  itemNumber: number;
  voidedAt: Date;
  voidedBy: string;
  reason: string;
}

async function voidReferenceCode(tx: Queryable, ingestId: string, held: ClassificationRecord, actor: string, reason: string): Promise<VoidedReferenceCode> {
  const { rows } = await tx.query(
    `INSERT INTO voided_reference_codes (reference_code, ingest_id, category, year, retention, organisation_code, item_number, voided_by, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [held.referenceCode, ingestId, held.category, held.year, held.retention, held.organisationCode, held.itemNumber, actor, reason],
  );
  const voided = voidedFromRow(rows[0]);
  await appendAuditEvent(tx, { ingestId, type: 'ingest.reference-code-voided', actor, payload: { ...voided, voidedAt: voided.voidedAt.toISOString() } });
  return voided;
}

function voidedFromRow(r: Record<string, unknown>): VoidedReferenceCode {
  return {
    referenceCode: r.reference_code as string,
    ingestId: r.ingest_id as string,
    category: r.category as string,
    year: r.year as number,
    retention: r.retention as string,
    organisationCode: r.organisation_code as string,
    itemNumber: r.item_number as number,
    voidedAt: r.voided_at as Date,
    voidedBy: r.voided_by as string,
    reason: r.reason as string,
  };
}

export async function voidedReferenceCodesOf(db: Queryable, ingestId: string): Promise<VoidedReferenceCode[]> {
  const { rows } = await db.query('SELECT * FROM voided_reference_codes WHERE ingest_id = $1 ORDER BY voided_at', [ingestId]);
  return rows.map(voidedFromRow);
}

/** The item numbers of a class: those held by an item (once, whatever its versions) and those voided (used, never reissued). */
export async function itemNumbersOfClass(
  db: Queryable,
  c: { category: string | null; year: number | null; retention: string | null; organisationCode: string | null },
): Promise<{ held: number[]; voided: number[] }> {
  const { rows } = await db.query<{ held: number[]; voided: number[] }>(
    // Both lists in one statement. Each item once: its later versions hold the same number.
    `SELECT ARRAY(SELECT item_number FROM classifications WHERE item_number IS NOT NULL AND version_of IS NULL AND category = $1 AND year = $2 AND retention = $3 AND organisation_code = $4) AS held,
            ARRAY(SELECT item_number FROM voided_reference_codes WHERE category = $1 AND year = $2 AND retention = $3 AND organisation_code = $4) AS voided`,
    [c.category, c.year, c.retention, c.organisationCode],
  );
  return { held: rows[0]!.held, voided: rows[0]!.voided };
}
