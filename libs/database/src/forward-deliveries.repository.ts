import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { FORWARD_QUEUE_PREFIX } from '@app/queue';
import type { Circuit } from './forward-circuit.js';
import { ForwardDeliveryStatus } from './generated/prisma/enums.js';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';
import { inTransaction } from './transaction.js';
import { ADVISORY_LOCKS } from './locks.js';

export const DELIVERY = ForwardDeliveryStatus;

/** Delivery ids are bigints: anything else names no delivery (and must not reach a ::bigint cast). */
export function isDeliveryId(value: string): boolean {
  return /^[1-9]\d{0,17}$/.test(value);
}

/** A delivery as the forwarder sends it. */
export interface Delivery {
  id: string;
  destination: string;
  eventId: string;
  eventType: string;
  webhookId: string;
  body: string;
  status: ForwardDeliveryStatus;
  attempts: number;
  firstAttemptAt: Date | null;
  /** Its replay count (the generation of its job id). */
  generation: number;
  /** When its own schedule has it tried next (null: now). */
  nextAttemptAt: Date | null;
  /** The trace context stored with its event (traceparent[ tracestate], docs/TRACING.md): its attempts' spans join that trace. */
  traceContext: string | null;
  /** Its destination's circuit, read with it (null before the destination's row exists). */
  circuit: Pick<Circuit, 'state' | 'consecutiveFailures' | 'retryingAt' | 'probeUntil'> | null;
}

/** What an attempt came to: the HTTP status (null: no answer), and what went wrong. */
export interface AttemptResult {
  attempts: number;
  status: number | null;
  error: string | null;
}

const FIND = statement<{ id: string }, FoundRow>(
  'find-delivery',
  `
  SELECT d.id::text, d.destination, d.event_id, d.event_type, d.webhook_id, d.body, d.status, d.attempts, d.first_attempt_at, d.next_attempt_at, d.replay_count,
         c.state, c.consecutive_failures, c.retrying_at, c.probe_until,
         (SELECT w.trace_context FROM webhook_event_ids i JOIN webhook_events w ON w.event_id = i.event_id AND w.received_at = i.received_at
          WHERE i.event_id = d.event_id) AS trace_context
  FROM forward_deliveries d LEFT JOIN forward_destinations c ON c.name = d.destination
  WHERE d.id = :id::bigint`,
);

type FoundRow = {
  id: string;
  destination: string;
  event_id: string;
  event_type: string;
  webhook_id: string;
  body: string;
  status: ForwardDeliveryStatus;
  attempts: number;
  first_attempt_at: Date | null;
  next_attempt_at: Date | null;
  replay_count: number;
  state: Circuit['state'] | null;
  consecutive_failures: number | null;
  retrying_at: Date | null;
  probe_until: Date | null;
  trace_context: string | null;
};

// Every change below applies to a pending delivery only: doing it twice changes nothing.
// Each attempt is also kept in forward_attempts (success rate and latency per destination).
const MARK_DELIVERED = statement<{ id: string; attempts: number; status: number; latency_ms: number }>(
  'mark-delivered',
  `
  WITH marked AS (
    UPDATE forward_deliveries
    SET status = '${DELIVERY.delivered}', attempts = :attempts, last_status = :status, last_error = NULL, next_attempt_at = NULL,
        first_attempt_at = COALESCE(first_attempt_at, now()), delivered_at = now(), updated_at = now()
    WHERE id = :id::bigint AND status = '${DELIVERY.pending}'
    RETURNING id, destination
  )
  INSERT INTO forward_attempts (delivery_id, destination, status_code, latency_ms) SELECT id, destination, :status, :latency_ms FROM marked`,
);

const RECORD_FAILURE = statement<
  {
    id: string;
    attempts: number;
    status: number | null;
    error: string | null;
    next_attempt_at: Date;
    latency_ms: number;
  },
  { first_attempt_at: Date }
>(
  'record-delivery-failure',
  `
  WITH failed AS (
    UPDATE forward_deliveries
    SET attempts = :attempts, last_status = :status, last_error = :error, next_attempt_at = :next_attempt_at,
        first_attempt_at = COALESCE(first_attempt_at, now()), updated_at = now()
    WHERE id = :id::bigint AND status = '${DELIVERY.pending}'
    RETURNING id, destination, first_attempt_at
  ), attempt AS (
    INSERT INTO forward_attempts (delivery_id, destination, status_code, latency_ms, error) SELECT id, destination, :status, :latency_ms, :error FROM failed
  )
  SELECT first_attempt_at FROM failed`,
);

const LABELS = statement<{ ids: string[] }, { id: string; event_id: string; event_type: string }>(
  'delivery-labels',
  `
  SELECT id::text, event_id, event_type FROM forward_deliveries WHERE id = ANY(:ids::bigint[])`,
);

