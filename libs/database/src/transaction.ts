import type pg from 'pg';
import { TimeoutError } from '@app/timeouts';

/** The transaction that reached its commit was not the one opened (a statement run in it ended it). */
export class TransactionLeftError extends Error {
  override name = 'TransactionLeftError';
  readonly permanent = true;

  constructor(
    message: string,
    /** Who ran the statements the caller does not own (a handler's ctx.sql), when the caller knows. */
    readonly culprits: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** COMMIT answered ROLLBACK: a statement had failed and its error was caught; nothing was committed. */
export class CommitRolledBackError extends Error {
  override name = 'CommitRolledBackError';
}

export interface TransactionOptions {
  timeoutMs?: number;
  /**
   * Asked once `work` is done: when code the caller does not own ran statements in the transaction
   * (a handler's ctx.sql), the transaction id it read at the start (pg_current_xact_id()), else
   * undefined. The commit then checks it is still that transaction, and puts the connection's
   * session back as the pool hands it out — in COMMIT's own round trip.
   */
  untrustedSince?: () => string | undefined;
}

// Whatever a statement may leave in a session past its transaction, undone as DISCARD ALL does,
// but for DEALLOCATE ALL and DISCARD PLANS: pg keeps its own statements prepared per connection
// (sql.ts). PROBE releases session advisory locks and says whether a statement was PREPAREd by
// SQL (a DO block can): then the connection is closed instead of returned. Cost, only for an
// event whose handlers ran SQL, with the check below, measured through EventApplyRepository (claim
// and one handler INSERT, 2000 events × 4, pool of 1, the 2-core development machine under load):
// Postgres CPU 0.51 → 0.64 ms per event, the worker's 0.39 → 0.44 ms; no extra round trip, wall
// time within noise. The pg_prepared_statements check is ~35 µs of Postgres' part.
const PROBE = 'pg_catalog.pg_advisory_unlock_all() AS unlocked, EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE from_sql) AS prepared';
const RESET_SESSION = 'CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; UNLISTEN *; DISCARD TEMP';

// Fails (so that the COMMIT after it, in the same message, is never run) unless the transaction
// is still the one whose id was read at its start; an aborted transaction fails it too.
const NOT_OPENED = 'not the transaction opened';
const commitChecked = (xid: string) => `
  SELECT (CASE WHEN pg_catalog.pg_current_xact_id() = '${xid}'::pg_catalog.xid8 THEN 'true' ELSE '${NOT_OPENED}' END)::boolean AS opened, ${PROBE};
  ${RESET_SESSION}; COMMIT`;
const ROLLBACK_RESET = `ROLLBACK; SELECT ${PROBE}; ${RESET_SESSION}`;

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
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
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
    const xid = opts.untrustedSince?.();
    if (xid === undefined) {
      if ((await client.query('COMMIT')).command === 'ROLLBACK') throw new CommitRolledBackError('the transaction failed before its commit (an error was caught); nothing of it was committed');
    } else {
      if (!/^\d+$/.test(xid)) throw new Error(`not a transaction id: ${xid}`);
      broken = await endUntrusted(client, commitChecked(xid));
    }
    return result;
  } catch (err) {
    if (!(broken instanceof TimeoutError)) {
      const rollback = opts.untrustedSince?.() === undefined
        ? client.query('ROLLBACK').then(() => undefined)
        : endUntrusted(client, ROLLBACK_RESET);
      const failed = await rollback.catch((rollbackError: Error) => rollbackError);
      broken ??= failed;
    }
    throw isNotOpened(err) ? new TransactionLeftError('the transaction was ended before its commit, by a statement run in it; what was still open was rolled back', [], { cause: err }) : err;
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
    client.release(broken ?? false);
  }
}

/** Sends `text` (with PROBE and RESET_SESSION); an Error when the connection must not be reused. */
async function endUntrusted(client: pg.PoolClient, text: string): Promise<Error | undefined> {
  const results = (await client.query(text)) as unknown as pg.QueryResult<{ prepared?: boolean }>[];
  const prepared = results.some((r) => r.rows[0]?.prepared === true);
  return prepared ? new Error('a statement left a prepared statement in the session: connection closed') : undefined;
}

function isNotOpened(err: unknown): boolean {
  return (err as { code?: unknown }).code === '22P02' && err instanceof Error && err.message.includes(NOT_OPENED);
}
