import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';

/**
 * The OA's own database for a middle-table test: a fresh PostgreSQL database, or a fresh table in
 * MariaDB's `test` database; rows written and read back the way the OA would, by plain SQL.
 */

export interface OutboxRow {
  id: string;
  doc_id: string;
  doc_version: number;
  status: string;
  claimed_by: string | null;
  attempts: number;
  ingest_id: string | null;
  result: string | null;
}

export interface OaDatabase {
  driver: 'postgresql' | 'mysql';
  url: string;
  table: string;
  insert(rows: { docId: string; version?: number; payload: string; status?: string; claimedBy?: string; claimedMinutesAgo?: number }[]): Promise<void>;
  rows(): Promise<OutboxRow[]>;
  drop(): Promise<void>;
}

const POSTGRES_ADMIN = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function postgresOaDatabase(): Promise<OaDatabase> {
  const name = `oa_outbox_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(POSTGRES_ADMIN, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(POSTGRES_ADMIN, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const table = 'oa_archive_outbox';
  return {
    driver: 'postgresql',
    url,
    table,
    async insert(rows) {
      for (const row of rows) {
        await client.query(
          `INSERT INTO ${table} (doc_id, doc_version, payload, status, claimed_by, claimed_at) VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::int IS NULL THEN NULL ELSE now() - $6::int * interval '1 minute' END)`,
          [row.docId, row.version ?? 1, row.payload, row.status ?? 'ready', row.claimedBy ?? null, row.claimedMinutesAgo ?? null],
        );
      }
    },
    async rows() {
      const { rows } = await client.query(`SELECT id::text, doc_id, doc_version, status, claimed_by, attempts, ingest_id, result FROM ${table} ORDER BY id`);
      return rows as OutboxRow[];
    },
    async drop() {
      await client.end();
      const cleanup = new pg.Client({ connectionString: withDatabase(POSTGRES_ADMIN, 'postgres') });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

export async function mariadbOaDatabase(): Promise<OaDatabase> {
  const table = `oa_outbox_test_${randomBytes(5).toString('hex')}`;
  const connection = await createConnection({ uri: MARIADB_URL, supportBigNumbers: true, bigNumberStrings: true });
  return {
    driver: 'mysql',
    url: MARIADB_URL,
    table,
    async insert(rows) {
      for (const row of rows) {
        await connection.query(`INSERT INTO ${table} (doc_id, doc_version, payload, status, claimed_by, claimed_at) VALUES (?, ?, ?, ?, ?, IF(? IS NULL, NULL, NOW(3) - INTERVAL ? MINUTE))`, [
          row.docId,
          row.version ?? 1,
          row.payload,
          row.status ?? 'ready',
          row.claimedBy ?? null,
          row.claimedMinutesAgo ?? null,
          row.claimedMinutesAgo ?? 0,
        ]);
      }
    },
    async rows() {
      const [rows] = await connection.query(`SELECT CAST(id AS CHAR) AS id, doc_id, doc_version, status, claimed_by, attempts, ingest_id, result FROM ${table} ORDER BY id`);
      return rows as OutboxRow[];
    },
    async drop() {
      await connection.query(`DROP TABLE IF EXISTS ${table}`);
      await connection.end();
    },
  };
}
