import { Inject, Injectable, Optional } from '@nestjs/common';
import type pg from 'pg';
import { TimeoutError } from '@app/timeouts';
import { handlerSql, type HandlerSql } from './handler-sql.js';
import { PG_POOL } from './pg-pool.js';
import type { Statement } from './sql.js';
import { traceTransaction } from '@app/tracing';
import type { EventBatches } from './group-commit.js';

/** The group commit of event transactions (EventBatches), when SQUARE_EVENT_BATCH_MAX > 1. */
export const EVENT_BATCHES = Symbol('EVENT_BATCHES');

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
   * Set when code the caller does not own may run statements in the transaction (a handler's
   * ctx.sql): BEGIN then reads the transaction's id (pg_current_xact_id(), in BEGIN's own round
   * trip), and this is asked once `work` is done: who ran such statements (empty: nobody). When
   * someone did, the commit checks it is still that transaction, and puts the connection's
   * session back as the pool hands it out — in COMMIT's own round trip; a transaction left is a
   * TransactionLeftError naming them.
   */
  untrusted?: () => readonly string[];
  /**
   * Asked once `work` is done: SQL sent in COMMIT's own message, ahead of it (one round trip
   * fewer); when it fails, nothing commits.
   */
  beforeCommit?: () => string | undefined;
}

// Whatever a statement may leave in a session past its transaction, undone as DISCARD ALL does,
// but for DEALLOCATE ALL and DISCARD PLANS: pg keeps its own statements prepared per connection
// (sql.ts). PROBE releases session advisory locks and says whether a statement was PREPAREd by
// SQL (a DO block can): then the connection is closed instead of returned. Cost, only for an
// event whose handlers ran SQL, with the check below, measured through the apply transaction of the time (claim
// and one handler INSERT, 2000 events × 4, pool of 1, the 2-core development machine under load):
// Postgres CPU 0.51 → 0.64 ms per event, the worker's 0.39 → 0.44 ms; no extra round trip, wall
// time within noise. The pg_prepared_statements check is ~35 µs of Postgres' part.
export const PROBE =
  'pg_catalog.pg_advisory_unlock_all() AS unlocked, EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE from_sql) AS prepared';
export const RESET_SESSION = 'CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; UNLISTEN *; DISCARD TEMP';

// Fails (so that the COMMIT after it, in the same message, is never run) unless the transaction
// is still the one whose id was read at its start; an aborted transaction fails it too.
const NOT_OPENED = 'not the transaction opened';
/** The check (and `before`, and the session's reset), ahead of what ends the event's part: COMMIT, or a savepoint's release. */
export const checked = (xid: string, before: string) => `
  SELECT (CASE WHEN pg_catalog.pg_current_xact_id() = '${xid}'::pg_catalog.xid8 THEN 'true' ELSE '${NOT_OPENED}' END)::boolean AS opened, ${PROBE};
  ${before}${RESET_SESSION}; `;
const commitChecked = (xid: string, before: string) => `${checked(xid, before)}COMMIT`;
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
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  opts: TransactionOptions = {},
): Promise<T> {
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
  const untrusted = () => opts.untrusted?.() ?? [];
  try {
    const xid = opts.untrusted === undefined ? (await client.query('BEGIN'), undefined) : await beginReadingXid(client);
    const result = await Promise.race([work(client), expired]);
    const before = opts.beforeCommit?.();
    const ahead = before === undefined ? '' : `${before};\n`;
    if (xid === undefined || untrusted().length === 0) {
      const answers = (await client.query(`${ahead}COMMIT`)) as unknown as pg.QueryResult | pg.QueryResult[];
      const commit = Array.isArray(answers) ? answers[answers.length - 1] : answers;
      if (commit?.command === 'ROLLBACK')
        throw new CommitRolledBackError(
          'the transaction failed before its commit (an error was caught); nothing of it was committed',
        );
    } else {
      broken = await endUntrusted(client, commitChecked(xid, ahead));
    }
    return result;
  } catch (err) {
    if (!(broken instanceof TimeoutError)) {
      const rollback =
        untrusted().length === 0
          ? client.query('ROLLBACK').then(() => undefined)
          : endUntrusted(client, ROLLBACK_RESET);
      const failed = await rollback.catch((rollbackError: Error) => rollbackError);
      broken ??= failed;
    }
    throw isNotOpened(err)
      ? new TransactionLeftError(
          'the transaction was ended before its commit, by a statement run in it; what was still open was rolled back',
          untrusted(),
          { cause: err },
        )
      : err;
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
    client.release(broken ?? false);
  }
}

/** BEGIN, reading the transaction's id in the same round trip (then `after`, in it too). */
export async function beginReadingXid(client: pg.PoolClient, after = ''): Promise<string> {
  const text = `BEGIN; SELECT pg_catalog.pg_current_xact_id()::text AS xid${after}`;
  const results = (await client.query(text)) as unknown as pg.QueryResult<{ xid?: string }>[];
  const xid = results[1]?.rows[0]?.xid;
  if (xid === undefined || !/^\d+$/.test(xid)) throw new Error(`not a transaction id: ${String(xid)}`);
  return xid;
}

