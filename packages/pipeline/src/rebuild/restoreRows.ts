import type { ChainedAuditEvent, ClassificationRecord, ComponentRecord, Queryable } from '@oa-archive/catalog';
import type { DocumentFinalizedEvent } from '@oa-archive/contracts';
import type { CatalogRecord } from '../catalogRecord.ts';
import type { CustodyTrail } from './custodyTrail.ts';

/**
 * The catalog rows of one document as a rebuild restores them, in the transaction the caller holds.
 * An ingest starts RECEIVED (the status guard admits nothing else) and is taken to its outcome by the
 * guard's own transitions, named `rebuild` in the audit-free way the guard allows.
 */
export interface RestoredIngest {
  ingestId: string;
  event: DocumentFinalizedEvent;
  status: 'FILED' | 'QUARANTINED';
  receivedAt: string;
  enqueuedAt: string | null;
  completedAt: string | null;
}

export async function insertIngest(tx: Queryable, ingest: RestoredIngest): Promise<void> {
  const d = ingest.event.data;
  await tx.query(
    `INSERT INTO ingests (ingest_id, source, document_id, version, event_id, title, document_type, department_code,
       security_level, finalized_at, event, status, received_at, enqueued_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'RECEIVED', $12, $13)`,
    [ingest.ingestId, ingest.event.source, d.documentId, d.version, ingest.event.id, d.title, d.documentType, d.departmentCode, d.securityLevel, d.dates.finalized, ingest.event, ingest.receivedAt, ingest.enqueuedAt],
  );
  // Through the transitions the pipeline took (RECEIVED → IN_PROGRESS → outcome), so the guard holds.
  for (const status of ['IN_PROGRESS', ingest.status]) {
    await tx.query(
      `WITH via AS MATERIALIZED (SELECT set_config('oa_archive.ingest_event', 'rebuild', true) AS event),
            changed AS (UPDATE ingests SET status = $2, current_stage = 'deposit', completed_at = $3, updated_at = now() FROM via WHERE ingest_id = $1 RETURNING 1)
       SELECT set_config('oa_archive.ingest_event', '', true) FROM changed`,
      [ingest.ingestId, status, status === 'IN_PROGRESS' ? null : ingest.completedAt],
    );
  }
}

/** A component row as the catalog keeps it (ComponentRecord), for the ingest being restored. */
export type RestoredComponent = Omit<ComponentRecord, 'ingestId'>;

export async function insertComponents(tx: Queryable, ingestId: string, components: readonly RestoredComponent[], depositedAt: string | null): Promise<void> {
  for (const c of components) {
    await tx.query(
      `INSERT INTO components (ingest_id, ordinal, role, file_name, declared_media_type, declared_size, declared_sha256, source_url,
         staging_key, size, sha256, sm3, archive_bucket, archive_key, deposited_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [ingestId, c.ordinal, c.role, c.fileName, c.declaredMediaType, c.declaredSize, c.declaredSha256, c.sourceUrl, c.stagingKey, c.size, c.sha256, c.sm3, c.archiveBucket, c.archiveKey, c.archiveKey ? depositedAt : null],
    );
  }
}

export async function insertCharacterizations(tx: Queryable, ingestId: string, list: CatalogRecord['characterizations']): Promise<void> {
  for (const c of list) {
    await tx.query(
      `INSERT INTO component_characterizations (ingest_id, ordinal, format_name, media_type, puid, format, size, sha256, sm3, technical, findings)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [ingestId, c.ordinal, c.formatName, c.mediaType, c.puid, c.format, c.size, c.sha256, c.sm3, c.technical, JSON.stringify(c.findings)],
    );
  }
}

