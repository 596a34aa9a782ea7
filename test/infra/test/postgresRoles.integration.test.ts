import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog, createPool, migrate } from '@oa-archive/catalog';
import { exampleEventFor } from '@oa-archive/catalog/testing';
import { K8S_DIR } from './fixtures.ts';

/**
 * The account postgres-roles.sql makes (documented in docs/deployment.md) is enough for the services
 * and no more: it migrates the catalog and records an ingest, and it cannot create databases or roles,
 * write outside its schema, or become anyone else. Run with psql on the local PostgreSQL, as the
 * evaluation image's init script runs it.
 */
const run = promisify(execFile);
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const suffix = randomBytes(4).toString('hex');
const database = `oa_roles_${suffix}`;
const role = `archive_app_${suffix}`;
const password = `pw-${suffix}`;
let appUrl: string;

async function admin<T>(fn: (client: pg.Client) => Promise<T>, db = 'postgres'): Promise<T> {
  const url = new URL(adminUrl);
  url.pathname = `/${db}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-v', `database=${database}`, '-v', 'schema=archive', '-v', `app_role=${role}`, '-v', `app_password=${password}`, '-v', 'app_connection_limit=20', '-d', url.toString(), '-f', path.join(K8S_DIR, 'stores', 'postgres-roles.sql')]);
  const app = new URL(url);
  app.username = role;
  app.password = password;
  appUrl = app.toString();
});

afterAll(async () => {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${role}`);
  });
});

describe('the archive’s PostgreSQL account', () => {
  it('migrates the catalog into its schema, twice, and records an ingest', async () => {
    const pool = createPool(appUrl, 2);
    try {
      expect((await migrate(pool)).applied.length).toBeGreaterThan(0);
      expect((await migrate(pool)).applied).toEqual([]);
      const catalog = new Catalog(pool);
      await catalog.recordIngest(`ing_roles_${suffix}`, exampleEventFor(`roles-${suffix}`));
      const { rows } = await pool.query<{ schema: string }>(`SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'schema_migrations'`);
      expect(rows.map((r) => r.schema)).toEqual(['archive']);
    } finally {
      await pool.end();
    }
  });

  it('can do nothing beyond its schema', async () => {
    const client = new pg.Client({ connectionString: appUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolconnlimit: number }>('SELECT rolsuper, rolcreatedb, rolcreaterole, rolconnlimit FROM pg_roles WHERE rolname = current_user');
      expect(rows[0]).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolconnlimit: 20 });
      await expect(client.query(`CREATE DATABASE x_${suffix}`)).rejects.toThrow(/permission denied/);
      await expect(client.query(`CREATE ROLE x_${suffix}`)).rejects.toThrow(/permission denied/);
      await expect(client.query('CREATE TABLE public.sneaky (id int)')).rejects.toThrow(/permission denied/);
      await expect(client.query('SET ROLE postgres')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });

  it('is the only ordinary account that may connect to the archive’s database', async () => {
    const other = `other_${suffix}`;
    await admin((c) => c.query(`CREATE ROLE ${other} LOGIN PASSWORD 'x'`));
    try {
      const url = new URL(appUrl);
      url.username = other;
      url.password = 'x';
      const client = new pg.Client({ connectionString: url.toString() });
      await expect(client.connect()).rejects.toThrow(/permission denied/);
    } finally {
      await admin((c) => c.query(`DROP ROLE ${other}`));
    }
  });
});
