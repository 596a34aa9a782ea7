import { afterAll, describe, expect, it } from 'vitest';
import { createPool, inTransaction, observeQueries } from '../src/db.ts';

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

describe('observeQueries', () => {
  it('counts one per statement sent, through pool.query and a checked-out client alike, once each', async () => {
    const pool = createPool(url, 2);
    // A client checked out before observing is counted too once it is checked out again.
    await pool.query('SELECT 1');
    let count = 0;
    observeQueries(pool, () => count++);
    observeQueries(pool, () => count++);
    await pool.query('SELECT 1');
    expect(count).toBe(1);
    await inTransaction(pool, async (tx) => {
      await tx.query('SELECT 1');
      await tx.query('SELECT $1::int', [2]);
    });
    // BEGIN, two statements, COMMIT.
    expect(count).toBe(5);
    await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 2'), pool.query('SELECT 3')]);
    expect(count).toBe(8);
    await pool.end();
  });
});
