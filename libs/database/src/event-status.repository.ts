import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { JsonObject } from '@app/square';
import { QUEUES, type EventJobRef } from '@app/queue';
import type { EventStatus } from './event-query.repository.js';
import { PG_POOL } from './pg-pool.js';
import { PrismaService } from './prisma.service.js';

export interface InboxEvent {
  eventId: string;
  eventType: string;
  status: EventStatus;
  payload: JsonObject;
}

/** What a replay did: replayed, or why not (no such event, or its status, which is not dead_lettered). */
export type ReplayReset = 'replayed' | 'not_found' | Exclude<EventStatus, 'dead_lettered'>;

export interface DeadLetterInfo {
  reason: string;
  error: string;
  attempts: number;
}

// Arbitrary, fixed: the sweep's advisory lock (one sweeper at a time across workers).
const SWEEP_LOCK_ID = 0x5eeb;

/** The worker's view of the inbox: reading an event and moving it between statuses. */
@Injectable()
export class EventStatusRepository {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {}

  /** Once per job, so plain pg: Prisma's per-query overhead was a seventh of the worker's CPU. */
  async find(eventId: string): Promise<InboxEvent | null> {
    const { rows } = await this.pool.query<{ event_id: string; event_type: string; status: InboxEvent['status']; payload: JsonObject }>({
      name: 'find-event', // prepared once per connection
      text: 'SELECT event_id, event_type, status, payload FROM webhook_events WHERE event_id = $1',
      values: [eventId],
    });
    const row = rows[0];
    return row ? { eventId: row.event_id, eventType: row.event_type, status: row.status, payload: row.payload } : null;
  }

  /** For event types this pipeline does not apply: visible and counted, never retried. */
  async markIgnored(eventId: string): Promise<void> {
    const now = new Date();
    await this.prisma.webhookEvent.updateMany({
      where: { eventId, status: 'received' },
      data: { status: 'ignored', outcome: 'ignored', processedAt: now, updatedAt: now },
    });
  }

  /** Keeps the attempt count and last error of a failure that will be retried. */
  async recordFailure(eventId: string, attempts: number, error: string): Promise<void> {
    await this.prisma.webhookEvent.updateMany({
      where: { eventId, status: 'received' },
      data: { attempts, lastError: error, updatedAt: new Date() },
    });
  }

  /** Idempotent: only a 'received' event changes, so a second call changes nothing. */
  async markDeadLettered(eventId: string, info: DeadLetterInfo): Promise<boolean> {
    const now = new Date();
    const { count } = await this.prisma.webhookEvent.updateMany({
      where: { eventId, status: 'received' },
      data: {
        status: 'dead_lettered',
        deadLetterReason: info.reason,
        lastError: info.error,
        attempts: info.attempts,
        deadLetteredAt: now,
        updatedAt: now,
      },
    });
    return count === 1;
  }

  /**
   * Events that stayed 'received' longer than `olderThanMs` and were not swept within that time
   * either, marked as swept now. Only one worker claims at a time (advisory lock), and the lock
   * is held for this one statement's transaction: Redis is called after it commits.
   */
  async claimSweepCandidates(olderThanMs: number, limit: number): Promise<EventJobRef[]> {
    const cutoff = new Date(Date.now() - olderThanMs);
    return this.prisma.$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK_ID}) AS locked`;
      if (!lock?.locked) return [];
      const rows = await tx.$queryRaw<{ event_id: string; replay_count: number }[]>`
        UPDATE webhook_events SET swept_at = now()
        WHERE event_id IN (
          SELECT event_id FROM webhook_events
          WHERE status = 'received' AND received_at < ${cutoff} AND (swept_at IS NULL OR swept_at < ${cutoff})
          ORDER BY received_at
          LIMIT ${limit}
        )
        RETURNING event_id, replay_count`;
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
    const { rows } = await this.pool.query<{ replayed: boolean; status: EventStatus | null }>({
      name: 'reset-for-replay',
      text: `
        WITH reset AS (
          UPDATE webhook_events
          SET status = 'received', attempts = 0, dead_letter_reason = NULL, dead_lettered_at = NULL,
              replay_count = replay_count + 1, swept_at = now(), updated_at = now()
          WHERE event_id = $1 AND status = 'dead_lettered'
          RETURNING event_id, replay_count
        ), job AS (
          INSERT INTO job_outbox (queue, ref, generation)
          SELECT $2, event_id, replay_count FROM reset
          ON CONFLICT (queue, ref) DO UPDATE SET generation = GREATEST(job_outbox.generation, EXCLUDED.generation)
          RETURNING ref
        )
        -- The status as it was before this statement (its snapshot): null when there is no such event.
        SELECT EXISTS (SELECT 1 FROM job) AS replayed, (SELECT status FROM webhook_events WHERE event_id = $1) AS status`,
      values: [eventId, QUEUES.squareEvents],
    });
    const row = rows[0]!;
    if (row.replayed) return 'replayed';
    if (row.status === null) return 'not_found';
    // Dead-lettered in this statement's snapshot but not reset: a concurrent replay reset it first.
    return row.status === 'dead_lettered' ? 'received' : row.status;
  }

  async deadLetteredIds(limit = 10_000): Promise<string[]> {
    const rows = await this.prisma.webhookEvent.findMany({
      where: { status: 'dead_lettered' },
      select: { eventId: true },
      orderBy: { receivedAt: 'asc' },
      take: limit,
    });
    return rows.map((r) => r.eventId);
  }
}
