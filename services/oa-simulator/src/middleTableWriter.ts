import { createConnection } from 'mysql2/promise';
import pg from 'pg';

/**
 * The OA's side of a middle table: it inserts one row per finished document, status 'ready', and
 * reads back what the archive gateway wrote (services/gateway/middle-table/*.sql has the table).
 */

export interface OutboxRow {
  docId: string;
  version: number;
  payload: string;
}

export interface MiddleTableTarget {
  driver: 'postgresql' | 'mysql';
  url: string;
  /** Letters, digits and _ (optionally schema.table). */
  table: string;
}

export class MiddleTableWriterError extends Error {
  override readonly name = 'MiddleTableWriterError';
}

function checkedTable(table: string): string {
  if (!/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) throw new MiddleTableWriterError(`"${table}" is not a table name (letters, digits and _, optionally schema.table)`);
  return table;
}

export async function writeMiddleTableRows(target: MiddleTableTarget, rows: OutboxRow[]): Promise<void> {
  const table = checkedTable(target.table);
  const missing = (error: unknown) => {
    // 42P01: PostgreSQL's undefined_table; ER_NO_SUCH_TABLE: MySQL's and MariaDB's.
    const code = (error as { code?: string }).code;
    const hint = code === '42P01' || code === 'ER_NO_SUCH_TABLE' ? `; create it with services/gateway/middle-table/${target.driver}.sql (the demo gateway does, for sources with create: true)` : '';
    return new MiddleTableWriterError(`cannot write to ${table}: ${(error as Error).message}${hint}`, { cause: error });
  };
  if (target.driver === 'postgresql') {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      for (const row of rows) await client.query(`INSERT INTO ${table} (doc_id, doc_version, payload) VALUES ($1, $2, $3)`, [row.docId, row.version, row.payload]);
    } catch (error) {
      throw missing(error);
    } finally {
      await client.end();
    }
    return;
  }
  const connection = await createConnection({ uri: target.url });
  try {
    for (const row of rows) await connection.query(`INSERT INTO ${table} (doc_id, doc_version, payload) VALUES (?, ?, ?)`, [row.docId, row.version, row.payload]);
  } catch (error) {
    throw missing(error);
  } finally {
    await connection.end();
  }
}