/** Sends `text` (with PROBE and RESET_SESSION); an Error when the connection must not be reused. */
export async function endUntrusted(client: pg.PoolClient, text: string): Promise<Error | undefined> {
  const results = (await client.query(text)) as unknown as pg.QueryResult<{ prepared?: boolean }>[];
  const prepared = results.some((r) => r.rows[0]?.prepared === true);
  return prepared ? new Error('a statement left a prepared statement in the session: connection closed') : undefined;
}

export function isNotOpened(err: unknown): boolean {
  return (err as { code?: unknown }).code === '22P02' && err instanceof Error && err.message.includes(NOT_OPENED);
}

/**
 * One event's transaction, as its owners see it: each runs its own statements (the claim beside
 * the use case, the mirror's upserts beside the mirror, forwarding's beside forwarding) on the
 * transaction's connection. Unusable once the transaction is over (TransactionOverError).
 */
export interface EventTransaction {
  /** Runs `statement` in this transaction; its rows come typed as the statement declared them. */
  run<P extends Record<string, unknown>, R extends pg.QueryResultRow>(
    statement: Statement<P, R>,
    params: P,
  ): Promise<pg.QueryResult<R>>;
  /**
   * ctx.sql of the team's handler `handler`: one statement ($n parameters, not prepared) in this
   * transaction, never one that ends it or changes the session (HandlerSqlRefusedError).
   */
  sqlFor(handler: string): HandlerSql;
  /**
   * Runs `statement` last, in COMMIT's own message (Statement.inline: its values as literals): one
   * round trip fewer for the statement that ends every event's transaction. When it fails, nothing
   * commits and the transaction fails with its error. At most one.
   */
  runBeforeCommit<P extends Record<string, unknown>>(statement: Statement<P, pg.QueryResultRow>, params: P): void;
}

export class TransactionOverError extends Error {
  override name = 'TransactionOverError';
}

/**
 * One event's EventTransaction over `send` (its connection's, refusing once the event is over):
 * `ranSql` collects the team's handlers that ran SQL, `setLast` takes the statement run with the end.
 */
export function eventTransaction(
  eventId: string,
  send: <R>(query: pg.QueryConfig<unknown[]>) => Promise<pg.QueryResult<R & pg.QueryResultRow>>,
  isOver: () => boolean,
  ranSql: Set<string>,
  setLast: (text: string) => void,
): EventTransaction {
  let last: string | undefined;
  return {
    run: <P extends Record<string, unknown>, R extends pg.QueryResultRow>(statement: Statement<P, R>, params: P) =>
      send<R>(statement.bind(params)),
    sqlFor: (handler) => handlerSql(send, () => ranSql.add(handler)),
    runBeforeCommit: (statement, params) => {
      if (isOver()) throw new TransactionOverError(`the transaction of event ${eventId} is over`);
      if (last !== undefined) throw new Error('runBeforeCommit: one statement per transaction');
      last = statement.inline(params);
      setLast(last);
    },
  };
}

/** Opens event transactions on the pool (and runs the odd statement outside one). */
@Injectable()
export class EventTransactions {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    /** Set (SQUARE_EVENT_BATCH_MAX > 1): events ready together share one transaction (group-commit.ts). */
    @Optional() @Inject(EVENT_BATCHES) private readonly batches?: EventBatches,
  ) {}

  /** `statement` on the pool, outside any transaction. */
  query<P extends Record<string, unknown>, R extends pg.QueryResultRow>(
    statement: Statement<P, R>,
    params: P,
  ): Promise<pg.QueryResult<R>> {
    return statement.run(this.pool, params);
  }

  /**
   * `timeoutMs`: past it the transaction fails (TimeoutError) and is rolled back. When a handler's
   * SQL leaves the transaction, the commit finds it and fails with a TransactionLeftError naming
   * the handlers that ran SQL (transaction.ts). With group commit, `work` runs in a savepoint of a
   * transaction shared with other events; what it sees and how it fails are the same.
   */
  async inEventTransaction<T>(
    eventId: string,
    timeoutMs: number,
    work: (tx: EventTransaction) => Promise<T>,
  ): Promise<T> {
    const batches = this.batches;
    // A span around the event's part of its transaction when tracing is on (the handlers' spans are its children).
    if (batches !== undefined) return traceTransaction(eventId, () => batches.apply(eventId, timeoutMs, work));
    let over = false;
    const ranSql = new Set<string>();
    let last: string | undefined;
    try {
      return await traceTransaction(eventId, () =>
        inTransaction(
          this.pool,
          (client) => {
            const send = async <R>(
              query: pg.QueryConfig<unknown[]>,
            ): Promise<pg.QueryResult<R & pg.QueryResultRow>> => {
              // A handler still running after its event was rolled back (it ignored a timeout) must not
              // write outside the transaction, or inside another event's on the same pooled connection.
              if (over) throw new TransactionOverError(`the transaction of event ${eventId} is over`);
              return client.query<R & pg.QueryResultRow>(query);
            };
            return work(
              eventTransaction(
                eventId,
                send,
                () => over,
                ranSql,
                (text) => (last = text),
              ),
            );
          },
          { timeoutMs, untrusted: () => [...ranSql], beforeCommit: () => last },
        ),
      );
    } finally {
      over = true;
    }
  }
}
