import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The middle table's DDL, as documented: middle-table/postgresql.sql and middle-table/mysql.sql are
 * what an OA's DBA runs, and what the gateway runs itself when a source says `create: true` (the
 * demo), with the table's configured name in place of oa_archive_outbox.
 */

export type Driver = 'postgresql' | 'mysql';

export const DDL_FILES: Record<Driver, string> = {
  postgresql: path.join(import.meta.dirname, '..', '..', 'middle-table', 'postgresql.sql'),
  mysql: path.join(import.meta.dirname, '..', '..', 'middle-table', 'mysql.sql'),
};

const DOCUMENTED_NAME = 'oa_archive_outbox';

/** The statements of the documented DDL for `table` (a validated identifier, optionally schema.table), each idempotent. */
export async function middleTableDdl(driver: Driver, table: string): Promise<string[]> {
  const text = await readFile(DDL_FILES[driver], 'utf8');
  const bare = table.split('.').at(-1)!;
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter(Boolean)
    .map((statement) =>
      statement
        // Index and constraint names carry the table's bare name; the table itself its full name.
        .replace(new RegExp(`\\b${DOCUMENTED_NAME}_`, 'g'), `${bare}_`)
        .replace(new RegExp(`\\b${DOCUMENTED_NAME}\\b`, 'g'), table)
        .replace(/^CREATE TABLE /, 'CREATE TABLE IF NOT EXISTS ')
        .replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '),
    );
}
