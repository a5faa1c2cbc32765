import { AsyncResource } from 'node:async_hooks';
import type pg from 'pg';
import { TimeoutError } from '@app/timeouts';
import { MicroBatcher, type Pull } from './micro-batcher.js';
import { statement } from './sql.js';
import {
  CommitRolledBackError,
  PROBE,
  RESET_SESSION,
  TransactionLeftError,
  TransactionOverError,
  beginReadingXid,
  checked,
  endUntrusted,
  eventTransaction,
  isNotOpened,
  type EventTransaction,
} from './transaction.js';

// Group commit of event transactions. Events whose apply step is reached while earlier batches are
// in flight join the next transaction ready for them, one at a time: one BEGIN and one COMMIT for
// all of them (their fsync, and two round trips), each event in its own savepoint, one after the
// other on the batch's connection.
// An event that fails (its handler, its statement, its time limit) is rolled back to its savepoint
// alone; the others go on and commit. An event's result is given back only once the COMMIT that
// holds it succeeded; a COMMIT that fails fails every event in it (each is retried as alone).
//
// Round trips, per batch: BEGIN with the first SAVEPOINT; per event its own statements, its
// FINISH sent with RELEASE and the next SAVEPOINT; the last event's with the COMMIT. Alone in its
// batch an event costs what it costs without group commit.

/** One savepoint name, reused: after RELEASE the next event's SAVEPOINT takes it; ROLLBACK TO keeps it. */
const NEXT = 'RELEASE SAVEPOINT event; SAVEPOINT event';
const LAST = 'RELEASE SAVEPOINT event; COMMIT';
const ROLLBACK_TO = 'ROLLBACK TO SAVEPOINT event';
const IMMEDIATE = 'SET CONSTRAINTS ALL IMMEDIATE;\n';

// Stops the statement a timed-out event is running on the batch's connection (a lock wait, a
// handler's pg_sleep), from another connection, so that the savepoint can be rolled back.
const CANCEL_BACKEND = statement<{ pid: number }, { cancelled: boolean }>(
  'cancel-backend',
  'SELECT pg_catalog.pg_cancel_backend(:pid) AS cancelled',
);

/** Batches in flight at once: while one waits on its COMMIT, the next one runs (as the ingress' batcher). */
const LANES = 2;

/** An event not applied because its batch's transaction was lost (the connection, a COMMIT failed): retried. */
export class BatchFailedError extends Error {
  override name = 'BatchFailedError';
}

interface Joined {
  eventId: string;
  timeoutMs: number;
  work: (tx: EventTransaction) => Promise<unknown>;
}

/**
 * What one event came to inside its batch, before the COMMIT. `last`: its end was sent with the
 * COMMIT (or would have been, had it not failed): the batch ends with it.
 */
type Step = { ok: true; value: unknown; last: boolean } | { ok: false; error: Error; last: boolean };

/** The transaction itself was lost: nothing uncommitted of the batch can commit. */
class Lost extends Error {}

/** One batch's transaction: its id (for the commit's check), and whether its connection is to be closed after. */
interface Batch {
  client: pg.PoolClient;
  xid: string;
  /** A handler left a statement PREPAREd by SQL in the session: the connection is closed, not reused. */
  closeAfter: boolean;
}

export class EventBatches {
  private readonly batcher: MicroBatcher<Joined, unknown>;

