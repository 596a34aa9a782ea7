import pg from 'pg';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  // A client losing its connection must not crash the process: the pool reports an idle one here,
  // and a checked-out one (a lock holder, a transaction between statements) emits 'error' on itself,
  // which is fatal when unheard. Either way its next query fails with the reason, and the pool
  // replaces it; a PostgreSQL restart then delays work instead of killing every service.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Runs fn in one transaction on one client; rolls back on any error and rethrows it. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const OBSERVED = Symbol('oaArchiveQueryObserver');

/**
 * Calls `listener` once for every statement the pool's users send (BEGIN and COMMIT included): each is
 * one round trip to PostgreSQL. Called in the caller's async context, so the caller's labels (the stage
 * it works for) apply even when the pool makes it wait for a client. Installs once per pool.
 */
export function observeQueries(pool: pg.Pool, listener: () => void): void {
  const observed = pool as pg.Pool & { [OBSERVED]?: true };
  if (observed[OBSERVED]) return;
  observed[OBSERVED] = true;
  const poolQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  // pool.query checks a client out and runs the statement on it with a callback: counted here, not there.
  pool.query = ((...args: unknown[]) => {
    listener();
    return poolQuery(...args);
  }) as typeof pool.query;
  pool.on('acquire', (client) => {
    const tagged = client as pg.PoolClient & { [OBSERVED]?: true };
    if (tagged[OBSERVED]) return;
    tagged[OBSERVED] = true;
    const clientQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      // A callback last: pool.query's own call (our code uses promises), already counted.
      if (typeof args.at(-1) !== 'function') listener();
      return clientQuery(...args);
    }) as typeof client.query;
  });
}
