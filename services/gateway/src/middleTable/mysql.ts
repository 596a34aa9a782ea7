import { createPool, type Pool, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { redactUrl } from '@oa-archive/observability';
import { middleTableDdl } from './ddl.ts';
import { clip, type MiddleTable, type MiddleTableRow, type RowOutcome, type WrittenRow } from './table.ts';

/**
 * A middle table in the OA's MySQL 8 or MariaDB 10.6+ database (both have SKIP LOCKED). The claim runs
 * READ COMMITTED: under REPEATABLE READ its locking read would also take gap locks and hold up the
 * OA's own inserts for the length of the claim.
 */
export class MysqlMiddleTable implements MiddleTable {
  readonly description: string;
  readonly #pool: Pool;
  readonly #table: string;

  constructor(url: string, table: string) {
    this.#pool = createPool({ uri: url, connectionLimit: 3, supportBigNumbers: true, bigNumberStrings: true});
    this.#table = table;
    this.description = `mysql ${redactUrl(url)} table ${table}`;
  }

  async create(): Promise<void> {
    for (const statement of await middleTableDdl('mysql', this.#table)) await this.#pool.query(statement);
  }

  async claim(pollerId: string, limit: number, leaseMs: number): Promise<MiddleTableRow[]> {
    const connection = await this.#pool.getConnection();
    try {
      await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await connection.beginTransaction();
      const [rows] = await connection.query<RowDataPacket[]>(
        `SELECT id, doc_id, doc_version, payload, attempts FROM ${this.#table}
          WHERE status = 'ready' OR (status = 'claimed' AND claimed_at < TIMESTAMPADD(MICROSECOND, ?, NOW(3)))
          ORDER BY id LIMIT ?
          FOR UPDATE SKIP LOCKED`,
        [-leaseMs * 1000, limit],
      );
      if (rows.length > 0) {
        await connection.query(`UPDATE ${this.#table} SET status = 'claimed', claimed_by = ?, claimed_at = NOW(3), attempts = attempts + 1 WHERE id IN (?)`, [
          pollerId,
          rows.map((r) => r.id as string),
        ]);
      }
      await connection.commit();
      return rows.map((r) => ({ id: String(r.id), docId: r.doc_id as string, docVersion: r.doc_version as number, payload: r.payload as string, attempts: (r.attempts as number) + 1 }));
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }

  async finish(id: string, pollerId: string, outcome: RowOutcome): Promise<boolean> {
    const [result] = await this.#pool.query<ResultSetHeader>(`UPDATE ${this.#table} SET status = ?, ingest_id = ?, result = ? WHERE id = ? AND claimed_by = ? AND status = 'claimed'`, [
      outcome.status,
      outcome.status === 'published' ? outcome.ingestId : null,
      clip(outcome.result),
      id,
      pollerId,
    ]);
    return result.affectedRows === 1;
  }

  async release(id: string, pollerId: string, reason: string): Promise<void> {
    await this.#pool.query(`UPDATE ${this.#table} SET status = 'ready', claimed_by = NULL, claimed_at = NULL, result = ? WHERE id = ? AND claimed_by = ? AND status = 'claimed'`, [clip(reason), id, pollerId]);
  }

  async listWritten(since: Date, until: Date): Promise<WrittenRow[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(`SELECT doc_id, doc_version, status, result, created_at FROM ${this.#table} WHERE created_at >= ? AND created_at < ? ORDER BY id`, [since, until]);
    return rows.map((r) => ({ docId: r.doc_id as string, docVersion: Number(r.doc_version), status: r.status as string, result: (r.result as string | null) ?? null, createdAt: r.created_at as Date }));
  }

  async ping(): Promise<void> {
    await this.#pool.query(`SELECT 1 FROM ${this.#table} LIMIT 0`);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