  /**
   * `maxBatch`: events per transaction at most (SQUARE_EVENT_BATCH_MAX). A transaction takes the
   * waiting events one at a time as it goes, so an event never waits behind a slow one it was
   * batched with. `slowMs` (SQUARE_EVENT_BATCH_SLOW_MS): a batch that has run this long takes no
   * further event, and while every batch in flight is this old, events waiting start batches of
   * their own beside them, up to `poolSize` (DATABASE_POOL_SIZE) in all: a slow handler (one that
   * calls a service) holds up only the events of its batch that ran before it, and slow handlers
   * keep as many transactions going as without group commit.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { maxBatch: number; slowMs: number; poolSize: number },
  ) {
    const { maxBatch, slowMs, poolSize } = options;
    this.batcher = new MicroBatcher({
      handle: (items, more) => this.run(items, more),
      maxInFlight: LANES,
      maxBatchSize: maxBatch,
      maxQueued: Number.MAX_SAFE_INTEGER, // bounded by the worker's concurrency
      slowMs,
      pull: true,
      maxSlowInFlight: Math.max(LANES, poolSize),
    });
  }

  /** Runs `work` in a savepoint of the next batch's transaction; resolves once that transaction committed. */
  apply<T>(eventId: string, timeoutMs: number, work: (tx: EventTransaction) => Promise<T>): Promise<T> {
    // The batch runs `work` from another event's async context: bound to this one's (its trace span).
    return this.batcher.submit({ eventId, timeoutMs, work: AsyncResource.bind(work) }) as Promise<T>;
  }

