import type pg from 'pg';
import { inTransaction, type Queryable } from './db.ts';

/**
 * The gateway's record of what it published for each (source, document, version), and the nonces of
 * signed requests it has seen. Tables of migration 007.
 */

export interface GatewaySubmission {
  source: string;
  documentId: string;
  version: number;
  ingestId: string;
  eventId: string;
  channel: 'push' | 'middle-table' | 'package';
  contentSha256: string;
  files: unknown[];
  event: Record<string, unknown>;
  acceptedAt: Date;
}

export type NewGatewaySubmission = Omit<GatewaySubmission, 'acceptedAt'>;

const COLUMNS = 'source, document_id, version, ingest_id, event_id, channel, content_sha256, files, event, accepted_at';

function fromRow(r: Record<string, unknown>): GatewaySubmission {
  return {
    source: r.source as string,
    documentId: r.document_id as string,
    version: r.version as number,
    ingestId: r.ingest_id as string,
    eventId: r.event_id as string,
    channel: r.channel as GatewaySubmission['channel'],
    contentSha256: r.content_sha256 as string,
    files: r.files as unknown[],
    event: r.event as Record<string, unknown>,
    acceptedAt: r.accepted_at as Date,
  };
}

/**
 * Records a submission and runs `publish` once for it: the row is inserted, `publish` runs (waiting for
 * Kafka's acknowledgement), and only then is the row committed; if `publish` throws, nothing is kept
 * and the OA may send again. A concurrent submission of the same key waits on the uncommitted row and
 * then finds it. When the key was already recorded, `publish` is not run and the earlier row returns.
 */
export async function submitOnce(pool: pg.Pool, submission: NewGatewaySubmission, publish: () => Promise<void>): Promise<{ created: boolean; submission: GatewaySubmission }> {
  return inTransaction(pool, async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO gateway_submissions (source, document_id, version, ingest_id, event_id, channel, content_sha256, files, event)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (source, document_id, version) DO NOTHING
       RETURNING ${COLUMNS}`,
      [submission.source, submission.documentId, submission.version, submission.ingestId, submission.eventId, submission.channel, submission.contentSha256, JSON.stringify(submission.files), JSON.stringify(submission.event)],
    );
    if (inserted.rows[0]) {
      await publish();
      return { created: true, submission: fromRow(inserted.rows[0]) };
    }
    const existing = await tx.query(`SELECT ${COLUMNS} FROM gateway_submissions WHERE source = $1 AND document_id = $2 AND version = $3`, [submission.source, submission.documentId, submission.version]);
    return { created: false, submission: fromRow(existing.rows[0]) };
  });
}

export async function gatewaySubmissionOf(db: Queryable, key: { source: string; documentId: string; version: number }): Promise<GatewaySubmission | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM gateway_submissions WHERE source = $1 AND document_id = $2 AND version = $3`, [key.source, key.documentId, key.version]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** The latest version the gateway accepted of a document, to suggest the next one. */
export async function latestGatewayVersionOf(db: Queryable, source: string, documentId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ version: number | null }>('SELECT max(version) AS version FROM gateway_submissions WHERE source = $1 AND document_id = $2', [source, documentId]);
  return rows[0]?.version ?? undefined;
}

/** True the first time (app id, nonce) is seen; false for a replay. */
export async function rememberNonce(db: Queryable, appId: string, nonce: string): Promise<boolean> {
  const { rowCount } = await db.query('INSERT INTO gateway_nonces (app_id, nonce) VALUES ($1, $2) ON CONFLICT DO NOTHING', [appId, nonce]);
  return rowCount === 1;
}

/** Forgets nonces seen before `before`: a request that old is refused for its timestamp anyway. */
export async function pruneNonces(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM gateway_nonces WHERE seen_at < $1', [before]);
  return rowCount ?? 0;
}
