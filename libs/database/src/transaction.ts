import type pg from 'pg';
import { TimeoutError } from '@app/timeouts';

/**
 * Runs `work` in one transaction on a connection of the pool: BEGIN, work, COMMIT — or ROLLBACK
 * when work throws. While the transaction waits between statements (on Redis, on a handler), the
 * connection may be terminated (Postgres restarted, the database dropped): a checked-out pg client
 * then emits 'error' with no listener, which would crash the process; it is caught here, the
 * connection is dropped rather than returned to the pool, and Postgres rolls back on its side.
 *
 * With `timeoutMs`, work that is not done by then fails with a TimeoutError and its connection is
 * closed at once, without waiting for the statement it may be running (pg_sleep, a lock): Postgres
 * notices within client_connection_check_interval (pg-pool.ts) and rolls back.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    if (opts.timeoutMs === undefined) return;
    timer = setTimeout(() => {
      broken = new TimeoutError(`transaction not done within ${opts.timeoutMs} ms`);
      reject(broken);
      void client.end().catch(() => undefined);
    }, opts.timeoutMs);
  });
  expired.catch(() => undefined);
  try {
    await client.query('BEGIN');
    const result = await Promise.race([work(client), expired]);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (!(broken instanceof TimeoutError)) await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
    throw err;
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
    client.release(broken ?? false);
  }
}

/**
 * Runs `work` while this process holds a session-level advisory lock on a connection of its own
 * (no transaction stays open, so work that waits on Square may hold it); resolves undefined
 * without running it when another process holds the lock. For the worker's periodic tasks that
 * one worker at a time must do.
 */
export async function withSessionLock<T>(pool: pg.Pool, lockId: number, work: () => Promise<T>): Promise<T | undefined> {
  const client = await pool.connect();
  // As in inTransaction: a connection terminated while idle here must not crash the process.
  let broken: Error | undefined;
  client.on('error', (err: Error) => (broken = err));
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockId]);
    if (!rows[0]?.locked) return undefined;
    try {
      return await work();
    } finally {
      // A lost connection has lost its lock with it.
      if (!broken) await client.query('SELECT pg_advisory_unlock($1)', [lockId]).catch((err: Error) => (broken = err));
    }
  } finally {
    client.release(broken);
  }
}
