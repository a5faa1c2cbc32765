import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { JsonObject } from '@app/square';
import { QUEUES, type EventJobRef } from '@app/queue';
import type { EventStatus } from './event-query.repository.js';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';
import { inTransaction } from './transaction.js';
import { ADVISORY_LOCKS } from './locks.js';

export interface InboxEvent {
  eventId: string;
  eventType: string;
  status: EventStatus;
  payload: JsonObject;
  /** Legacy v1 only: the hash of the signed body (what its repeats share). */
  bodyKey: string | null;
  /** The partition key: a statement that names it reads or writes the event's month only. */
  receivedAt: Date;
}

/** What a replay did: replayed, or why not (no such event, or its status, which is not dead_lettered). */
export type ReplayReset = 'replayed' | 'not_found' | Exclude<EventStatus, 'dead_lettered'>;

export interface DeadLetterInfo {
  reason: string;
  error: string;
  attempts: number;
}

const SWEEP_LOCK_ID = ADVISORY_LOCKS.eventSweep;

const FIND = statement<
  { event_id: string },
  {
    event_id: string;
    event_type: string;
    status: EventStatus;
    payload: JsonObject;
    body_key: string | null;
    received_at: Date;
  }
>(
  'find-event',
  // The id's received_at (webhook_event_ids) names the one month to read: without it, every
  // partition's index is probed (the partitioned inbox, docs/SCALING.md).
  `
  SELECT event_id, event_type, status, payload, body_key, received_at FROM webhook_events
  WHERE event_id = :event_id AND received_at = (SELECT received_at FROM webhook_event_ids WHERE event_id = :event_id)`,
);

// Every change of status below applies only to an event still 'received', so doing it twice, or
// after another worker finished the event, changes nothing.
const MARK_IGNORED = statement<{ event_id: string; outcome: string }>(
  'mark-ignored',
  `
  UPDATE webhook_events
  SET status = '${STATUS.ignored}', outcome = :outcome, processed_at = now(), updated_at = now()
  WHERE event_id = :event_id AND status = '${STATUS.received}'`,
);

const MARK_DEAD_LETTERED = statement<{ event_id: string; reason: string; error: string; attempts: number }>(
  'mark-dead-lettered',
  `
  UPDATE webhook_events
  SET status = '${STATUS.dead_lettered}', dead_letter_reason = :reason, last_error = :error, attempts = :attempts,
      dead_lettered_at = now(), updated_at = now()
  WHERE event_id = :event_id AND status = '${STATUS.received}'`,
);

// The candidates come from the open list (webhook_events_open), each read in its own month.
const CLAIM_SWEEP_CANDIDATES = statement<{ cutoff: Date; limit: number }, { event_id: string; replay_count: number }>(
  'claim-sweep-candidates',
  `
  UPDATE webhook_events AS w SET swept_at = now()
  FROM (
    SELECT e.event_id, e.received_at FROM webhook_events_open o JOIN webhook_events e USING (event_id, received_at)
    WHERE o.status = '${STATUS.received}' AND o.received_at < :cutoff
      AND e.status = '${STATUS.received}' AND (e.swept_at IS NULL OR e.swept_at < :cutoff)
    ORDER BY o.received_at
    LIMIT :limit
  ) AS due
  WHERE w.event_id = due.event_id AND w.received_at = due.received_at
  RETURNING w.event_id, w.replay_count`,
);

const RESET_FOR_REPLAY = statement<
  { event_id: string; queue: string },
  { replayed: boolean; status: EventStatus | null }
>(
  'reset-for-replay',
  `
  WITH reset AS (
    UPDATE webhook_events
    SET status = '${STATUS.received}', attempts = 0, dead_letter_reason = NULL, dead_lettered_at = NULL,
        replay_count = replay_count + 1, swept_at = now(), updated_at = now()
    WHERE event_id = :event_id AND status = '${STATUS.dead_lettered}' AND purged_at IS NULL
    RETURNING event_id, replay_count
  ), job AS (
    INSERT INTO job_outbox (queue, ref, generation)
    SELECT :queue, event_id, replay_count FROM reset
    ON CONFLICT (queue, ref) DO UPDATE SET generation = GREATEST(job_outbox.generation, EXCLUDED.generation)
    RETURNING ref
  )
  -- The status as it was before this statement (its snapshot): null when there is no such event.
  SELECT EXISTS (SELECT 1 FROM job) AS replayed, (SELECT status FROM webhook_events WHERE event_id = :event_id) AS status`,
);

// The oldest event not yet processed (the first entry of the open list's (status, received_at) index).
const OLDEST_RECEIVED = statement<Record<string, never>, { seconds: number | null }>(
  'oldest-received',
  `
  SELECT extract(epoch FROM now() - min(received_at))::float AS seconds FROM webhook_events_open WHERE status = '${STATUS.received}'`,
);

/** Which dead-lettered events a replay by filter takes; a filter left out matches everything. */
export interface DeadLetterFilter {
  types?: readonly string[];
  merchantIds?: readonly string[];
  /** dead_letter_reason (the console replays one group: a reason and a type). */
  reasons?: readonly string[];
  /** Received at or after. */
  since?: Date;
  /** Received before. */
  until?: Date;
}

// Oldest first, keyset-paged on (received_at, event_id); walks the open list's (status,
// received_at) index, each row read in its own month. Purged ones cannot be replayed (their payload is gone).
const DEAD_LETTERED_MATCHING = statement<
  {
    types: string[] | null;
    merchant_ids: string[] | null;
    reasons: string[] | null;
    since: Date | null;
    until: Date | null;
    after_at: Date | null;
    after_id: string | null;
    limit: number;
  },
  { event_id: string; received_at: Date }
