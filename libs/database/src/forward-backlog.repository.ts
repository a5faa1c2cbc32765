import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { FORWARD_QUEUE_PREFIX } from '@app/queue';
import { DELIVERY, isDeliveryId } from './forward-deliveries.repository.js';
import type { ForwardDeliveryStatus } from './generated/prisma/enums.js';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';

// The operators' side of forward_deliveries: what waits, per destination, made due at once
// (retry-now, resume), and replays of dead letters. The forwarder's own side (an attempt's
// record, the sweep) is ForwardDeliveriesRepository's.

// Due now (retry-now, a destination back up or resumed): its job, when it runs, sends it at once.
const MAKE_DUE = statement<{ destinations: string[]; ids: string[] | null }>(
  'make-deliveries-due',
  `
  UPDATE forward_deliveries SET next_attempt_at = now(), updated_at = now()
  WHERE destination = ANY(:destinations::text[]) AND status = '${DELIVERY.pending}' AND (:ids::bigint[] IS NULL OR id = ANY(:ids::bigint[]))
    AND next_attempt_at > now()`,
);

const PENDING_DESTINATIONS = statement<{ ids: string[] }, { id: string; destination: string }>(
  'pending-delivery-destinations',
  `
  SELECT id::text, destination FROM forward_deliveries WHERE id = ANY(:ids::bigint[]) AND status = '${DELIVERY.pending}'`,
);

// A replayed delivery starts a fresh schedule, under a job id of its own (the replay count is part of it).
const RESET_FOR_REPLAY = statement<{ ids: string[]; queue_prefix: string }, { id: string }>(
  'reset-delivery-for-replay',
  `
  WITH reset AS (
    UPDATE forward_deliveries
    SET status = '${DELIVERY.pending}', attempts = 0, next_attempt_at = NULL, first_attempt_at = NULL, dead_lettered_at = NULL,
        replay_count = replay_count + 1, updated_at = now()
    WHERE id = ANY(:ids::bigint[]) AND status = '${DELIVERY.dead_lettered}'
    RETURNING id, destination, replay_count
  ), jobs AS (
    INSERT INTO job_outbox (queue, ref, generation)
    SELECT :queue_prefix || destination, id::text, replay_count FROM reset
    ON CONFLICT (queue, ref) DO UPDATE SET generation = GREATEST(job_outbox.generation, EXCLUDED.generation)
  )
  SELECT id::text FROM reset`,
);

const STATUSES_OF = statement<{ ids: string[] }, { id: string; status: ForwardDeliveryStatus }>(
  'delivery-statuses',
  `
  SELECT id::text, status FROM forward_deliveries WHERE id = ANY(:ids::bigint[])`,
);

const DEAD_LETTERED_OF = statement<{ destination: string; limit: number }, { id: string }>(
  'dead-lettered-deliveries',
  `
  SELECT id::text FROM forward_deliveries
  WHERE destination = :destination AND status = '${DELIVERY.dead_lettered}' ORDER BY created_at LIMIT :limit`,
);

// Per destination, so that it reads (destination, status, created_at) and not the whole table.
const BACKLOG = statement<{ destinations: string[] }, { destination: string; pending: number }>(
  'delivery-backlog',
  `
  SELECT destination, count(*)::int AS pending FROM forward_deliveries
  WHERE destination = ANY(:destinations::text[]) AND status = '${DELIVERY.pending}' GROUP BY destination`,
);

// Every destination with pending deliveries, those removed from the file included.
const PENDING_BY_DESTINATION = statement<Record<string, never>, { destination: string; pending: number }>(
  'pending-deliveries-by-destination',
  `
  SELECT destination, count(*)::int AS pending FROM forward_deliveries WHERE status = '${DELIVERY.pending}' GROUP BY destination`,
);

@Injectable()
export class ForwardBacklogRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Pending deliveries of these destinations (all, or only `ids`) due now; resolves with how many were waiting. */
  async makeDue(destinations: readonly string[], ids: readonly string[] | null = null): Promise<number> {
    const { rowCount } = await MAKE_DUE.run(this.pool, {
      destinations: [...destinations],
      ids: ids ? ids.filter(isDeliveryId) : null,
    });
    return rowCount ?? 0;
  }

  /** The destination of each of these deliveries that is pending. */
  async pendingDestinations(ids: readonly string[]): Promise<Map<string, string>> {
    const valid = ids.filter(isDeliveryId);
    if (valid.length === 0) return new Map();
    const { rows } = await PENDING_DESTINATIONS.run(this.pool, { ids: valid });
    return new Map(rows.map((r) => [r.id, r.destination]));
  }

  /** Dead-lettered deliveries back to pending with a new job each; resolves with those reset. */
  async resetForReplay(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await RESET_FOR_REPLAY.run(this.pool, { ids: [...ids], queue_prefix: FORWARD_QUEUE_PREFIX });
    return rows.map((r) => r.id);
  }

  /** The status of each of these deliveries that exists. */
  async statusesOf(ids: readonly string[]): Promise<Map<string, ForwardDeliveryStatus>> {
    const valid = ids.filter(isDeliveryId);
    if (valid.length === 0) return new Map();
    const { rows } = await STATUSES_OF.run(this.pool, { ids: valid });
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  async deadLetteredOf(destination: string, limit = 10_000): Promise<string[]> {
    const { rows } = await DEAD_LETTERED_OF.run(this.pool, { destination, limit });
    return rows.map((r) => r.id);
  }

  /** Pending deliveries of every destination that has some. */
  async pendingByDestination(): Promise<Map<string, number>> {
    const { rows } = await PENDING_BY_DESTINATION.run(this.pool, {});
    return new Map(rows.map((r) => [r.destination, r.pending]));
  }

  /** Pending deliveries per destination (for the backlog metric). */
  async backlog(destinations: readonly string[]): Promise<Array<{ destination: string; pending: number }>> {
    const { rows } = await BACKLOG.run(this.pool, { destinations: [...destinations] });
    return rows;
  }
}
