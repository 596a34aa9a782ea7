import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../src/db.ts';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/oa_archive';
const admin = createPool(url, 1);
afterAll(async () => {
  await admin.end();
});

describe('createPool against a PostgreSQL that drops connections', () => {
  it('survives the server ending a checked-out connection, and the next query says so', async () => {
    // A PostgreSQL restart ends every backend; a client held outside a query (a lock holder, a
    // transaction between statements) then emits 'error', which killed the process when unhandled.
    const pool = createPool(url, 2);
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    // The pool replaces the dead client.
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    await pool.end();
  });
});
