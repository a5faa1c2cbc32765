import { EventApplyRepository, TransactionOverError, createPgPool, inTransaction, type ApplyTransaction } from '@app/database';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

describe('inTransaction', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('transaction');
    await db.query('CREATE TABLE t (n int)');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('commits, or rolls back when the work throws', async () => {
    const pool = createPgPool({ url: db.url, poolSize: 2 });
    await inTransaction(pool, (c) => c.query('INSERT INTO t VALUES (1)'));
    await expect(inTransaction(pool, async (c) => {
      await c.query('INSERT INTO t VALUES (2)');
      throw new Error('handler failed');
    })).rejects.toThrow('handler failed');
    expect(await db.query('SELECT n FROM t ORDER BY n')).toEqual([{ n: 1 }]);
    await pool.end();
  });

  it('survives its connection being terminated while it waits between statements, and the pool goes on', async () => {
    const pool = createPgPool({ url: db.url, poolSize: 1 });
    await expect(inTransaction(pool, async (c) => {
      const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await new Promise((r) => setTimeout(r, 300)); // e.g. waiting on Redis: the 'error' arrives now
      await c.query('INSERT INTO t VALUES (3)');
    })).rejects.toThrow();
    // The broken connection was dropped, not returned: the one-connection pool still works.
    expect((await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    expect(await db.query('SELECT n FROM t WHERE n = 3')).toEqual([]);
    await pool.end();
  });

  it('a handler still running after its transaction timed out cannot write, inside it or outside', async () => {
    const pool = createPgPool({ url: db.url, poolSize: 2 });
    const applies = new EventApplyRepository(pool);
    let zombie: ApplyTransaction | undefined;
    await expect(applies.inApplyTransaction('e-late', 200, async (tx) => {
      zombie = tx;
      await new Promise(() => undefined); // ignores the deadline
    })).rejects.toThrow('transaction not done within 200 ms');
    await expect(zombie!.sql('INSERT INTO t VALUES (4)')).rejects.toBeInstanceOf(TransactionOverError);
    expect(await db.query('SELECT n FROM t WHERE n = 4')).toEqual([]);
    await pool.end();
  });
});
