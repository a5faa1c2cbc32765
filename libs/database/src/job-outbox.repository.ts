import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';
import { inTransaction } from './transaction.js';

/** A job waiting in job_outbox: the queue it goes to and the id it carries. */
export interface OutboxJob {
  queue: string;
  ref: string;
  /** Replay count of what the job is about; part of the BullMQ job id. */
  generation: number;
}

// The oldest jobs of the queues the caller knows that no other relay is taking right now, removed
// as they are read. The DELETE only commits once the caller has put them in Redis. Jobs of a queue
// no relay knows (a destination removed from the configuration) wait, without holding up the rest.
const TAKE_JOBS = statement<{ limit: number; queues: string[] }, OutboxJob>(
  'take-outbox-jobs',
  `
  DELETE FROM job_outbox
  WHERE (queue, ref) IN (
    SELECT queue, ref FROM job_outbox WHERE queue = ANY(:queues::text[])
    ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED
  )
  RETURNING queue, ref, generation`,
);
const COUNT_JOBS = statement<Record<string, never>, { n: number }>(
  'count-outbox-jobs',
  'SELECT count(*)::int AS n FROM job_outbox',
);

@Injectable()
export class JobOutboxRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * Takes up to `limit` jobs, oldest first, and gives them to `send`, in one transaction: they are
   * deleted only when `send` resolves, so a crash or a failed send leaves them for the next pass
   * (sending one twice is harmless: BullMQ drops a job id it already has). Rows another relay holds
   * are skipped, so several workers relay side by side. Resolves with the number of jobs sent.
   */
  async relay(limit: number, queues: readonly string[], send: (jobs: OutboxJob[]) => Promise<void>): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await TAKE_JOBS.run(client, { limit, queues: [...queues] });
      if (rows.length > 0) await send(rows);
      return rows.length;
    });
  }

  /** How many jobs wait to be relayed (for the relay's log and the tests). */
  async pending(): Promise<number> {
    const { rows } = await COUNT_JOBS.run(this.pool, {});
    return rows[0]!.n;
  }
}
