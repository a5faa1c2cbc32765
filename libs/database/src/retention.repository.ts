import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DELIVERY } from './forward-deliveries.repository.js';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';

/** What is older than its cutoff goes; a category without one is kept. */
export interface PurgeCutoffs {
  /** processed and ignored events: their body and payload. */
  events?: Date;
  /** dead-lettered events: their body and payload (they can no longer be replayed). */
  deadLettered?: Date;
  /** delivered and dead-lettered forward deliveries: the rows. */
  deliveries?: Date;
  /** signed-but-invalid bodies (invalid_webhooks) and deliveries refused for their signature (rejected_deliveries): the rows. */
  invalid?: Date;
}

export type PurgeCounts = Record<keyof PurgeCutoffs, number>;
export const PURGE_CATEGORIES = ['events', 'deadLettered', 'deliveries', 'invalid'] as const satisfies ReadonlyArray<
  keyof PurgeCutoffs
>;

// Each statement handles one batch, oldest first, skipping rows another purge (or the worker) holds:
// short transactions and short locks, whatever the backlog. An event keeps its row (id, type,
// merchant, status, timestamps): a redelivery is still a duplicate, and it is never applied again.
const PURGE_EVENTS = statement<{ statuses: string[]; before: Date; limit: number }, { event_id: string }>(
  'purge-event-bodies',
  `
  UPDATE webhook_events AS w SET raw_body = ''::bytea, payload = 'null'::jsonb, purged_at = now(), updated_at = now()
  FROM (
    SELECT event_id FROM webhook_events
    WHERE purged_at IS NULL AND status = ANY(:statuses::webhook_event_status[]) AND received_at < :before
    ORDER BY received_at LIMIT :limit FOR UPDATE SKIP LOCKED
  ) AS batch
  WHERE w.event_id = batch.event_id
  RETURNING w.event_id`,
);

const COUNT_EVENTS = statement<{ statuses: string[]; before: Date }, { n: number }>(
  'count-purgeable-events',
  `
  SELECT count(*)::int AS n FROM webhook_events WHERE purged_at IS NULL AND status = ANY(:statuses::webhook_event_status[]) AND received_at < :before`,
);

const DELETE_DELIVERIES = statement<{ before: Date; limit: number }>(
  'purge-deliveries',
  `
  DELETE FROM forward_deliveries WHERE id IN (
    SELECT id FROM forward_deliveries WHERE status <> '${DELIVERY.pending}' AND created_at < :before
    ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED)`,
);

const COUNT_DELIVERIES = statement<{ before: Date }, { n: number }>(
  'count-purgeable-deliveries',
  `
  SELECT count(*)::int AS n FROM forward_deliveries WHERE status <> '${DELIVERY.pending}' AND created_at < :before`,
);

const DELETE_INVALID = statement<{ before: Date; limit: number }>(
  'purge-invalid-webhooks',
  `
  DELETE FROM invalid_webhooks WHERE id IN (
    SELECT id FROM invalid_webhooks WHERE last_received_at < :before ORDER BY last_received_at LIMIT :limit FOR UPDATE SKIP LOCKED)`,
);

const COUNT_INVALID = statement<{ before: Date }, { n: number }>(
  'count-purgeable-invalid',
  'SELECT count(*)::int AS n FROM invalid_webhooks WHERE last_received_at < :before',
);

const DELETE_REJECTED = statement<{ before: Date; limit: number }>(
  'purge-rejected-deliveries',
  `
  DELETE FROM rejected_deliveries WHERE id IN (
    SELECT id FROM rejected_deliveries WHERE received_at < :before ORDER BY received_at LIMIT :limit FOR UPDATE SKIP LOCKED)`,
);

const COUNT_REJECTED = statement<{ before: Date }, { n: number }>(
  'count-purgeable-rejected',
  'SELECT count(*)::int AS n FROM rejected_deliveries WHERE received_at < :before',
);

const FINISHED = [STATUS.processed, STATUS.ignored];
const DEAD = [STATUS.dead_lettered];

@Injectable()
export class RetentionRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /**
   * One batch of each category (up to `limit` rows each); resolves with how many went, and which
   * dead-lettered events lost their body (their dead-letter entries in Redis go with it).
   */
  async purgeBatch(cutoffs: PurgeCutoffs, limit: number): Promise<{ counts: PurgeCounts; deadLettered: string[] }> {
    const run = async (before: Date | undefined, query: (before: Date) => Promise<pg.QueryResult>) =>
      before ? ((await query(before)).rowCount ?? 0) : 0;
    const dead = cutoffs.deadLettered
      ? (await PURGE_EVENTS.run(this.pool, { statuses: DEAD, before: cutoffs.deadLettered, limit })).rows.map(
          (r) => r.event_id,
        )
      : [];
    return {
      counts: {
        events: await run(cutoffs.events, (before) =>
          PURGE_EVENTS.run(this.pool, { statuses: FINISHED, before, limit }),
        ),
        deadLettered: dead.length,
        deliveries: await run(cutoffs.deliveries, (before) => DELETE_DELIVERIES.run(this.pool, { before, limit })),
        invalid:
          (await run(cutoffs.invalid, (before) => DELETE_INVALID.run(this.pool, { before, limit }))) +
          (await run(cutoffs.invalid, (before) => DELETE_REJECTED.run(this.pool, { before, limit }))),
      },
      deadLettered: dead,
    };
  }

  /** What a purge would remove (a dry run). */
  async count(cutoffs: PurgeCutoffs): Promise<PurgeCounts> {
    const run = async (before: Date | undefined, query: (before: Date) => Promise<pg.QueryResult<{ n: number }>>) =>
      before ? ((await query(before)).rows[0]?.n ?? 0) : 0;
    return {
      events: await run(cutoffs.events, (before) => COUNT_EVENTS.run(this.pool, { statuses: FINISHED, before })),
      deadLettered: await run(cutoffs.deadLettered, (before) =>
        COUNT_EVENTS.run(this.pool, { statuses: DEAD, before }),
      ),
      deliveries: await run(cutoffs.deliveries, (before) => COUNT_DELIVERIES.run(this.pool, { before })),
      invalid:
        (await run(cutoffs.invalid, (before) => COUNT_INVALID.run(this.pool, { before }))) +
        (await run(cutoffs.invalid, (before) => COUNT_REJECTED.run(this.pool, { before }))),
    };
  }
}