const MARK_DEAD_LETTERED = statement<{ id: string; attempts: number; status: number | null; error: string | null }>(
  'mark-delivery-dead-lettered',
  `
  UPDATE forward_deliveries
  SET status = '${DELIVERY.dead_lettered}', attempts = :attempts, last_status = :status, last_error = :error, next_attempt_at = NULL,
      first_attempt_at = COALESCE(first_attempt_at, now()), dead_lettered_at = now(), updated_at = now()
  WHERE id = :id::bigint AND status = '${DELIVERY.pending}'`,
);

const SWEEP_LOCK_ID = ADVISORY_LOCKS.deliverySweep;

// Pending deliveries whose job should have run by the cutoff but whose delivery has not changed:
// their job may have been lost (Redis restarted without persistence). Those still in the outbox are
// the relay's. Each is claimed at most once per cutoff window (swept_at).
const CLAIM_SWEEP_CANDIDATES = statement<
  { destinations: string[]; cutoff: Date; queue_prefix: string; limit: number },
  { id: string; destination: string; replay_count: number }
>(
  'claim-delivery-sweep-candidates',
  `
  UPDATE forward_deliveries SET swept_at = now()
  WHERE id IN (
    SELECT d.id FROM forward_deliveries d
    WHERE d.destination = ANY(:destinations::text[]) AND d.status = '${DELIVERY.pending}' AND d.created_at < :cutoff
      AND COALESCE(d.next_attempt_at, d.created_at) < :cutoff AND (d.swept_at IS NULL OR d.swept_at < :cutoff)
      AND NOT EXISTS (SELECT 1 FROM job_outbox o WHERE o.queue = :queue_prefix || d.destination AND o.ref = d.id::text)
    ORDER BY d.created_at
    LIMIT :limit
  )
  RETURNING id::text, destination, replay_count`,
);

@Injectable()
export class ForwardDeliveriesRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async find(id: string): Promise<Delivery | null> {
    const { rows } = await FIND.run(this.pool, { id });
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      destination: r.destination,
      eventId: r.event_id,
      eventType: r.event_type,
      webhookId: r.webhook_id,
      body: r.body,
      status: r.status,
      attempts: r.attempts,
      firstAttemptAt: r.first_attempt_at,
      nextAttemptAt: r.next_attempt_at,
      generation: r.replay_count,
      traceContext: r.trace_context,
      circuit:
        r.state === null
          ? null
          : {
              state: r.state,
              consecutiveFailures: r.consecutive_failures ?? 0,
              retryingAt: r.retrying_at,
              probeUntil: r.probe_until,
            },
    };
  }

  async markDelivered(id: string, result: AttemptResult & { status: number }, latencyMs: number): Promise<void> {
    await MARK_DELIVERED.run(this.pool, {
      id,
      attempts: result.attempts,
      status: result.status,
      latency_ms: latencyMs,
    });
  }

  /** Resolves with when the delivery's first attempt was (its retry window counts from there). */
  async recordFailure(id: string, result: AttemptResult, nextAttemptAt: Date, latencyMs: number): Promise<Date | null> {
    const { rows } = await RECORD_FAILURE.run(this.pool, {
      id,
      attempts: result.attempts,
      status: result.status,
      error: result.error,
      next_attempt_at: nextAttemptAt,
      latency_ms: latencyMs,
    });
    return rows[0]?.first_attempt_at ?? null;
  }

  /** The event id and type of each of these deliveries (what Bull Board shows of a job). */
  async labelsOf(ids: readonly string[]): Promise<Map<string, { eventId: string; eventType: string }>> {
    const { rows } = await LABELS.run(this.pool, { ids: ids.filter(isDeliveryId) });
    return new Map(rows.map((r) => [r.id, { eventId: r.event_id, eventType: r.event_type }]));
  }

  async markDeadLettered(id: string, result: AttemptResult): Promise<boolean> {
    const { rowCount } = await MARK_DEAD_LETTERED.run(this.pool, {
      id,
      attempts: result.attempts,
      status: result.status,
      error: result.error,
    });
    return rowCount === 1;
  }

  /**
   * Deliveries to these destinations whose job may be lost (see CLAIM_SWEEP_CANDIDATES), marked as
   * swept now; one worker claims at a time, and Redis is called after the commit.
   */
  async claimSweepCandidates(
    destinations: readonly string[],
    olderThanMs: number,
    limit: number,
  ): Promise<Array<{ id: string; destination: string; generation: number }>> {
    if (destinations.length === 0) return [];
    const cutoff = new Date(Date.now() - olderThanMs);
    return inTransaction(this.pool, async (client) => {
      const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        SWEEP_LOCK_ID,
      ]);
      if (!lock.rows[0]?.locked) return [];
      const { rows } = await CLAIM_SWEEP_CANDIDATES.run(client, {
        destinations: [...destinations],
        cutoff,
        queue_prefix: FORWARD_QUEUE_PREFIX,
        limit,
      });
      return rows.map((r) => ({ id: r.id, destination: r.destination, generation: r.replay_count }));
    });
  }
}
