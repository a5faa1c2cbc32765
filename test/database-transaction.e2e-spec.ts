import {
  CommitRolledBackError,
  EventTransactions,
  TransactionLeftError,
  TransactionOverError,
  createPgPool,
  inTransaction,
  statement,
  type EventTransaction,
} from '@app/database';

// A claim as the worker's (event_claims' key), and what a handler's statement could do were ctx.sql not to refuse it.
const CLAIM = statement<{ event_id: string }>('test-claim', 'INSERT INTO event_claims (event_id) VALUES (:event_id)');
const ROLLBACK = statement<Record<string, never>>('test-rollback', 'ROLLBACK');
const BEGIN = statement<Record<string, never>>('test-begin', 'BEGIN');
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('inTransaction', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('transaction');
    await db.query('CREATE TABLE t (n int)');
    // Inbox rows for the events the apply transactions below claim.
    await db.query(
      `INSERT INTO webhook_events (event_id, event_type, signature_algorithm, raw_body, payload)
      SELECT id, 'payment.updated', 'hmac-sha256', '\\x7b7d'::bytea, '{}'::jsonb FROM unnest($1::text[]) AS id`,
      [['e-escape', 'e-session', 'e-session-failed', 'e-prepared']],
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('commits, or rolls back when the work throws', async () => {
    const pool = createPgPool({ url: db.url, poolSize: 2 });
    await inTransaction(pool, (c) => c.query('INSERT INTO t VALUES (1)'));
    await expect(
      inTransaction(pool, async (c) => {
        await c.query('INSERT INTO t VALUES (2)');
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await db.query('SELECT n FROM t ORDER BY n')).toEqual([{ n: 1 }]);
    await pool.end();
  });

  it('survives its connection being terminated while it waits between statements, and the pool goes on', async () => {
    const pool = createPgPool({ url: db.url, poolSize: 1 });
    await expect(
      inTransaction(pool, async (c) => {
        const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await new Promise((r) => setTimeout(r, 300)); // e.g. waiting on Redis: the 'error' arrives now
        await c.query('INSERT INTO t VALUES (3)');
      }),
    ).rejects.toThrow();
    // The broken connection was dropped, not returned: the one-connection pool still works.
    expect((await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    expect(await db.query('SELECT n FROM t WHERE n = 3')).toEqual([]);
    await pool.end();
  });

  it('a handler still running after its transaction timed out cannot write, inside it or outside', async () => {
    const pool = createPgPool({ url: db.url, poolSize: 2 });
    const applies = new EventTransactions(pool);
    let zombie: EventTransaction | undefined;
    await expect(
      applies.inEventTransaction('e-late', 200, async (tx) => {
        zombie = tx;
        await new Promise(() => undefined); // ignores the deadline
      }),
    ).rejects.toThrow('transaction not done within 200 ms');
    await expect(zombie!.sqlFor('late')('INSERT INTO t VALUES (4)')).rejects.toBeInstanceOf(TransactionOverError);
    expect(await db.query('SELECT n FROM t WHERE n = 4')).toEqual([]);
    await pool.end();
  });

  it('a failed statement whose error was caught: COMMIT answers ROLLBACK, and the transaction fails instead of passing for committed', async () => {
    const pool = createPgPool({ url: db.url, poolSize: 1 });
    await expect(
      inTransaction(pool, async (c) => {
        await c.query('INSERT INTO t VALUES (5)');
        await c.query('SELECT 1/0').catch(() => undefined);
      }),
    ).rejects.toBeInstanceOf(CommitRolledBackError);
    expect(await db.query('SELECT n FROM t WHERE n = 5')).toEqual([]);
    await pool.end();
  });

  // ctx.sql refuses the statements that end a transaction (handler-sql.spec.ts); were one to get
  // through, the commit would still find out. Here one does, through the repository's own run().
  it("a transaction left and another begun by a handler's statements: the commit finds it, and nothing after the escape commits", async () => {
    const pool = createPgPool({ url: db.url, poolSize: 1 });
    const applies = new EventTransactions(pool);
    const escape = applies.inEventTransaction('e-escape', 10_000, async (tx) => {
      await tx.run(CLAIM, { event_id: 'e-escape' });
      await tx.sqlFor('escaper')('INSERT INTO t VALUES (6)');
      await tx.run(ROLLBACK, {});
      await tx.run(BEGIN, {});
      await tx.sqlFor('escaper')('INSERT INTO t VALUES (7)');
    });
    await expect(escape).rejects.toBeInstanceOf(TransactionLeftError);
    await expect(escape).rejects.toMatchObject({
      culprits: ['escaper'],
      message: expect.stringMatching(/^the transaction was ended before its commit/),
    });
    expect(await db.query('SELECT n FROM t WHERE n IN (6, 7)')).toEqual([]);
    expect(await db.query("SELECT 1 FROM event_claims WHERE event_id = 'e-escape'")).toEqual([]);
    await pool.end();
  });

  it("what a handler's statements leave in the session is undone before its connection goes back to the pool, or the connection is closed", async () => {
    const pool = createPgPool({ url: db.url, poolSize: 1 });
    const applies = new EventTransactions(pool);
    const session = async () =>
      (
        await pool.query<{ pid: number; path: string; who: string; timeout: string; prepared: number; locks: number }>(`
      SELECT pg_backend_pid() AS pid, current_setting('search_path') AS path, current_user AS who, current_setting('statement_timeout') AS timeout,
        (SELECT count(*)::int FROM pg_prepared_statements WHERE from_sql) AS prepared,
        (SELECT count(*)::int FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory') AS locks`)
      ).rows[0]!;
    const before = await session();
    const apply = (id: string, statements: string[]) =>
      applies.inEventTransaction(id, 10_000, async (tx) => {
        await tx.run(CLAIM, { event_id: id });
        for (const text of statements) await tx.sqlFor('sloppy')(text);
      });
    await apply('e-session', [
      "SELECT set_config('search_path', 'pg_catalog', false)",
      "SELECT set_config('statement_timeout', '1234', false)",
      'SELECT pg_advisory_lock(4242)',
      'CREATE TEMP TABLE left_behind (n int)',
      "DO $$ BEGIN EXECUTE 'SET ROLE pg_monitor'; END $$",
    ]);
    expect(await session()).toEqual(before); // the same connection, as it was
    // A failed event: rolled back, and the same is undone.
    await expect(apply('e-session-failed', ['SELECT pg_advisory_lock(4243)', 'SELECT 1/0'])).rejects.toThrow(
      'division by zero',
    );
    expect(await session()).toEqual(before);
    // A statement prepared by the handler cannot be told from pg's own: the connection is closed.
    await apply('e-prepared', ["DO $$ BEGIN EXECUTE 'PREPARE sneaky AS SELECT 1'; END $$"]);
    const after = await session();
    expect(after).toEqual({ ...before, pid: after.pid });
    expect(after.pid).not.toBe(before.pid);
    await pool.end();
  });
});
