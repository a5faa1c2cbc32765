import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from './pg-pool.js';
import { STATUS, statement } from './sql.js';

/** What one processing attempt did, as the worker saw it. */
export interface EventAttemptRecord {
  eventId: string;
  /** 1 for the first try (BullMQ's count: it starts again after a replay). */
  attempt: number;
  startedAt: Date;
  durationMs: number;
  /** The use case's outcome, `retry` (failed, will be retried) or `dead_lettered`. */
  outcome: string;
  error: string | null;
  handlers: readonly string[];
}

export interface EventAttemptRow extends EventAttemptRecord {
  id: string;
}

/** One attempt's row in event_attempts, as both statements below take it. */
type AttemptParams = {
  event_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  outcome: string;
  error: string | null;
  handlers: string[];
};

// One statement per attempt that opened no transaction or failed (an applied one is recorded in its
// transaction, with its outcome: process-square-event.use-case.ts). An event gone from the inbox
// (never, today) makes the FK refuse it.
const RECORD = statement<AttemptParams>(
  'record-event-attempt',
  `
  INSERT INTO event_attempts (event_id, attempt, started_at, duration_ms, outcome, error, handlers)
  VALUES (:event_id, :attempt, :started_at, :duration_ms, :outcome, :error, :handlers::text[])`,
);

// A failed attempt that will be retried: the event keeps its attempt count and last error, and the
// attempt its row, in one statement.
const RECORD_RETRY = statement<AttemptParams>(
  'record-event-retry',
  `
  WITH failure AS (
    UPDATE webhook_events SET attempts = :attempt, last_error = :error, updated_at = now()
    WHERE event_id = :event_id AND status = '${STATUS.received}'
  )
  INSERT INTO event_attempts (event_id, attempt, started_at, duration_ms, outcome, error, handlers)
  VALUES (:event_id, :attempt, :started_at, :duration_ms, :outcome, :error, :handlers::text[])`,
);

// Bounded: an event replayed over and over shows its latest 200 tries.
const LIST = statement<{ event_id: string }, EventAttemptRow>(
  'list-event-attempts',
  `
  SELECT id::text AS id, event_id AS "eventId", attempt, started_at AS "startedAt", duration_ms AS "durationMs", outcome, error, handlers
  FROM (SELECT * FROM event_attempts WHERE event_id = :event_id ORDER BY id DESC LIMIT 200) AS latest
  ORDER BY id`,
);

/** The worker's record of each processing attempt (the console's event page reads it). */
@Injectable()
export class EventAttemptsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async record(a: EventAttemptRecord): Promise<void> {
    await RECORD.run(this.pool, {
      event_id: a.eventId,
      attempt: a.attempt,
      started_at: a.startedAt,
      duration_ms: a.durationMs,
      outcome: a.outcome,
      error: a.error,
      handlers: [...a.handlers],
    });
  }

  /** An attempt that failed and will be retried: recorded, with the event's attempt count and last error. */
  async recordRetry(a: EventAttemptRecord): Promise<void> {
    await RECORD_RETRY.run(this.pool, {
      event_id: a.eventId,
      attempt: a.attempt,
      started_at: a.startedAt,
      duration_ms: a.durationMs,
      outcome: a.outcome,
      error: a.error,
      handlers: [...a.handlers],
    });
  }

  /** Oldest first. */
  async forEvent(eventId: string): Promise<EventAttemptRow[]> {
    return (await LIST.run(this.pool, { event_id: eventId })).rows;
  }
}