export async function insertClassification(tx: Queryable, ingestId: string, c: ClassificationRecord): Promise<void> {
  await tx.query(
    `INSERT INTO classifications (ingest_id, outcome, category, retention, organisation_code, year, rule_ids, schedule_version, explanation, reference_code, item_number, version_of)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [ingestId, c.outcome, c.category, c.retention, c.organisationCode, c.year, c.ruleIds, c.scheduleVersion, c.explanation, c.referenceCode, c.itemNumber, c.versionOf ?? null],
  );
}

export async function insertMetadataRecord(tx: Queryable, ingestId: string, record: Record<string, unknown>, missing: string[]): Promise<void> {
  await tx.query('INSERT INTO metadata_records (ingest_id, record, missing) VALUES ($1, $2, $3)', [ingestId, record, missing]);
}

/** The preservation rows of a filed document: copies (with where each lies in the bag), events, the four-properties report. */
export async function insertPreservation(
  tx: Queryable,
  ingestId: string,
  record: CatalogRecord,
  copyKeys: ReadonlyMap<number, string>,
  fourProperties: Record<string, unknown>,
): Promise<void> {
  for (const c of record.preservationCopies) {
    await tx.query(
      `INSERT INTO preservation_copies (ingest_id, ordinal, action, target, staging_key, file_name, size, sha256, sm3, format_name, puid, technical, findings, archive_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [ingestId, c.ordinal, c.action, c.target, c.stagingKey, c.fileName, c.size, c.sha256, c.sm3, c.formatName, c.puid, c.technical, JSON.stringify(c.findings), copyKeys.get(c.ordinal) ?? null],
    );
  }
  for (const e of record.preservationEvents) {
    await tx.query(
      `INSERT INTO preservation_events (ingest_id, ordinal, event_type, event_at, detail, outcome, outcome_detail, agent_name, agent_version, options, source_sha256, outcome_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [ingestId, e.ordinal, e.eventType, e.eventAt, e.detail, e.outcome, e.outcomeDetail ?? null, e.agentName, e.agentVersion ?? null, JSON.stringify(e.options ?? []), e.sourceSha256 ?? null, e.outcomeSha256 ?? null],
    );
  }
  await tx.query('INSERT INTO validation_reports (ingest_id, passed, report) VALUES ($1, $2, $3)', [ingestId, record.validation.passed, fourProperties]);
  for (const r of record.stageRuns) {
    await tx.query(
      'INSERT INTO stage_runs (ingest_id, stage, attempt, status, started_at, finished_at, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [ingestId, r.stage, r.attempt, r.status, r.startedAt, r.finishedAt, r.detail],
    );
  }
}

/** Events of the chain as they were, sequence numbers and hashes included (the caller checked they chain on). */
export async function insertAuditEvents(tx: Queryable, events: readonly ChainedAuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    await tx.query(
      `INSERT INTO audit_events (seq, at, ingest_id, type, actor, payload, prev_hash, hash)
       VALUES ${batch.map((_e, n) => `(${Array.from({ length: 8 }, (_x, k) => `$${n * 8 + k + 1}`).join(', ')})`).join(', ')}`,
      batch.flatMap((e) => [e.seq, e.at, e.ingestId, e.type, e.actor, e.payload, e.prevHash, e.hash]),
    );
  }
}

/** Raises each class's counter to at least `lastItem`: the next document of the class takes the next number. */
export async function raiseCounter(tx: Queryable, itemClass: { fonds: string; category: string; year: number; retention: string; org: string }, lastItem: number): Promise<void> {
  await tx.query(
    `INSERT INTO reference_code_counters (fonds, category, year, retention, org, last_item) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (fonds, category, year, retention, org) DO UPDATE SET last_item = GREATEST(reference_code_counters.last_item, $6)`,
    [itemClass.fonds, itemClass.category, itemClass.year, itemClass.retention, itemClass.org, lastItem],
  );
}

/**
 * Holds as the trail placed and lifted them, under their own ids (the trail's events name them), and
 * the disposition decisions on items restored, in the order they were taken (the latest is in force).
 * Writes nothing twice: a rebuild resumed after this ran finds every row there.
 */
export async function insertCustody(tx: Queryable, custody: CustodyTrail, restored: ReadonlySet<string>): Promise<{ holds: number; decisions: number; scheduleVersions: number; scheduleVersionsWithoutText: string[] }> {
  // Schedule versions first, in the order they were made: the rules in force when the catalog was lost.
  const withoutText: string[] = [];
  let versions = 0;
  for (const v of custody.scheduleVersions) {
    if (v.yaml === undefined) {
      withoutText.push(v.version);
      continue;
    }
    await tx.query('INSERT INTO schedule_versions (version, root_version, base_version, yaml, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (version) DO NOTHING', [
      v.version,
      v.rootVersion,
      v.baseVersion,
      v.yaml,
      v.createdBy,
      v.createdAt,
    ]);
    versions++;
  }
  for (const h of custody.holds) {
    await tx.query(
      `INSERT INTO holds (id, name, reason, created_by, created_at, lifted_by, lifted_at, lift_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [h.id, h.name, h.reason, h.createdBy, h.createdAt, h.lifted?.by ?? null, h.lifted?.at ?? null, h.lifted?.reason ?? null],
    );
    for (const s of h.selectors) {
      await tx.query(
        `INSERT INTO hold_items (hold_id, kind, value, category, year, retention) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [h.id, s.kind, s.kind === 'class' ? [s.category, s.year, s.retention].filter((x) => x !== undefined).join('/') : s.value, s.kind === 'class' ? s.category : null, s.kind === 'class' ? (s.year ?? null) : null, s.kind === 'class' ? (s.retention ?? null) : null],
      );
    }
  }
  // New holds continue after the restored ids.
  if (custody.holds.length > 0) await tx.query(`SELECT setval(pg_get_serial_sequence('holds', 'id'), (SELECT max(id) FROM holds))`);
  let decisions = 0;
  for (const d of custody.decisions) {
    if (!restored.has(d.ingestId)) continue;
    // Under its own id where the event names it, so the trail's destructions still point at their decision.
    // A rebuild resumed after this ran finds the decision there already (same item, time and decision).
    await tx.query(
      `INSERT INTO disposition_decisions (id, ingest_id, reference_code, decision, reason, review_on, due_on, decided_by, decided_at)
       SELECT COALESCE($1, nextval(pg_get_serial_sequence('disposition_decisions', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9
        WHERE NOT EXISTS (SELECT 1 FROM disposition_decisions WHERE ingest_id = $2 AND decided_at = $9 AND decision = $4)`,
      [d.id ?? null, d.ingestId, d.referenceCode, d.decision, d.reason, d.reviewOn, d.dueOn, d.decidedBy, d.decidedAt],
    );
    decisions++;
  }
  if (decisions > 0) await tx.query(`SELECT setval(pg_get_serial_sequence('disposition_decisions', 'id'), (SELECT max(id) FROM disposition_decisions))`);
  return { holds: custody.holds.length, decisions, scheduleVersions: versions, scheduleVersionsWithoutText: withoutText };
}