  /**
   * One transaction: its first event, then the events waiting, taken one at a time as it goes
   * (`more`), until none waits, the batch is full or it has run `slowMs`; the last one's FINISH
   * goes with the COMMIT.
   */
  private async run(items: Joined[], more?: Pull<Joined>): Promise<unknown[]> {
    // One per event as it ends; an Error only for one that fails (a stack captured per event was 0.5 % of the worker's CPU).
    const results: unknown[] = [];
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      return items.map(() => batchFailed(err));
    }
    let broken: Error | undefined;
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    const done: Array<{ index: number; value: unknown }> = [];
    let committed = false;
    try {
      const batch: Batch = { client, xid: await beginReadingXid(client, '; SAVEPOINT event'), closeAfter: false };
      const startedAt = Date.now();
      const young = () => Date.now() - startedAt < this.options.slowMs;
      for (let index = 0; ; index++) {
        const item = items[index] ?? (young() ? more?.next() : undefined);
        if (item === undefined) break;
        // Decided when the event's work is done: an event that arrived meanwhile still joins.
        const last = () => index === items.length - 1 && !(young() && more?.waiting());
        const step = await this.applyOne(batch, item, last);
        if (batch.closeAfter)
          broken ??= new Error('a statement left a prepared statement in the session: connection closed');
        if (!step.ok) results[index] = step.error;
        else {
          done.push({ index, value: step.value });
          committed = step.last;
        }
        if (step.last) break; // its COMMIT is sent (or, when it failed, run below)
      }
      if (!committed) {
        const answer = await client.query(done.length > 0 ? 'COMMIT' : 'ROLLBACK');
        if (done.length > 0 && answer.command === 'ROLLBACK')
          throw new CommitRolledBackError('COMMIT answered ROLLBACK');
      }
      for (const { index, value } of done) results[index] = value;
    } catch (err) {
      // Nothing of the batch committed: the events applied and those not yet run fail alike, and are retried.
      broken ??= err instanceof Error ? err : new Error(String(err));
      const failed = batchFailed(err instanceof Lost ? err.cause : err);
      for (const { index } of done) results[index] = failed;
      for (const index of items.keys()) if (!(index in results)) results[index] = failed;
    } finally {
      client.off('error', onError);
      client.release(broken ?? false);
    }
    // Every event taken ran (the loop ends only past the last one), or the catch above failed it.
    return results;
  }

  /**
   * One event in the savepoint opened for it: its work, then its FINISH with the savepoint's
   * release (and the COMMIT when `isLast()` says so once its work is done). A failure is rolled back
   * to the savepoint; Lost when even that fails.
   */
  private async applyOne(batch: Batch, item: Joined, isLast: () => boolean): Promise<Step> {
    const { client, xid } = batch;
    let over = false;
    let finish: string | undefined;
    const ranSql = new Set<string>();
    const inFlight = new Set<Promise<unknown>>();
    const send = async <R>(query: pg.QueryConfig<unknown[]>): Promise<pg.QueryResult<R & pg.QueryResultRow>> => {
      // A handler still running after its event was rolled back (it ignored a timeout) must not
      // write into the events after it in the batch.
      if (over) throw new TransactionOverError(`the transaction of event ${item.eventId} is over`);
      const sent = client.query<R & pg.QueryResultRow>(query);
      inFlight.add(sent);
      void sent.catch(() => undefined).finally(() => inFlight.delete(sent));
      return sent;
    };
    const tx = eventTransaction(
      item.eventId,
      send,
      () => over,
      ranSql,
      (text) => (finish = text),
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(`transaction not done within ${item.timeoutMs} ms`)),
        item.timeoutMs,
      );
    });
    expired.catch(() => undefined);
    let value: unknown;
    try {
      value = await Promise.race([item.work(tx), expired]);
    } catch (err) {
      over = true;
      // A timed-out event's statement may still run (a lock wait): cancel it before rolling back.
      if (err instanceof TimeoutError && inFlight.size > 0) {
        const pid = (client as unknown as { processID?: number }).processID;
        if (pid !== undefined) await CANCEL_BACKEND.run(this.pool, { pid }).catch(() => undefined);
      }
      await Promise.allSettled([...inFlight]);
      await this.rollbackTo(batch, ranSql.size > 0);
      return { ok: false, error: asError(err), last: false };
    } finally {
      clearTimeout(timer);
    }
    over = true;
    const ahead = finish === undefined ? '' : `${finish};\n`;
    // After a handler's SQL: the check that the transaction is still the batch's, its deferred
    // constraints checked now (SET CONSTRAINTS: failing this event, not the batch's COMMIT), and the
    // session reset (RESET ALL ends its SET LOCAL) before the next event.
    const own = ranSql.size > 0 ? checked(xid, `${IMMEDIATE}${ahead}`) : ahead;
    const last = isLast();
    const text = `${own}${last ? LAST : NEXT}`;
    try {
      const answers = (await client.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
      const list = Array.isArray(answers) ? answers : [answers];
      if (list.some((r) => (r.rows[0] as { prepared?: unknown } | undefined)?.prepared === true))
        batch.closeAfter = true;
      if (last && list[list.length - 1]?.command === 'ROLLBACK')
        throw new Lost('COMMIT answered ROLLBACK', { cause: new CommitRolledBackError('COMMIT answered ROLLBACK') });
      return { ok: true, value, last };
    } catch (err) {
      if (err instanceof Lost) throw err;
      // Its FINISH (or the commit's check) failed, or the COMMIT did: the savepoint tells which.
      // Rolled back to its savepoint: the events before it commit without it (run() sends the COMMIT).
      await this.rollbackTo(batch, ranSql.size > 0, err);
      return {
        ok: false,
        error: isNotOpened(err)
          ? new TransactionLeftError(
              'the transaction was ended before its commit, by a statement run in it',
              [...ranSql],
              {
                cause: err,
              },
            )
          : asError(err),
        last,
      };
    }
  }

  private async rollbackTo(batch: Batch, untrusted: boolean, cause?: unknown): Promise<void> {
    try {
      // A handler's session advisory locks and settings go with the event (as ROLLBACK does them alone).
      if (untrusted) {
        const left = await endUntrusted(batch.client, `${ROLLBACK_TO}; SELECT ${PROBE}; ${RESET_SESSION}`);
        if (left !== undefined) batch.closeAfter = true;
      } else await batch.client.query(ROLLBACK_TO);
    } catch (err) {
      throw new Lost('the batch transaction was lost', { cause: cause ?? err });
    }
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function batchFailed(cause: unknown): BatchFailedError {
  return new BatchFailedError(`not committed, with the events of its batch: ${asError(cause).message}`, { cause });
}
