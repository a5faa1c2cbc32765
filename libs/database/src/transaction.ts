import type pg from 'pg';

/**
 * Runs `work` in one transaction on a connection of the pool: BEGIN, work, COMMIT — or ROLLBACK
 * when work throws. While the transaction waits between statements (on Redis, on a handler), the
 * connection may be terminated (Postgres restarted, the database dropped): a checked-out pg client
 * then emits 'error' with no listener, which would crash the process; it is caught here, the
 * connection is dropped rather than returned to the pool, and Postgres rolls back on its side.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken ?? false);
  }
}
