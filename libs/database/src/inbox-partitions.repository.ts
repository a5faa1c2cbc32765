import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';
import { inTransaction } from './transaction.js';

/** One partition of the inbox (webhook_events): a month, the legacy table, or the default. */
export interface InboxPartition {
  name: string;
  /** Null for the legacy partition's lower end (MINVALUE) and for the default partition. */
  from: Date | null;
  /** Null for the default partition. */
  to: Date | null;
}

// The functions live in the migration (20261211000000_partitioned_inbox), beside the table they shape.
const MAKE_PARTITIONS = statement<{ first: Date; months: number }, { made: number }>(
  'make-inbox-partitions',
  'SELECT webhook_events_make_partitions(:first::timestamptz, :months::int) AS made',
);

// A drop waits at most this long for its lock on webhook_events (a long query holds it): every
// query of the inbox queues behind a waiting drop, so it gives up quickly and the next pass retries.
const DROP_LOCK_TIMEOUT = statement('drop-lock-timeout', "SET LOCAL lock_timeout = '1s'");

const DROP_EXPIRED = statement<{ before: Date }, { name: string }>(
  'drop-expired-inbox-partitions',
  'SELECT webhook_events_drop_expired(:before::timestamptz) AS name',
);

const LIST = statement<Record<string, never>, { name: string; from: Date | null; to: Date | null }>(
  'list-inbox-partitions',
  `
  SELECT c.relname AS name,
    substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \\(''([^'']+)''\\)')::timestamptz AS "from",
    substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)')::timestamptz AS "to"
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'webhook_events'::regclass
  ORDER BY "to" NULLS LAST, c.relname`,
);

/** The inbox's monthly partitions: made ahead by the worker, dropped whole by retention (docs/SCALING.md). */
@Injectable()
export class InboxPartitionsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Makes the partitions of `months` months from the one `first` falls in (UTC); resolves with how many were missing. */
  async makePartitions(first: Date, months: number): Promise<number> {
    const { rows } = await MAKE_PARTITIONS.run(this.pool, { first, months });
    return rows[0]?.made ?? 0;
  }

  /** Drops the partitions that ended before `before` and hold no body left to purge; resolves with their names. */
  dropExpired(before: Date): Promise<string[]> {
    return inTransaction(this.pool, async (client) => {
      await DROP_LOCK_TIMEOUT.run(client, {});
      const { rows } = await DROP_EXPIRED.run(client, { before });
      return rows.map((r) => r.name);
    });
  }

  async list(): Promise<InboxPartition[]> {
    const { rows } = await LIST.run(this.pool, {});
    return rows;
  }
}
