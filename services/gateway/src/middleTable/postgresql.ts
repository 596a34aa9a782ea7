import pg from 'pg';
import { createPool } from '@oa-archive/catalog';
import { redactUrl } from '@oa-archive/observability';
import { middleTableDdl } from './ddl.ts';
import { clip, type MiddleTable, type MiddleTableRow, type RowOutcome, type WrittenRow } from './table.ts';

/** A middle table in the OA's PostgreSQL database. `table` is a validated identifier (sources.ts). */
export class PostgresMiddleTable implements MiddleTable {
  readonly description: string;
  readonly #pool: pg.Pool;
  readonly #table: string;

  constructor(url: string, table: string) {
    // The catalog's pool: a dropped connection, idle or checked out, fails the next query instead of the process.
    this.#pool = createPool(url, 3);
    this.#table = table;
    this.description = `postgresql ${redactUrl(url)} table ${table}`;
  }

  async create(): Promise<void> {
    for (const statement of await middleTableDdl('postgresql', this.#table)) await this.#pool.query(statement);
  }

  async claim(pollerId: string, limit: number, leaseMs: number): Promise<MiddleTableRow[]> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `SELECT id, doc_id, doc_version, payload, attempts FROM ${this.#table}
          WHERE status = 'ready' OR (status = 'claimed' AND claimed_at < now() - $1 * interval '1 millisecond')
          ORDER BY id LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [leaseMs, limit],
      );
      if (rows.length > 0) {
        await client.query(
          `UPDATE ${this.#table} SET status = 'claimed', claimed_by = $1, claimed_at = now(), attempts = attempts + 1, updated_at = now() WHERE id = ANY($2::bigint[])`,
          [pollerId, rows.map((r) => r.id)],
        );
      }
      await client.query('COMMIT');
      return rows.map((r) => ({ id: String(r.id), docId: r.doc_id, docVersion: r.doc_version, payload: r.payload, attempts: r.attempts + 1 }));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async finish(id: string, pollerId: string, outcome: RowOutcome): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE ${this.#table} SET status = $3, ingest_id = $4, result = $5, updated_at = now() WHERE id = $1 AND claimed_by = $2 AND status = 'claimed'`,
      [id, pollerId, outcome.status, outcome.status === 'published' ? outcome.ingestId : null, clip(outcome.result)],
    );
    return rowCount === 1;
  }

  async release(id: string, pollerId: string, reason: string): Promise<void> {
    await this.#pool.query(`UPDATE ${this.#table} SET status = 'ready', claimed_by = NULL, claimed_at = NULL, result = $3, updated_at = now() WHERE id = $1 AND claimed_by = $2 AND status = 'claimed'`, [
      id,
      pollerId,
      clip(reason),
    ]);
  }

  async listWritten(since: Date, until: Date): Promise<WrittenRow[]> {
    const { rows } = await this.#pool.query(`SELECT doc_id, doc_version, status, result, created_at FROM ${this.#table} WHERE created_at >= $1 AND created_at < $2 ORDER BY id`, [since, until]);
    return rows.map((r) => ({ docId: r.doc_id, docVersion: r.doc_version, status: r.status, result: r.result, createdAt: r.created_at }));
  }

  async ping(): Promise<void> {
    await this.#pool.query(`SELECT 1 FROM ${this.#table} LIMIT 0`);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
