import type pg from 'pg';
import { BatchFailedError, EventBatches } from './group-commit.js';
import { statement } from './sql.js';
import type { EventTransaction } from './transaction.js';

const CLAIM = statement<{ id: string }>('claim', 'INSERT INTO claims VALUES (:id)');
const FINISH = statement<{ id: string }>('finish', 'UPDATE events SET done WHERE id = :id');

/** A pool of fake connections: each records what it was sent; `failOn` makes a text fail. */
function fakePool(failOn: (text: string) => boolean = () => false) {
  const sent: string[][] = [];
  const released: Array<boolean | Error | undefined> = [];
  let gate: Promise<void> = Promise.resolve();
  const pool = {
    connect: async () => {
      await gate;
      const log: string[] = [];
      sent.push(log);
      return {
        processID: 1,
        on: () => undefined,
        off: () => undefined,
        release: (err?: boolean | Error) => released.push(err),
        query: async (q: string | pg.QueryConfig) => {
          const text = typeof q === 'string' ? q : q.text;
          log.push(typeof q === 'string' ? q : `${q.name}(${String(q.values)})`);
          if (failOn(text)) throw Object.assign(new Error(`failed: ${text.slice(0, 20)}`), { code: '40001' });
          if (text.startsWith('BEGIN')) return [{ rows: [] }, { rows: [{ xid: '7' }] }, { rows: [] }];
          const parts = text.split(';').length;
          return parts > 1
            ? Array.from({ length: parts }, (_, i) => ({ rows: [], command: i === parts - 1 ? 'COMMIT' : 'X' }))
            : { rows: [], command: text };
        },
      };
    },
    query: async () => ({ rows: [] }),
  };
  return {
    pool: pool as unknown as pg.Pool,
    sent,
    released,
    hold: () => {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return () => open();
    },
  };
}

/** An event's work as the use case's: its claim, then its FINISH ridden with the end. */
const work =
  (id: string, fail = false) =>
  async (tx: EventTransaction) => {
    await tx.run(CLAIM, { id });
    if (fail) throw new Error(`handler of ${id} failed`);
    tx.runBeforeCommit(FINISH, { id });
    return id;
  };

describe('EventBatches', () => {
  /**
   * `a` and `b` hold both lanes (each inside its work) while `ids` queue; once `a` is let go, its
   * transaction takes the queued events one after the other (pull): a, then `ids`, in one batch.
   */
  async function batchOf(f: ReturnType<typeof fakePool>, ids: Array<[string, boolean]>) {
    const batches = new EventBatches(f.pool, { maxBatch: 16, slowMs: 60_000, poolSize: 10 });
    const gate = () => {
      let open!: () => void;
      const closed = new Promise<void>((resolve) => (open = resolve));
      return { closed, open };
    };
    const [a, b] = [gate(), gate()];
    const held = (id: string, until: Promise<void>) => async (tx: EventTransaction) => {
      await tx.run(CLAIM, { id });
      await until;
      tx.runBeforeCommit(FINISH, { id });
      return id;
    };
    const first = [batches.apply('a', 1000, held('a', a.closed)), batches.apply('b', 1000, held('b', b.closed))];
    const together = ids.map(([id, fail]) => batches.apply(id, 1000, work(id, fail)));
    a.open();
    const results = await Promise.allSettled(together);
    b.open();
    await Promise.allSettled(first);
    return results;
  }

  it('applies the events waiting in the next transaction ready for them, each in its savepoint, FINISH with the release', async () => {
    const f = fakePool();
    const results = await batchOf(f, [
      ['c', false],
      ['d', false],
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual(['c', 'd']);
    expect(f.sent[0]).toEqual([
      'BEGIN; SELECT pg_catalog.pg_current_xact_id()::text AS xid; SAVEPOINT event',
      'claim(a)',
      "UPDATE events SET done WHERE id = 'a';\nRELEASE SAVEPOINT event; SAVEPOINT event",
      'claim(c)',
      "UPDATE events SET done WHERE id = 'c';\nRELEASE SAVEPOINT event; SAVEPOINT event",
      'claim(d)',
      "UPDATE events SET done WHERE id = 'd';\nRELEASE SAVEPOINT event; COMMIT",
    ]);
  });

  it('rolls a failing event back to its savepoint alone; the others commit', async () => {
    const f = fakePool();
    const [c, d, e] = await batchOf(f, [
      ['c', false],
      ['d', true],
      ['e', false],
    ]);
    expect(c).toEqual({ status: 'fulfilled', value: 'c' });
    expect(d).toMatchObject({ status: 'rejected', reason: { message: 'handler of d failed' } });
    expect(e).toEqual({ status: 'fulfilled', value: 'e' });
    expect(f.sent[0]).toContain('ROLLBACK TO SAVEPOINT event');
    expect(f.sent[0]!.at(-1)).toContain('COMMIT');
  });

  it('a last event that fails leaves the COMMIT to the batch', async () => {
    const f = fakePool((text) => text.includes("id = 'd'"));
    const [c, d] = await batchOf(f, [
      ['c', false],
      ['d', false],
    ]);
    expect(c).toEqual({ status: 'fulfilled', value: 'c' });
    expect(d?.status).toBe('rejected');
    expect(f.sent[0]!.slice(-2)).toEqual(['ROLLBACK TO SAVEPOINT event', 'COMMIT']);
  });

  it("after a handler's SQL: the transaction checked, deferred constraints checked and the session reset, in its savepoint", async () => {
    const f = fakePool();
    const batches = new EventBatches(f.pool, { maxBatch: 16, slowMs: 60_000, poolSize: 10 });
    await batches.apply('c', 1000, async (tx) => {
      await tx.sqlFor('team')('SELECT 1');
      tx.runBeforeCommit(FINISH, { id: 'c' });
    });
    const end = f.sent[0]!.at(-1)!;
    expect(end).toMatch(/pg_current_xact_id\(\) = '7'/);
    expect(end.indexOf('SET CONSTRAINTS ALL IMMEDIATE')).toBeLessThan(end.indexOf("id = 'c'"));
    expect(end).toMatch(/RESET ALL.*RELEASE SAVEPOINT event; COMMIT$/s);
  });

  it('when the COMMIT fails, every event of the batch fails, transient, and the connection is not reused', async () => {
    const f = fakePool((text) => text.endsWith('COMMIT') || text.startsWith('ROLLBACK TO'));
    const results = await batchOf(f, [
      ['c', false],
      ['d', false],
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as BatchFailedError;
      expect(reason).toBeInstanceOf(BatchFailedError);
      expect((reason as { permanent?: boolean }).permanent).toBeUndefined();
    }
    expect(f.released[0]).toBeInstanceOf(Error);
  });
});