>(
  'dead-lettered-matching',
  `
  SELECT o.event_id, o.received_at FROM webhook_events_open o JOIN webhook_events w USING (event_id, received_at)
  WHERE o.status = '${STATUS.dead_lettered}' AND w.status = '${STATUS.dead_lettered}' AND w.purged_at IS NULL
    AND (:types::text[] IS NULL OR w.event_type = ANY(:types::text[]))
    AND (:merchant_ids::text[] IS NULL OR w.merchant_id = ANY(:merchant_ids::text[]))
    AND (:reasons::text[] IS NULL OR w.dead_letter_reason = ANY(:reasons::text[]))
    AND (:since::timestamptz IS NULL OR o.received_at >= :since::timestamptz)
    AND (:until::timestamptz IS NULL OR o.received_at < :until::timestamptz)
    AND (:after_at::timestamptz IS NULL OR (o.received_at, o.event_id) > (:after_at::timestamptz, :after_id::text))
  ORDER BY o.received_at, o.event_id
  LIMIT :limit`,
);

const DEAD_LETTERED_IDS = statement<{ limit: number }, { event_id: string }>(
  'dead-lettered-ids',
  `
  SELECT event_id FROM webhook_events_open WHERE status = '${STATUS.dead_lettered}' ORDER BY received_at LIMIT :limit`,
);

/** The worker's view of the inbox: reading an event and moving it between statuses (docs/ARCHITECTURE.md: per-event SQL). */
@Injectable()
export class EventStatusRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async find(eventId: string): Promise<InboxEvent | null> {
    const { rows } = await FIND.run(this.pool, { event_id: eventId });
    const row = rows[0];
    return row
      ? {
          eventId: row.event_id,
          eventType: row.event_type,
          status: row.status,
          payload: row.payload,
          bodyKey: row.body_key,
          receivedAt: row.received_at,
        }
      : null;
  }

  /** For events nothing wants: visible and counted, never retried; `outcome` may say why. */
  async markIgnored(eventId: string, outcome = 'ignored'): Promise<void> {
    await MARK_IGNORED.run(this.pool, { event_id: eventId, outcome });
  }

  /** Idempotent: true when this call changed the event. */
  async markDeadLettered(eventId: string, info: DeadLetterInfo): Promise<boolean> {
    const { rowCount } = await MARK_DEAD_LETTERED.run(this.pool, { event_id: eventId, ...info });
    return rowCount === 1;
  }

  /**
   * Events that stayed 'received' longer than `olderThanMs` and were not swept within that time
   * either, marked as swept now. Only one worker claims at a time (advisory lock), and the lock
   * is held for this one transaction: Redis is called after it commits.
   */
  async claimSweepCandidates(olderThanMs: number, limit: number): Promise<EventJobRef[]> {
    const cutoff = new Date(Date.now() - olderThanMs);
    return inTransaction(this.pool, async (client) => {
      const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        SWEEP_LOCK_ID,
      ]);
      if (!lock.rows[0]?.locked) return [];
      const { rows } = await CLAIM_SWEEP_CANDIDATES.run(client, { cutoff, limit });
      return rows.map((r) => ({ eventId: r.event_id, generation: r.replay_count }));
    });
  }

  /**
   * Puts a dead-lettered event back to 'received' for another round of attempts, and writes its new
   * job to the outbox in the same statement: the relay enqueues it under a job id of its own
   * (the replay count is part of it), so neither Redis nor the old failed job is involved. swept_at
   * is set to now: the event arrived long ago, and the relay, not the sweep, enqueues it.
   */
  async resetForReplay(eventId: string): Promise<ReplayReset> {
    const { rows } = await RESET_FOR_REPLAY.run(this.pool, { event_id: eventId, queue: QUEUES.squareEvents });
    const row = rows[0]!;
    if (row.replayed) return 'replayed';
    if (row.status === null) return 'not_found';
    // Dead-lettered in this statement's snapshot but not reset: a concurrent replay reset it first.
    return row.status === STATUS.dead_lettered ? STATUS.received : row.status;
  }

  /** How long the oldest event still 'received' has waited, in seconds (0 when none waits). */
  async oldestReceivedSeconds(): Promise<number> {
    const { rows } = await OLDEST_RECEIVED.run(this.pool, {});
    return rows[0]?.seconds ?? 0;
  }

  /** One page of the dead-lettered events a filter matches, after `after` (oldest first). */
  async deadLetteredMatching(
    filter: DeadLetterFilter,
    limit: number,
    after?: { receivedAt: Date; eventId: string },
  ): Promise<Array<{ eventId: string; receivedAt: Date }>> {
    const { rows } = await DEAD_LETTERED_MATCHING.run(this.pool, {
      types: filter.types?.length ? [...filter.types] : null,
      merchant_ids: filter.merchantIds?.length ? [...filter.merchantIds] : null,
      reasons: filter.reasons?.length ? [...filter.reasons] : null,
      since: filter.since ?? null,
      until: filter.until ?? null,
      after_at: after?.receivedAt ?? null,
      after_id: after?.eventId ?? null,
      limit,
    });
    return rows.map((r) => ({ eventId: r.event_id, receivedAt: r.received_at }));
  }

  async deadLetteredIds(limit = 10_000): Promise<string[]> {
    const { rows } = await DEAD_LETTERED_IDS.run(this.pool, { limit });
    return rows.map((r) => r.event_id);
  }
}
