import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { QUEUES } from '@app/queue';
import { PG_POOL } from './pg-pool.js';
import { statement } from './sql.js';

/** An event read from Square's Events API, as the inbox stores it. */
export interface LoggedEvent {
  eventId: string;
  eventType: string;
  merchantId: string | null;
  /** The event as Square's API returned it (wire JSON), stored as its raw body. */
  json: string;
}

// Events the inbox does not have, each with its job in the outbox (one statement, as the ingress
// stores a delivery); those it has are left untouched (their delivery count included). Marked as
// coming from the Events API: fetched with our token, they carry no signature, and no delivery.
// An id the inbox ever had is skipped by the insert itself (webhook_event_ids, via its trigger),
// even when retention dropped its month.
const RECOVER = statement<
  { event_ids: string[]; event_types: string[]; merchant_ids: Array<string | null>; bodies: string[]; queue: string },
  { event_id: string; event_type: string }
>(
  'recover-events',
  `
  WITH incoming AS (
    SELECT * FROM unnest(:event_ids::text[], :event_types::text[], :merchant_ids::text[], :bodies::text[]) AS e(event_id, event_type, merchant_id, body)
  ), recovered AS (
    INSERT INTO webhook_events (event_id, event_type, merchant_id, signature_algorithm, raw_body, payload, source, delivery_count)
    SELECT event_id, event_type, merchant_id, 'none', convert_to(body, 'UTF8'), body::jsonb, 'events_api', 0 FROM incoming
    RETURNING event_id, event_type
  ), jobs AS (
    INSERT INTO job_outbox (queue, ref) SELECT :queue, event_id FROM recovered
  )
  SELECT event_id, event_type FROM recovered`,
);

const CHECKPOINT = statement<{ name: string }, { checked_until: Date }>(
  'reconcile-checkpoint',
  'SELECT checked_until FROM reconcile_checkpoints WHERE name = :name',
);

// Never backwards: two runs that overlap cannot undo each other's progress.
const SAVE_CHECKPOINT = statement<{ name: string; until: Date; found: number; recovered: number }>(
  'save-reconcile-checkpoint',
  `
  INSERT INTO reconcile_checkpoints (name, checked_until, last_run_at, last_found, last_recovered) VALUES (:name, :until, now(), :found, :recovered)
  ON CONFLICT (name) DO UPDATE
  SET checked_until = GREATEST(reconcile_checkpoints.checked_until, EXCLUDED.checked_until), last_run_at = now(),
      last_found = EXCLUDED.last_found, last_recovered = EXCLUDED.last_recovered, updated_at = now()`,
);

@Injectable()
export class ReconcileRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Stores the events the inbox does not have; resolves with those (id and type). */
  async recover(events: readonly LoggedEvent[]): Promise<Array<{ eventId: string; eventType: string }>> {
    if (events.length === 0) return [];
    const { rows } = await RECOVER.run(this.pool, {
      event_ids: events.map((e) => e.eventId),
      event_types: events.map((e) => e.eventType),
      merchant_ids: events.map((e) => e.merchantId),
      bodies: events.map((e) => e.json),
      queue: QUEUES.squareEvents,
    });
    return rows.map((r) => ({ eventId: r.event_id, eventType: r.event_type }));
  }

  async checkpoint(name: string): Promise<Date | null> {
    const { rows } = await CHECKPOINT.run(this.pool, { name });
    return rows[0]?.checked_until ?? null;
  }

  async saveCheckpoint(name: string, until: Date, counts: { found: number; recovered: number }): Promise<void> {
    await SAVE_CHECKPOINT.run(this.pool, { name, until, found: counts.found, recovered: counts.recovered });
  }
}
